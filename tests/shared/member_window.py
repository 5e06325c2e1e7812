"""A member's own window on a shared PostgreSQL database, on their own login, scanning by one
switch on a manual clock (the window's one-second poll runs for real: it is what follows the
group)."""

from __future__ import annotations

from pathlib import Path

from app.access.clock import ManualClock
from app.access.prediction import Predictor
from app.services.container import Services
from app.speech.speaker import RecordingSpeaker
from app.store.local_drafts import LocalDrafts
from app.ui.main_window import MainWindow
from tests.ui.conftest import SMALL_ENGLISH, App

PROFILE = {"scan_mode": "auto", "step_time": 0.5, "first_item_extra": 0.0}


def member_window(qtbot, services: Services, project: str, name: str, tmp_path: Path) -> App:  # noqa: ANN001
    """Open `name`'s window on `services` (their login) and pick them, as their computer does."""
    member = next(m for m in services.projects.list_members(project) if m.display_name == name)
    services.projects.save_profile(member.id, PROFILE)
    speaker, clock = RecordingSpeaker(), ManualClock()
    window = MainWindow(services, speaker, project, Predictor(SMALL_ENGLISH), clock=clock,
                        local_drafts=LocalDrafts(tmp_path / f"unsaved-{name}.json"))
    window.predictors.wait_s = 30.0  # the words are learned in ms; a keyboard waits for them
    window.db.grace = 10.0  # an action's result is told in place
    qtbot.addWidget(window)
    window.resize(1280, 860)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    window.pick_member(services.projects.get_member(member.id))
    return App(window, services, services.projects.store, clock, speaker, project, qtbot)


def take_the_switch(app: App) -> None:
    """Bring this member's window to the front: their switch presses go to it."""
    app.window.activateWindow()
    app.qtbot.waitUntil(app.window.isActiveWindow, timeout=2000)  # type: ignore[attr-defined]
