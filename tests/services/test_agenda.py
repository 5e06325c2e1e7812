"""A meeting's custom agenda (rename, a vote's dots, move, remove) and each member's time at it
(minutes, preparation kept in the involvement record); the refusals write nothing (SQLite, and
PostgreSQL when CANVAS_TEST_PG_URL is set)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.services.container import Services
from app.services.errors import DomainError
from app.services.meeting.agenda import parse_dots
from app.store.models import Event, InvolvementEntry, Meeting
from tests.services.conftest import Project

from .test_export import read_csv

START = datetime(2026, 12, 2, 10, tzinfo=timezone.utc)


def _planned(services: Services, fs, demo: Project) -> tuple[str, dict[str, str]]:
    m = services.meetings.plan(fs, date(2026, 12, 2), "Third meeting", START,
                               START + timedelta(hours=1)).record_id
    add = services.meetings.add_step
    steps = {"talk": add(fs, m, "talk", "Introductions").record_id,
             "keywords": add(fs, m, "keywords", "Keywords for NOW", demo.now, think_first=True).record_id,
             "break": add(fs, m, "break", "Break").record_id,
             "vote": add(fs, m, "vote", "Vote", demo.now).record_id,
             "draft": add(fs, m, "draft", "Draft", demo.now).record_id}
    return m, steps


def _agenda(services: Services, fs, meeting: str) -> list[tuple[int, str]]:
    return [(st.position, st.title) for st in services.meetings.meeting(fs, meeting).steps]


def _actions(services: Services) -> list[str]:
    with services.projects.store.read() as s:
        return list(s.scalars(select(Event.action).where(Event.action.like("step_%"))
                              .order_by(Event.created_at, Event.id)))


def test_a_custom_agenda_is_what_the_group_follows(services: Services, fs, demo: Project):
    meeting, step = _planned(services, fs, demo)
    sv = services.meetings
    assert sv.rename_step(fs, step["vote"], "  Which words matter most  ").message == (
        "Step renamed: Vote is now Which words matter most.")
    assert sv.set_vote(fs, step["vote"], 5, several_on_one=False).message == (
        "Which words matter most: 5 dots each, one per keyword.")
    assert sv.move_step(fs, step["vote"], -1).message == "Which words matter most is now step 3 of 5."
    assert sv.remove_step(fs, step["break"]).message == "Step removed: Break."
    assert _agenda(services, fs, meeting) == [(1, "Introductions"), (2, "Keywords for NOW"),
                                              (3, "Which words matter most"), (4, "Draft")]
    sv.move_step(fs, step["draft"], -1)
    sv.move_step(fs, step["draft"], 1)
    assert _agenda(services, fs, meeting)[2:] == [(3, "Which words matter most"), (4, "Draft")]
    assert _actions(services)[-6:] == ["step_renamed", "step_vote_set", "step_moved", "step_removed",
                                       "step_moved", "step_moved"]

    sv.start(fs, meeting)
    sv.move_to(fs, step["vote"])
    alex = demo.member("Alex")
    live = services.live.running(demo.id)
    assert live.current.title == "Which words matter most" and live.current.dots == 5
    assert services.live.dots(alex, step["vote"]).left == 5
    keyword = services.contributions.list_for_prompt(demo.now, alex)[0].id
    services.live.vote(alex, step["vote"], keyword)
    with pytest.raises(DomainError, match="one dot per keyword"):
        services.live.vote(alex, step["vote"], keyword)
    # a step not yet reached can still be renamed, moved and removed while the meeting runs
    sv.rename_step(fs, step["vote"], "Our vote")  # the current one too: only its name changes
    sv.add_step(fs, meeting, "break", "Tea")
    assert sv.remove_step(fs, step["draft"]).message == "Step removed: Draft."
    assert [t for _p, t in _agenda(services, fs, meeting)] == [
        "Introductions", "Keywords for NOW", "Our vote", "Tea"]


def test_agenda_refusals_write_nothing(services: Services, fs, demo: Project, counts):
    meeting, step = _planned(services, fs, demo)
    sv = services.meetings
    sv.start(fs, meeting)  # the group is on Introductions
    sv.move_to(fs, step["keywords"])  # ... and now on the keywords: Introductions is past
    before = counts()
    refusals = [
        (lambda: sv.rename_step(fs, step["vote"], "   "), "title is empty"),
        (lambda: sv.set_vote(fs, step["vote"], 0, True), "between 1 and 20 dots"),
        (lambda: sv.set_vote(fs, step["vote"], 500, True), "between 1 and 20 dots"),
        (lambda: sv.set_vote(fs, step["vote"], True, True), "between 1 and 20 dots"),
        (lambda: sv.set_vote(fs, step["break"], 3, True), "Break is not a vote"),
        (lambda: sv.remove_step(fs, step["keywords"]), "reached Keywords for NOW: it stays"),
        (lambda: sv.remove_step(fs, step["talk"]), "reached Introductions: it stays"),
        (lambda: sv.move_step(fs, step["keywords"], 1), "reached Keywords for NOW: it keeps its place"),
        (lambda: sv.move_step(fs, step["break"], -1), "reached Keywords for NOW: it keeps its place"),
        (lambda: sv.move_step(fs, step["talk"], -1), "Introductions is already first"),
        (lambda: sv.move_step(fs, step["draft"], 1), "Draft is already last"),
        (lambda: sv.move_step(fs, step["draft"], 2), "one place up or down"),
        (lambda: sv.add_step(fs, meeting, "vote", "Vote", demo.now, dots=21), "between 1 and 20 dots"),
        (lambda: parse_dots("five"), "whole number from 1 to 20"),
        (lambda: parse_dots("-3"), "whole number from 1 to 20"),
        (lambda: parse_dots("0"), "between 1 and 20 dots"),
    ]
    for refused, reason in refusals:
        with pytest.raises(DomainError, match=reason):
            refused()
    assert counts() == before
    assert parse_dots(" 5 ") == 5
    sv.move_to(fs, step["vote"])
    with pytest.raises(DomainError, match="reached Vote: its dots stay"):
        sv.set_vote(fs, step["vote"], 4, True)
    sv.end(fs, meeting)
    before = counts()
    for refused in (lambda: sv.rename_step(fs, step["draft"], "Later"),
                    lambda: sv.remove_step(fs, step["draft"]),
                    lambda: sv.move_step(fs, step["draft"], -1),
                    lambda: sv.add_step(fs, meeting, "break")):
        with pytest.raises(DomainError, match="Third meeting has ended: its agenda stays as it was"):
            refused()
    assert counts() == before


def test_minutes_and_preparation_are_the_involvement_record(services: Services, fs, demo: Project,
                                                            counts, tmp_path):
    meeting, _step = _planned(services, fs, demo)
    alex, sam = demo.member("Alex"), demo.member("Sam")
    inv = services.involvement
    services.meetings.set_attendance(fs, meeting, alex, minutes=50)
    services.meetings.set_attendance(fs, meeting, sam)
    assert inv.set_preparation(fs, alex, meeting, 90).message == (
        "Alex: 1 h 30 min preparing for Third meeting.")
    inv.add(fs, alex, expenses_pence=1250, meeting_id=meeting)  # a second entry for the meeting
    inv.set_preparation(fs, alex, meeting, 45)
    inv.set_preparation(fs, sam, meeting, 20)
    assert inv.meeting_preparation(fs, meeting) == {alex: 45, sam: 20}
    with services.projects.store.read() as s:
        rows = sorted((e.preparation_minutes, e.expenses_pence) for e in s.scalars(
            select(InvolvementEntry).where(InvolvementEntry.member_id == alex)))
    assert rows == [(0, 1250), (45, 0)]  # one place: the entries the involvement screens show
    inv.set_preparation(fs, sam, meeting, 0)  # Sam's entry had nothing else: it goes
    assert inv.meeting_preparation(fs, meeting) == {alex: 45}
    assert inv.record(fs, alex).preparation_minutes == 45
    assert inv.record(fs, alex).meeting_minutes == 50

    before = counts()
    with pytest.raises(DomainError, match="cannot be negative"):
        inv.set_preparation(fs, alex, meeting, -5)
    with pytest.raises(DomainError, match="at most"):
        inv.set_preparation(fs, alex, meeting, 24 * 60 * 8)
    with pytest.raises(DomainError, match="cannot be negative"):
        services.meetings.set_attendance(fs, meeting, alex, minutes=-1)
    with pytest.raises(DomainError, match="at most"):
        services.meetings.set_attendance(fs, meeting, alex, minutes=10**9)
    assert counts() == before

    services.meetings.start(fs, meeting)
    services.meetings.end(fs, meeting)
    with services.projects.store.transaction() as s:  # it ran for exactly an hour
        row = s.get(Meeting, meeting)
        row.started_at, row.ended_at = START, START + timedelta(minutes=60)
    services.exports.csv(fs, tmp_path / "csv")
    attendance = [(r["member"], r["minutes"], r["minutes_recorded"], r["preparation_minutes"])
                  for r in read_csv(tmp_path / "csv" / "attendance.csv")
                  if r["meeting"] == "Third meeting"]
    assert attendance == [("Alex", "50", "1", "45"), ("Sam", "60", "0", "0")]
