"""A real main window over a demo store, with a manual clock and a recording speaker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from app.access.clock import ManualClock
from app.access.prediction import Predictor
from app.access.profile import AccessProfile
from app.services.container import Services
from app.services.group.demo import create_demo
from app.speech.speaker import RecordingSpeaker
from app.store.database import Store
from app.store.local_drafts import LocalDrafts
from app.ui.main_window import MainWindow

# A small stand-in for wordfreq's list, so UI tests are fast and predictable.
SMALL_ENGLISH = {
    "the": 0.05, "to": 0.03, "and": 0.03, "of": 0.03, "a": 0.02, "in": 0.02, "is": 0.01,
    "it": 0.01, "we": 0.005, "care": 0.001, "can": 0.002, "cat": 0.0005, "social": 0.0008,
    "support": 0.0006, "people": 0.001, "time": 0.001, "heard": 0.0003, "help": 0.0008,
}


@dataclass
class App:
    """What a UI test holds: the window and what it was built from."""

    window: MainWindow
    services: Services
    store: Store
    clock: ManualClock
    speaker: RecordingSpeaker
    project_id: str
    qtbot: object

    def focus(self) -> QWidget | None:
        """What has focus in this app's window (or a dialog it opened): a dialog left over by an
        earlier test in the same process is not this member's screen."""
        widget = QApplication.focusWidget()
        top = widget.window() if widget is not None else None
        if top is not None and (top is self.window or self.window.isAncestorOf(top)
                                or top.parentWidget() is not None
                                and (top.parentWidget().window() is self.window)):
            return widget
        return self.window.focusWidget()

    def focus_name(self) -> str:
        widget = self.focus()
        return widget.accessibleName() if widget is not None else ""

    def key(self, key: Qt.Key) -> None:
        """Press and release a key on whatever has focus, as a keyboard or switch would."""
        target = self.focus() or self.window
        self.qtbot.keyPress(target, key)  # type: ignore[attr-defined]
        self.qtbot.keyRelease(target, key)  # type: ignore[attr-defined]

    def members(self) -> dict[str, str]:
        return {m.display_name: m.id for m in self.services.projects.list_members(self.project_id)}


@pytest.fixture
def make_app(qtbot, tmp_path) -> Iterator[Callable[..., App]]:
    stores: list[Store] = []
    windows: list[MainWindow] = []

    def build(last_member: str | None = None, **profile: object) -> App:
        store = Store.open(f"sqlite:///{tmp_path / 'canvas.db'}")
        stores.append(store)
        project_id = create_demo(store)
        services = Services.build(store)
        if last_member is not None:
            member_id = {
                m.display_name: m.id for m in services.projects.list_members(project_id)
            }[last_member]
            services.projects.save_profile(
                member_id, AccessProfile.from_dict(profile).to_dict()
            )
            services.projects.start_session(member_id)
        clock = ManualClock()
        speaker = RecordingSpeaker()
        window = MainWindow(services, speaker, project_id, Predictor(SMALL_ENGLISH), clock=clock,
                            local_drafts=LocalDrafts(tmp_path / "unsaved.json"))
        window.predictors.wait_s = 30.0  # the demo's words are learned in ms; a keyboard waits for them
        window.db.grace = 10.0  # an action's result is told in place (a fault test sets it back)
        windows.append(window)
        qtbot.addWidget(window)
        window.resize(1280, 860)
        window.show()
        window.activateWindow()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
        return App(window, services, store, clock, speaker, project_id, qtbot)

    yield build
    for window in windows:
        window.close()
    for store in stores:
        store.close()


def scan_to(app: App, name: str, limit: int = 200) -> None:
    """Let the auto-scan run until `name` is highlighted (as a member watching would)."""
    for _ in range(limit):
        if app.focus_name() == name:
            return
        app.clock.run_until_next()
    raise AssertionError(f"the scan never reached {name!r}; it is on {app.focus_name()!r}")


def switch(app: App) -> None:
    """One press of switch 1 (Space), a moment after the last."""
    app.clock.advance(0.2)
    app.key(Qt.Key.Key_Space)


def choose(app: App, name: str) -> None:
    """Wait for `name` (a row or an item) to be highlighted, then press the switch."""
    scan_to(app, name)
    switch(app)


def choose_key(app: App, spoken: str) -> None:
    """Choose the on-screen tile spoken as `spoken`: first its row, then the tile."""
    for group in app.window.current.scan_groups():
        if any(t.accessibleName() == spoken for t in group.items):
            choose(app, group.label)
            choose(app, spoken)
            return
    raise AssertionError(f"no tile is spoken as {spoken!r}")
