"""A live meeting on one computer, the members by one switch only: the facilitator starts it and
hides keywords, each of three members adds one, reveal, each spends three dots, the results are
revealed, one asks for a break and the facilitator's meeting screen shows it and answers it; then
the stored attendance, votes and asks, and the exports (votes.csv, asks.csv, attendance.csv, the
report's meeting section), are checked."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from app.ui.screens.facilitator.meeting import MeetingScreen
from app.ui.screens.home import HomeScreen
from app.ui.screens.prompt import PromptScreen
from app.ui.screens.write import WriteScreen
from tests.meeting_setup import plan_meeting
from tests.ui.conftest import choose_key
from tests.ui.meeting_record import check_meeting_record

PROFILE = {"scan_mode": "auto", "step_time": 0.5, "first_item_extra": 0.0}


def _type(app, text):
    for ch in text:
        choose_key(app, "space" if ch == " " else ch)


def _turn(app, name):
    """The next member takes the computer: Back to home, Change member, their name."""
    if app.window.state.member is not None:
        while not isinstance(app.window.current, HomeScreen):
            choose_key(app, "Back")
        choose_key(app, "Change member")
    choose_key(app, name)


def _tile(app, starts):
    names = [t.accessibleName() for t in app.window.tiles()]
    return next(n for n in names if n.lower().startswith(starts))


def _texts(screen):
    """Every paragraph the screen shows."""
    return " ".join(label.text() for label in screen.findChildren(QLabel))


def test_a_switch_only_meeting_with_three_members_on_one_computer(make_app, tmp_path):
    app = make_app(last_member="Alex", **PROFILE)
    people = app.members()
    for name in ("Sam", "Jordan"):
        app.services.projects.save_profile(people[name], PROFILE)
    s = app.services
    planned = plan_meeting(s, app.project_id, "Meeting two",
                           ("keywords", "Keywords for NOW", {"think_first": True}),
                           ("vote", "Vote", {"dots": 3}), on=0)
    fs, meeting, (keywords, vote), prompt = planned.session, planned.meeting, planned.steps, planned.prompt

    for before, name in enumerate(("Alex", "Sam", "Jordan")):
        _turn(app, name)  # the member's turn starts on the group's step
        screen = app.window.current
        assert isinstance(screen, PromptScreen) and screen.prompt.id == prompt.id
        shown = {c.author for c in s.contributions.list_for_prompt(prompt.id, people[name])}
        assert shown <= {name}  # thinking first: only their own
        count = f"{before} of 5 {'has' if before == 1 else 'have'} added"  # the demo's 5 participants
        assert count in _texts(screen)
        assert f"{prompt.text}. Think first: {count}" in [text for text, *_ in app.speaker.said]
        choose_key(app, "✚ Add keyword")
        assert isinstance(app.window.current, WriteScreen)
        _type(app, f"idea {name.lower()}"[:7])
        choose_key(app, "done")
        back = app.window.current  # back on the question, their own keyword counted
        assert isinstance(back, PromptScreen) and f"{before + 1} of 5" in _texts(back)
        s.meetings.set_attendance(fs, meeting, people[name])
    assert s.meetings.keywords_added(fs, keywords) == (3, 3)
    s.meetings.move_to(fs, vote)  # reveals the keywords too

    for name in ("Alex", "Sam", "Jordan"):
        _turn(app, name)
        screen = app.window.current
        assert isinstance(screen, PromptScreen) and screen.dots is not None and screen.dots.left == 3
        for _ in range(3):
            choose_key(app, _tile(app, "idea a"))  # two activations a dot
        assert app.window.current.dots.left == 0
        assert app.window.status.text().endswith("0 dots left.")
    choose_key(app, "I need a break")  # Jordan asks: two activations
    assert "Waiting: Jordan: I need a break" in " ".join(
        w.text() for w in app.window.current.findChildren(type(app.window.status)))

    s.meetings.reveal(fs, vote)
    app.window.facilitator_unlocked(fs)
    app.window.show_meeting()
    screen = app.window.current
    assert isinstance(screen, MeetingScreen)
    assert "Jordan: I need a break" in screen.spoken_title()
    app.window.tiles()[[t.accessibleName() for t in app.window.tiles()].index(
        "Jordan: I need a break. Choose when answered")].click()
    assert s.meetings.waiting_asks(fs, meeting) == ()
    [top] = s.live.results(people["Sam"], vote)
    assert top.dots == 9 and top.text.lower().startswith("idea a")
    s.meetings.end(fs, meeting)
    check_meeting_record(s, fs, app.store, meeting, "Meeting two", ("Alex", "Sam", "Jordan"), top.text,
                         "Jordan", tmp_path)


def test_a_vote_screen_rebuilt_after_the_meeting_ended_shows_the_keywords(make_app):
    """The facilitator ends the meeting while a member's window still holds it as running (its
    poll has not looked yet): a rebuild of the vote screen shows the keywords, no dots, and no
    error escapes."""
    app = make_app(last_member="Alex", **PROFILE)
    s = app.services
    planned = plan_meeting(s, app.project_id, "Short meeting", ("vote", "Vote"), on=0)
    fs, meeting = planned.session, planned.meeting
    _turn(app, "Alex")
    assert isinstance(app.window.current, PromptScreen) and app.window.current.dots is not None
    s.meetings.end(fs, meeting)
    app.window.refresh()  # as a poll's rebuild does, with the meeting last seen running
    screen = app.window.current
    assert isinstance(screen, PromptScreen) and screen.dots is None and screen.step is None
    assert len(screen.tiles) > 0
