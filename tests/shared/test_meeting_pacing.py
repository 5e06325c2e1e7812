"""Pacing on a shared PostgreSQL database: a member's window, on their own login, follows the
facilitator's move to a vote within two seconds (the window's own one-second poll), says so, and
the member votes by one switch and asks for a break, which the facilitator's login sees."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.access.clock import ManualClock
from app.access.prediction import Predictor
from app.services.container import Services
from app.speech.speaker import RecordingSpeaker
from app.store.database import Store
from app.store.local_drafts import LocalDrafts
from app.ui.main_window import MainWindow
from app.ui.screens.prompt import PromptScreen
from tests.shared.conftest import Shared
from tests.ui.conftest import App, choose_key


@pytest.fixture
def stores(shared: Shared, tmp_path: Path) -> Iterator[dict[str, Store]]:
    opened = {}
    for who in ("facilitator", "Sam"):
        opened[who] = Store.open(shared.logins[who])
        opened[who].data_path = tmp_path / who
    yield opened
    for store in opened.values():
        store.close()


def test_a_members_window_follows_the_group_to_the_vote(qtbot, stores, tmp_path: Path):
    f, sam_services = Services.build(stores["facilitator"]), Services.build(stores["Sam"])
    project = f.projects.list_projects()[0].id
    result = f.facilitator.set_passphrase(project, "a long enough passphrase")
    if not result.ok:
        result = f.facilitator.unlock(project, "a long enough passphrase")
    fs = result.session
    prompt = next(p.id for p in f.projects.list_prompts(project) if p.pair_role == "now")
    meeting = f.meetings.plan(fs, date.today(), "Paced meeting").record_id
    f.meetings.add_step(fs, meeting, "talk", "Introductions")
    vote = f.meetings.add_step(fs, meeting, "vote", "vote", prompt, dots=3).record_id
    sam = next(m for m in sam_services.projects.list_members(project) if m.display_name == "Sam")
    sam_services.projects.save_profile(sam.id, {"scan_mode": "auto", "step_time": 0.5})
    speaker, clock = RecordingSpeaker(), ManualClock()
    window = MainWindow(sam_services, speaker, project, Predictor({"the": 0.1}), clock=clock,
                        local_drafts=LocalDrafts(tmp_path / "unsaved.json"))
    qtbot.addWidget(window)
    window.resize(1280, 860)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    window.pick_member(sam_services.projects.get_member(sam.id))
    app = App(window, sam_services, stores["Sam"], clock, speaker, project, qtbot)

    f.meetings.start(fs, meeting)
    f.meetings.move_to(fs, vote)  # on the facilitator's login, elsewhere
    qtbot.waitUntil(lambda: isinstance(window.current, PromptScreen) and window.current.dots is not None,
                    timeout=2500)  # within two seconds of the move, by the window's own poll
    assert window.status.text() == "The group is now on: vote"
    screen = window.current
    third = screen.tiles[2].accessibleName()
    choose_key(app, third)  # two activations: its row, then the tile
    assert window.status.text() == f"Dot on {third}. 2 dots left."
    choose_key(app, "I need a break")
    assert [a.spoken() for a in f.meetings.waiting_asks(fs, meeting)] == ["Sam: I need a break"]
    assert f.meetings.voters(fs, vote) == 1
    window.close()
    QApplication.processEvents()
