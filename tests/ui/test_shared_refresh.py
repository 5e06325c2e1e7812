"""Open screens show what another machine added, within two seconds."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from app.access.clock import ManualClock
from app.access.prediction import Predictor
from app.services.container import Services
from app.services.group.demo import create_demo
from app.speech.speaker import RecordingSpeaker
from app.store.database import Store
from app.store.local_drafts import LocalDrafts
from app.ui.guard import NOT_REFRESHED
from app.ui.main_window import MainWindow
from app.ui.screens.prompt import PromptScreen
from tests.ui.conftest import SMALL_ENGLISH


def test_a_keyword_added_elsewhere_appears(make_app, tmp_path):
    app = make_app()
    app.key(Qt.Key.Key_Return)  # Alex
    app.key(Qt.Key.Key_Return)  # the "now" question
    screen = app.window.current
    assert isinstance(screen, PromptScreen)
    other = Store.open(f"sqlite:///{tmp_path / 'canvas.db'}")  # a second copy of the app
    try:
        sam = app.members()["Sam"]
        Services.build(other).contributions.add(sam, screen.prompt.id, "isolated")
        app.qtbot.waitUntil(
            lambda: any(t.accessibleName().startswith("isolated,") for t in app.window.tiles()),
            timeout=2000,
        )
    finally:
        other.close()


def test_two_copies_on_one_postgresql_database(qtbot, tmp_path):
    """A group online: Sam's copy adds a keyword; Alex's open screen shows it within 2 s."""
    url = os.environ.get("CANVAS_TEST_PG_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CANVAS_TEST_PG_URL must be set in CI")
        pytest.skip("CANVAS_TEST_PG_URL is not set")
    base = make_url(url)
    name = f"canvas_ui_{os.getpid()}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    db_url = base.set(database=name).render_as_string(hide_password=False)
    first = Store.open(db_url, migrate=True)
    second = Store.open(db_url)
    try:
        project_id = create_demo(first)
        services = Services.build(first)
        window = MainWindow(services, RecordingSpeaker(), project_id, Predictor(SMALL_ENGLISH),
                            clock=ManualClock(), local_drafts=LocalDrafts(tmp_path / "unsaved.json"))
        qtbot.addWidget(window)
        window.show()
        members = {m.display_name: m for m in services.projects.list_members(project_id)}
        window.pick_member(members["Alex"])
        prompt = services.projects.list_prompts(project_id)[0]
        window.show_prompt(prompt.id)
        Services.build(second).contributions.add(members["Sam"].id, prompt.id, "online together")
        qtbot.waitUntil(
            lambda: any(t.accessibleName().startswith("online together,") for t in window.tiles()),
            timeout=2000,
        )
        window.close()
    finally:
        first.close()
        second.close()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def other_marker(store: Store, project_id: str) -> tuple[int, str]:
    return Services.build(store).projects.change_marker(project_id)


def test_a_screen_that_cannot_be_rebuilt_is_told_once_and_kept(make_app, tmp_path, monkeypatch):
    """Another copy adds a keyword while this one cannot read the question again (a locked or
    damaged file): the member hears why once and keeps the screen they had."""
    app = make_app()
    app.key(Qt.Key.Key_Return)  # Alex
    app.key(Qt.Key.Key_Return)  # the "now" question
    screen = app.window.current
    assert isinstance(screen, PromptScreen)

    def unreadable(*_args, **_kwargs):
        raise OSError("disk I/O error")

    monkeypatch.setattr(app.services.contributions, "page_for_prompt", unreadable)
    other = Store.open(f"sqlite:///{tmp_path / 'canvas.db'}")
    try:
        Services.build(other).contributions.add(app.members()["Sam"], screen.prompt.id, "isolated")
        app.qtbot.waitUntil(lambda: app.window.status.text() == NOT_REFRESHED, timeout=3000)
        assert app.window.current is screen and screen.isVisible()
        assert app.speaker.texts.count(NOT_REFRESHED) == 1
        Services.build(other).contributions.add(app.members()["Sam"], screen.prompt.id, "again")
        marker = other_marker(other, app.project_id)
        # the next poll has seen the second change and its rebuild has failed again
        app.qtbot.waitUntil(lambda: app.window._marker == marker and not app.window.db.busy("meeting"),
                            timeout=3000)
        assert app.window.current is screen
        assert app.speaker.texts.count(NOT_REFRESHED) == 1  # shown again, not spoken again
    finally:
        other.close()
