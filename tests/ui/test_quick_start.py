"""The quick start as main.py does it: the member screen is drawn from the snapshot while the
services load behind it, and a switch user can pick themselves at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from app.access.clock import ManualClock
from app.access.prediction import Predictor
from app.access.profile import AccessProfile
from app.services.container import Services
from app.services.group.demo import create_demo
from app.services.group.startup import ServicesLoader, read_snapshot
from app.speech.speaker import RecordingSpeaker
from app.store.database import Store, StoreError, sqlite_url
from app.store.local_drafts import LocalDrafts
from app.ui.main_window import MainWindow
from app.ui.screens.home import HomeScreen
from app.ui.screens.members import MemberScreen

from .conftest import SMALL_ENGLISH, App, choose


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """The demo project on file; Sam (step-scan) was the last to take part on this machine."""
    path = tmp_path / "canvas.db"
    store = Store.open(sqlite_url(path))
    try:
        project_id = create_demo(store)
        services = Services.build(store)
        sam = next(m for m in services.projects.list_members(project_id) if m.display_name == "Sam")
        services.projects.save_profile(sam.id, AccessProfile.from_dict({"scan_mode": "auto"}).to_dict())
        services.projects.start_session(sam.id)
    finally:
        store.close()
    return path


@pytest.fixture
def quick_start(qtbot, database: Path, tmp_path: Path) -> Iterator[tuple[App, ServicesLoader[Services]]]:
    """A window built as main.py builds it at a quick start: services not loaded yet."""
    snapshot = read_snapshot(database)
    assert snapshot is not None
    stores: list[Store] = []

    def load() -> Services:
        stores.append(Store.open(sqlite_url(database)))
        return Services.build(stores[-1])

    loader: ServicesLoader[Services] = ServicesLoader(load)
    clock, speaker = ManualClock(), RecordingSpeaker()
    window = MainWindow(loader, speaker, snapshot.project_id, Predictor(SMALL_ENGLISH), clock=clock,
                        local_drafts=LocalDrafts(tmp_path / "unsaved.json"), snapshot=snapshot,
                        input_after_paint=True)
    loader.on_done = window.servicesSettled.emit
    qtbot.addWidget(window)
    window.resize(1280, 860)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    window.start_input()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    yield App(window, None, None, clock, speaker, snapshot.project_id, qtbot), loader  # type: ignore[arg-type]
    window.close()
    loader.wait()
    for store in stores:
        store.close()


def test_the_member_screen_is_there_before_the_services(quick_start) -> None:
    app, loader = quick_start
    assert isinstance(app.window.current, MemberScreen)
    names = [tile.accessibleName() for tile in app.window.current.tiles]
    assert names[:2] == ["Alex", "Sam"] and "Ruth (facilitator)" in names
    assert not loader.done  # nothing needed them yet
    assert app.window.state.profile.scan_mode == "auto"  # the last member's profile scans it


def test_a_member_picked_before_the_services_are_ready_gets_their_home(quick_start) -> None:
    app, loader = quick_start
    choose(app, "Members, row 1")
    choose(app, "Sam")
    assert loader.done and loader.failed is None
    assert isinstance(app.window.current, HomeScreen)
    assert app.window.state.member is not None and app.window.state.member.display_name == "Sam"


def test_services_loaded_in_the_background_leave_the_screen_as_it_is(quick_start, qtbot) -> None:
    app, loader = quick_start
    screen = app.window.current
    with qtbot.waitSignal(app.window.servicesSettled, timeout=10_000):
        loader.start()
    assert loader.done and app.window.current is screen
    choose(app, "Members, row 1")
    choose(app, "Alex")
    assert isinstance(app.window.current, HomeScreen)


def test_a_store_that_fails_behind_the_first_screen_closes_the_window(qtbot, database: Path,
                                                                      tmp_path: Path) -> None:
    snapshot = read_snapshot(database)
    assert snapshot is not None

    def load() -> Services:
        raise StoreError("The file was written by a newer version of Co-production Canvas.")

    loader: ServicesLoader[Services] = ServicesLoader(load)
    window = MainWindow(loader, RecordingSpeaker(), snapshot.project_id, Predictor(SMALL_ENGLISH),
                        clock=ManualClock(), local_drafts=LocalDrafts(tmp_path / "unsaved.json"),
                        snapshot=snapshot, input_after_paint=True)
    loader.on_done = window.servicesSettled.emit
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.servicesSettled, timeout=10_000):
        loader.start()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=2000)
    assert isinstance(loader.failed, StoreError)
    # Gone for good, as main.py's window is, so that the next test's keys cannot reach it.
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
