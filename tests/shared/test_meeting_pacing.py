"""Pacing on a shared PostgreSQL database: a member's window, on their own login, follows the
facilitator's move to a vote within two seconds (the window's own one-second poll), says so, and
the member votes by one switch and asks for a break, which the facilitator's login sees. During
a think-first step the member's window shows and says how many have added, following as others
add on their own logins (whose keywords that login cannot read)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from PySide6.QtWidgets import QApplication, QLabel

from app.services.container import Services
from app.store.database import Store
from app.ui.main_window import MainWindow
from app.ui.screens.prompt import PromptScreen
from tests.meeting_setup import plan_meeting
from tests.shared.conftest import Shared
from tests.shared.member_window import member_window
from tests.ui.conftest import choose_key


@pytest.fixture
def stores(shared: Shared, tmp_path: Path) -> Iterator[dict[str, Store]]:
    opened = {}
    for who in ("facilitator", "Sam", "Alex"):
        opened[who] = Store.open(shared.logins[who])
        opened[who].data_path = tmp_path / who
    yield opened
    for store in opened.values():
        store.close()


def test_a_members_window_follows_the_group_to_the_vote(qtbot, stores, tmp_path: Path):
    f, sam_services = Services.build(stores["facilitator"]), Services.build(stores["Sam"])
    project = f.projects.list_projects()[0].id
    planned = plan_meeting(f, project, "Paced meeting", ("talk", "Introductions"),
                           ("vote", "vote", {"dots": 3}), start=False)
    fs, meeting, (_talk, vote) = planned.session, planned.meeting, planned.steps
    app = member_window(qtbot, sam_services, project, "Sam", tmp_path)
    window = app.window

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
    f.meetings.end(fs, meeting)
    window.close()
    QApplication.processEvents()


def _texts(window: MainWindow) -> str:
    return " ".join(label.text() for label in window.current.findChildren(QLabel))


def test_a_members_window_counts_who_has_added_while_thinking_first(qtbot, shared: Shared, stores,
                                                                    tmp_path: Path):
    f, sam_services = Services.build(stores["facilitator"]), Services.build(stores["Sam"])
    alex_services = Services.build(stores["Alex"])
    project = f.projects.list_projects()[0].id
    planned = plan_meeting(f, project, "Thinking meeting",
                           ("keywords", "Keywords for the future", {"think_first": True}),
                           question="future", start=False)
    fs, meeting, (keywords,), prompt = planned.session, planned.meeting, planned.steps, planned.prompt.id
    members = {m.display_name: m.id for m in f.projects.list_members(project)}
    f.contributions.add(members["Alex"], prompt, "added before the step")  # not counted: earlier
    app = member_window(qtbot, sam_services, project, "Sam", tmp_path)
    window = app.window
    f.meetings.start(fs, meeting)
    f.meetings.move_to(fs, keywords)
    qtbot.waitUntil(lambda: isinstance(window.current, PromptScreen) and window.current.added is not None,
                    timeout=2500)
    assert "0 of 5 have added" in _texts(window)  # the demo's five participants

    alex_services.contributions.add(members["Alex"], prompt, "alex thinks alone")  # Alex's login
    assert "alex thinks alone" not in {c.text for c in sam_services.contributions.list_for_prompt(
        prompt, members["Sam"])}  # Sam's login cannot read it, yet counts it
    qtbot.waitUntil(lambda: "1 of 5 has added" in _texts(window), timeout=2500)
    assert "1 of 5 has added" in [text for text, *_ in app.speaker.said]  # said as it changed
    assert f.meetings.keywords_added(fs, keywords) == (1, 1)  # the facilitator's count agrees
    alex_services.contributions.add(members["Alex"], prompt, "alex unnamed", anonymous=True)
    counted = "SELECT added, participants, anonymous FROM canvas_step_added(%s)"
    with psycopg.connect(shared.psycopg("Sam"), autocommit=True) as conn:  # numbers, and only those
        assert conn.execute(counted, (keywords,)).fetchall() == [(1, 5, 1)]  # 1 keyword without a name
    with psycopg.connect(shared.psycopg("other"), autocommit=True) as conn:  # another project's login
        assert conn.execute(counted, (keywords,)).fetchall() == []

    choose_key(app, "✚ Add keyword")  # Sam adds theirs by switch
    for ch in "mine":
        choose_key(app, ch)
    choose_key(app, "done")
    qtbot.waitUntil(lambda: isinstance(window.current, PromptScreen)
                    and "2 of 5 have added" in _texts(window), timeout=2500)
    f.meetings.reveal(fs, keywords)  # revealed: the count gives way to everyone's keywords
    qtbot.waitUntil(lambda: "alex thinks alone" in _texts(window) or any(
        "alex thinks alone" in t.accessibleName() for t in window.tiles()), timeout=2500)
    assert window.current.added is None
    f.meetings.end(fs, meeting)
    window.close()
    QApplication.processEvents()
