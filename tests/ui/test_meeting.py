"""A live meeting on one computer, the members by one switch only: the facilitator starts it and
hides keywords, each of three members adds one, reveal, each spends three dots, the results are
revealed, one asks for a break and the facilitator's meeting screen shows it and answers it; then
the stored attendance, votes and asks, and the exports (votes.csv, asks.csv, attendance.csv, the
report's meeting section), are checked."""

from __future__ import annotations

import csv
from datetime import date

from PySide6.QtWidgets import QLabel
from sqlalchemy import func, select

from app.store.models import Ask, Attendance, Vote
from app.ui.screens.facilitator.meeting import MeetingScreen
from app.ui.screens.home import HomeScreen
from app.ui.screens.prompt import PromptScreen
from app.ui.screens.write import WriteScreen
from tests.ui.conftest import choose_key

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


def _rows(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_switch_only_meeting_with_three_members_on_one_computer(make_app, tmp_path):
    app = make_app(last_member="Alex", **PROFILE)
    people = app.members()
    people_by_id = {mid: name for name, mid in people.items()}
    for name in ("Sam", "Jordan"):
        app.services.projects.save_profile(people[name], PROFILE)
    s = app.services
    result = s.facilitator.set_passphrase(app.project_id, "a long enough passphrase")
    fs = result.session
    prompt = next(p for p in s.projects.list_prompts(app.project_id) if p.pair_role == "now")
    meeting = s.meetings.plan(fs, date.today(), "Meeting two").record_id
    keywords = s.meetings.add_step(fs, meeting, "keywords", "Keywords for NOW", prompt.id,
                                   think_first=True).record_id
    vote = s.meetings.add_step(fs, meeting, "vote", "Vote", prompt.id, dots=3).record_id
    s.meetings.start(fs, meeting)
    s.meetings.move_to(fs, keywords)

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
    with app.store.read() as db:
        assert db.scalar(select(func.count()).select_from(Vote)) == 9
        assert db.scalar(select(func.count()).select_from(Ask).where(Ask.answered_at.is_not(None))) == 1
        assert db.scalar(select(func.count()).select_from(Attendance)) == 3
        stored = {(people_by_id[a.member_id], a.minutes) for a in db.scalars(select(Attendance))}
        dots = sorted(people_by_id[v.member_id] for v in db.scalars(select(Vote)))
        [ask] = db.scalars(select(Ask))
        assert (people_by_id[ask.member_id], ask.kind) == ("Jordan", "break")
    assert stored == {("Alex", None), ("Sam", None), ("Jordan", None)}
    assert dots == ["Alex"] * 3 + ["Jordan"] * 3 + ["Sam"] * 3
    s.meetings.end(fs, meeting)

    # the exports, as the facilitator's export screen writes them
    s.exports.csv(fs, tmp_path / "csv")
    votes = _rows(tmp_path / "csv" / "votes.csv")
    assert [(r["member"], r["dots"], r["revealed"], r["step"]) for r in votes] == [
        (name, "3", "1", "Vote") for name in ("Alex", "Sam", "Jordan")]
    assert {r["keyword"] for r in votes} == {top.text}
    asks = _rows(tmp_path / "csv" / "asks.csv")
    assert [(r["member"], r["ask"], r["answered"]) for r in asks] == [("Jordan", "I need a break", "1")]
    attendance = _rows(tmp_path / "csv" / "attendance.csv")
    assert [(r["meeting"], r["member"], r["attended"]) for r in attendance] == [
        ("Meeting two", name, "1") for name in ("Alex", "Sam", "Jordan")]
    s.exports.markdown(fs, tmp_path / "report.md")
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    section = report[report.index("### Meeting: Meeting two"):]
    assert "Alex, Sam and Jordan (3 in all)." in section
    assert f"| {top.text} | 9 |" in section and "| Jordan | I need a break |" in section
