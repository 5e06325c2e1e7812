"""The facilitator's meeting screen by one switch only (auto-scan, every press a key event through
the window's event filter): into facilitator mode, open the meeting, start it, see a member's ask
arrive, move the group to the vote, reveal the results and answer the ask."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from app.services.group.demo import FACILITATOR
from app.ui.screens.facilitator.home import FacilitatorHome
from app.ui.screens.facilitator.meeting import MeetingScreen
from tests.meeting_setup import plan_meeting
from tests.ui.conftest import choose, choose_key

PROFILE = {"scan_mode": "auto", "step_time": 0.5, "first_item_extra": 0.0}
PASSPHRASE = "our-group-2026"  # Space is the switch here: no space in it
ASK = "Jordan: I need a break. Choose when answered"


def _texts(app) -> str:
    return " ".join(label.text() for label in app.window.current.findChildren(QLabel))


def _names(app) -> list[str]:
    return [t.accessibleName() for t in app.window.tiles()]


def test_the_facilitator_runs_the_meeting_by_one_switch(make_app):
    app = make_app(last_member="Alex", **PROFILE)
    s, people = app.services, app.members()
    s.projects.save_profile(people[FACILITATOR], PROFILE)  # the facilitator scans too, by one switch
    planned = plan_meeting(s, app.project_id, "Meeting by switch", ("talk", "Introductions"),
                           ("vote", "Vote", {"dots": 3}), start=False, passphrase=PASSPHRASE)
    fs, meeting, (_talk, vote), prompt = planned.session, planned.meeting, planned.steps, planned.prompt
    keyword = s.contributions.list_for_prompt(prompt.id, people["Alex"])[0]

    choose(app, "Actions")
    choose(app, "Facilitator")
    app.qtbot.keyClicks(app.focus(), PASSPHRASE)  # the passphrase is typed
    choose_key(app, "done")
    assert isinstance(app.window.current, FacilitatorHome) and app.window.scan.active
    choose_key(app, "The meeting: run it, asks, votes")
    assert isinstance(app.window.current, MeetingScreen)
    choose_key(app, "Start the meeting")
    assert "The group is on: Introductions" in _texts(app)

    s.live.ask(people["Jordan"], "break")  # from Jordan's own window
    app.qtbot.waitUntil(lambda: ASK in _names(app), timeout=2500)  # the screen's poll shows it
    assert "Asks waiting: 1, oldest first." in _texts(app)
    choose_key(app, "Move the group to Vote")
    assert app.window.status.text() == "The group is now on: Vote"
    assert s.live.running(app.project_id).current.id == vote
    for who in ("Alex", "Sam"):
        s.live.vote(people[who], vote, keyword.id)
    assert keyword.text not in _texts(app)  # no results before the reveal
    choose_key(app, "Reveal the results")
    assert app.window.status.text() == "Results revealed."
    assert f"{keyword.text}  {'█' * 20}  2" in _texts(app)
    choose_key(app, ASK)
    assert app.window.status.text() == "Answered Jordan: “I need a break”. It has gone from every screen."
    assert s.meetings.waiting_asks(fs, meeting) == () and ASK not in _names(app)
    assert "No asks waiting." in _texts(app)


def test_the_facilitator_sees_how_many_have_added_as_the_members_do(make_app):
    # The same count as on the members' screens: participants only, of all the participants.
    app = make_app()
    s, people = app.services, app.members()
    planned = plan_meeting(s, app.project_id, "Thinking first",
                           ("keywords", "Keywords for NOW", {"think_first": True}), on=0,
                           passphrase=PASSPHRASE)
    fs, prompt = planned.session, planned.prompt
    s.contributions.add(people["Alex"], prompt.id, "being heard")
    s.contributions.add(people["Alex"], prompt.id, "choice")
    s.contributions.add(people["Sam"], prompt.id, "time")
    s.contributions.add(people[FACILITATOR], prompt.id, "an example")  # not a participant's
    app.window.facilitator_unlocked(fs)
    app.window.show_meeting()
    assert isinstance(app.window.current, MeetingScreen)
    assert "4 keywords so far; 2 of 5 have added. Hidden until you reveal them." in _texts(app)
