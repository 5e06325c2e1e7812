"""The meetings in the exports: votes.csv, asks.csv, attendance.csv and the report's meeting
sections; the summary's revealed vote results; minutes read from real attendance rows
(SQLite, and PostgreSQL when CANVAS_TEST_PG_URL is set)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from docx import Document

from app.services.container import Services
from app.services.export.csv import COLUMNS
from app.services.meeting.length import meeting_minutes, minutes_between
from app.services.review.review_dto import FacilitatorSession
from app.store.models import Contribution, Meeting

from .conftest import Project
from .test_export import header, read_csv

MEETING_TABLES = ("votes", "asks", "attendance")


@pytest.fixture
def held(services: Services, demo: Project, fs: FacilitatorSession) -> dict[str, str]:
    """A meeting run through the services: think-first keywords, a revealed vote (Alex's word 6
    dots, Sam's 3), a second vote never revealed, two asks (one answered), attendance with and
    without minutes, preparation time; then Jordan withdraws (anonymised)."""
    sv = services
    m = {n: demo.member(n) for n in ("Alex", "Sam", "Jordan")}
    start = datetime(2026, 12, 2, 10, tzinfo=timezone.utc)
    meeting = sv.meetings.plan(fs, date(2026, 12, 2), "Second meeting", start,
                               start + timedelta(hours=1)).record_id
    sv.meetings.add_step(fs, meeting, "talk", "Introductions")
    keywords = sv.meetings.add_step(fs, meeting, "keywords", "Keywords for NOW", demo.now,
                                    think_first=True).record_id
    vote = sv.meetings.add_step(fs, meeting, "vote", "Vote", demo.now).record_id
    later = sv.meetings.add_step(fs, meeting, "vote", "Second vote", demo.now).record_id
    sv.meetings.start(fs, meeting)
    sv.meetings.move_to(fs, keywords)
    words = {n: sv.contributions.add(who, demo.now, f"word of {n}").record_id for n, who in m.items()}
    sv.meetings.move_to(fs, vote)
    for who in m.values():
        for target in ("Alex", "Sam", "Alex"):
            sv.live.vote(who, vote, words[target])
    sv.meetings.reveal(fs, vote)
    sv.meetings.move_to(fs, later)
    sv.live.vote(m["Alex"], later, words["Jordan"])
    answered = sv.live.ask(m["Sam"], "break").record_id
    sv.live.ask(m["Alex"], "again")
    sv.meetings.answer(fs, answered)
    sv.meetings.set_attendance(fs, meeting, m["Alex"])
    sv.meetings.set_attendance(fs, meeting, m["Sam"], minutes=45)
    sv.meetings.set_attendance(fs, meeting, m["Jordan"], minutes=50)
    sv.meetings.end(fs, meeting)
    sv.involvement.add(fs, m["Alex"], preparation_minutes=30, meeting_id=meeting)
    with sv.projects.store.transaction() as s:  # it ran for exactly an hour
        row = s.get(Meeting, meeting)
        row.started_at, row.ended_at = start, start + timedelta(minutes=60)
    sv.participants.withdraw(fs, m["Jordan"], "anonymise")
    return {"meeting": meeting, "vote": vote, "later": later, **words}


def _csv(services: Services, fs: FacilitatorSession, folder: Path) -> dict[str, list[dict[str, str]]]:
    services.exports.csv(fs, folder)
    return {name: read_csv(folder / f"{name}.csv") for name in MEETING_TABLES}


def test_votes_csv_has_every_dot_and_says_whether_it_was_revealed(services, demo, fs, held, tmp_path):
    votes = _csv(services, fs, tmp_path / "csv")["votes"]
    got = [(r["step"], r["member"], r["keyword"], r["dots"], r["revealed"]) for r in votes]
    # Jordan's dots went with the withdrawal; Alex's and Sam's stay, in the members' order
    assert got == [("Vote", "Alex", "word of Alex", "2", "1"), ("Vote", "Alex", "word of Sam", "1", "1"),
                   ("Vote", "Sam", "word of Alex", "2", "1"), ("Vote", "Sam", "word of Sam", "1", "1"),
                   ("Second vote", "Alex", "word of [name removed]", "1", "0")]  # name scrubbed
    first = votes[0]
    assert (first["meeting"], first["meeting_date"], first["member_id"]) == (
        "Second meeting", "2026-12-02", demo.member("Alex"))
    assert first["revealed_at"].endswith("Z") and votes[-1]["revealed_at"] == ""
    assert first["first_dot_at"] <= first["last_dot_at"] and first["keyword_may_quote"] == "1"
    assert first["prompt"] == "What does social care mean to us now?"


def test_asks_csv_says_who_asked_what_and_when_it_was_answered(services, demo, fs, held, tmp_path):
    asks = _csv(services, fs, tmp_path / "csv")["asks"]
    got = [(r["member"], r["kind"], r["ask"], r["answered"], r["answered_by"]) for r in asks]
    assert got == [("Sam", "break", "I need a break", "1", "Ruth (facilitator)"),
                   ("Alex", "again", "Please say that again", "0", "")]
    assert asks[0]["asked_at"] <= asks[0]["answered_at"] and asks[1]["answered_at"] == ""


def test_attendance_csv_counts_minutes_as_the_involvement_record_does(services, demo, fs, held, tmp_path):
    rows = _csv(services, fs, tmp_path / "csv")["attendance"]
    got = [(r["member"], r["member_id"], r["withdrawn"], r["minutes"], r["minutes_recorded"],
            r["preparation_minutes"]) for r in rows]
    jordan = got[2]
    assert got[:2] == [("Alex", demo.member("Alex"), "0", "60", "0", "30"),
                       ("Sam", demo.member("Sam"), "0", "45", "1", "0")]
    # a withdrawn member's attendance stays under the placeholder, as the payment record keeps it
    assert jordan[0].startswith("Withdrawn participant") and jordan[1:] == ("", "1", "50", "1", "0")
    everything = (tmp_path / "csv" / "attendance.csv").read_text(encoding="utf-8-sig")
    assert "Jordan" not in everything and "expenses" not in everything


def test_an_export_with_no_meeting_writes_headers_only(services, store, demo, fs, tmp_path):
    with store.transaction() as s:
        s.delete(s.get(Meeting, demo.meeting))
    tables = _csv(services, fs, tmp_path / "csv")
    assert tables == {name: [] for name in MEETING_TABLES}
    for name in MEETING_TABLES:
        assert header(tmp_path / "csv" / f"{name}.csv") == COLUMNS[name]


def test_the_report_has_a_section_per_meeting(services, demo, fs, held, tmp_path):
    services.exports.markdown(fs, tmp_path / "r.md")
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    section = text[text.index("## Meetings"):]
    assert section.index("### Meeting: First meeting") < section.index("### Meeting: Second meeting")
    assert "Date: 2026-12-02 · ran 10:00–11:00 UTC · planned 10:00–11:00 UTC" in section
    assert "1. Introductions (talk)\n2. Keywords for NOW (keywords)\n3. Vote (vote)" in section
    assert "Alex, Sam and 1 person not named (3 in all)." in section
    assert "| word of Alex | 4 |\n| word of Sam | 2 |" in section  # most dots first
    assert "#### Vote: Second vote" in section and "were not revealed to the group" in section
    assert "word of [name removed]" not in section  # the unrevealed vote shows nothing
    assert "| Sam | I need a break |" in section and "| yes, at " in section
    assert "| Alex | Please say that again |" in section and section.rstrip().endswith("| no |")
    services.exports.docx(fs, tmp_path / "r.docx")
    doc = Document(str(tmp_path / "r.docx"))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "Meetings" in headings and "Meeting: Second meeting (2026-12-02)" in headings
    assert "Vote: Vote (What does social care mean to us now?)" in headings
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    assert [["Keyword", "Dots"], ["word of Alex", "4"], ["word of Sam", "2"]] in tables
    asks = next(t for t in tables if t[0] == ["Who", "Asked", "At", "Answered"])
    assert [r[0] for r in asks[1:]] == ["Sam", "Alex"] and asks[2][3] == "no"


def test_the_summary_says_what_the_group_decided_by_vote(services, demo, fs, held):
    summary = services.summaries.for_member(demo.member("Sam"), held["meeting"])
    decided = next(p.sentences for p in summary.parts if p.heading == "What the group decided")
    assert decided[:3] == ("The group voted on the words for NOW.", "“word of Alex” got 4 dots.",
                           "“word of Sam” got 2 dots.")
    assert not [s for s in summary.sentences if "name removed" in s]  # never revealed


def test_minutes_come_from_the_real_attendance_rows(services, demo, fs, held):
    record = {r.display_name: r for r in services.involvement.records(fs)}
    line = next(x for x in record["Alex"].lines if x.meeting_id == held["meeting"])
    assert (line.meeting_minutes, line.preparation_minutes) == (60, 30)  # no minutes: the meeting's hour
    line = next(x for x in record["Sam"].lines if x.meeting_id == held["meeting"])
    assert line.meeting_minutes == 45  # as typed
    assert record["Sam"].meetings == 1 and "Jordan" not in record


def test_a_keyword_hidden_or_withdrawn_after_the_vote(services, store, demo, fs, tmp_path):
    """The group's results (members' and the facilitator's screens, the summary, the report)
    leave out a keyword the facilitator hid after the vote, and one withdrawn; the facilitator's
    votes.csv keeps the hidden keyword's dots, marked hidden, and never a withdrawn keyword's
    (as contributions.csv never lists one)."""
    sv = services
    m = {n: demo.member(n) for n in ("Alex", "Sam", "Jordan")}
    meeting = sv.meetings.plan(fs, date(2026, 12, 3), "Third meeting").record_id
    vote = sv.meetings.add_step(fs, meeting, "vote", "Vote", demo.now).record_id
    sv.meetings.start(fs, meeting)
    words = {n: sv.contributions.add(who, demo.now, f"word of {n}").record_id for n, who in m.items()}
    for who, targets in (("Alex", "AAS"), ("Sam", "ASJ"), ("Jordan", "JJA")):
        for target in targets:
            sv.live.vote(m[who], vote, words[{"A": "Alex", "S": "Sam", "J": "Jordan"}[target]])
    sv.meetings.reveal(fs, vote)
    assert [(r.text, r.dots) for r in sv.live.results(m["Sam"], vote)] == [
        ("word of Alex", 4), ("word of Jordan", 3), ("word of Sam", 2)]
    sv.review.hide(fs, words["Sam"], "names a care worker")  # after the vote
    with store.transaction() as s:  # withdrawn, as a bundle from another computer can bring it
        s.get(Contribution, words["Jordan"]).withdrawn = True
    assert [(r.text, r.dots) for r in sv.live.results(m["Sam"], vote)] == [("word of Alex", 4)]
    summary = sv.summaries.for_member(m["Sam"], meeting)
    decided = next(p.sentences for p in summary.parts if p.heading == "What the group decided")
    assert decided[:2] == ("The group voted on the words for NOW.", "“word of Alex” got 4 dots.")
    assert not [x for x in summary.sentences if "word of Sam" in x or "word of Jordan" in x]
    sv.exports.markdown(fs, tmp_path / "r.md")
    report = (tmp_path / "r.md").read_text(encoding="utf-8")
    section = report[report.index("### Meeting: Third meeting"):]
    assert "| word of Alex | 4 |" in section and "3 members put 4 dots." in section
    assert "word of Sam" not in section and "word of Jordan" not in section
    votes = [r for r in _csv(services, fs, tmp_path / "csv")["votes"] if r["step_id"] == vote]
    got = {(r["member"], r["keyword"], r["dots"], r["keyword_hidden"]) for r in votes}
    assert got == {("Alex", "word of Alex", "2", "0"), ("Alex", "word of Sam", "1", "1"),
                   ("Sam", "word of Alex", "1", "0"), ("Sam", "word of Sam", "1", "1"),
                   ("Jordan", "word of Alex", "1", "0")}  # Jordan's word (withdrawn): no row


def test_a_meetings_length_is_the_same_minutes_everywhere(services, store, demo, fs, tmp_path):
    """89 min 36 s (89.6 minutes), attendance without minutes: 90 on the facilitator's
    attendance, in attendance.csv, the involvement record and involvement.csv, and the payment
    record kept when the member withdraws (meeting/length.py, the one place it is rounded)."""
    sv = services
    alex, sam = demo.member("Alex"), demo.member("Sam")
    meeting = sv.meetings.plan(fs, date(2026, 12, 3), "Long meeting").record_id
    sv.meetings.start(fs, meeting)
    sv.meetings.set_attendance(fs, meeting, alex)
    sv.meetings.set_attendance(fs, meeting, sam)
    sv.meetings.end(fs, meeting)
    start = datetime(2026, 12, 3, 10, tzinfo=timezone.utc)
    with store.transaction() as s:
        row = s.get(Meeting, meeting)
        row.started_at, row.ended_at = start, start + timedelta(minutes=89, seconds=36)
    assert [a.minutes for a in sv.meetings.attendance(fs, meeting)] == [90, 90]
    rows = [r for r in _csv(sv, fs, tmp_path / "csv")["attendance"] if r["meeting_id"] == meeting]
    assert [(r["minutes"], r["minutes_recorded"]) for r in rows] == [("90", "0"), ("90", "0")]
    line = next(x for x in {r.display_name: r for r in sv.involvement.records(fs)}["Sam"].lines
                if x.meeting_id == meeting)
    assert line.meeting_minutes == 90
    sv.exports.involvement_csv(fs, tmp_path / "inv")
    paid = [r for r in read_csv(tmp_path / "inv" / "involvement.csv") if r["meeting_id"] == meeting]
    assert {r["meeting_minutes"] for r in paid} == {"90"} and len(paid) == 2
    sv.participants.withdraw(fs, sam, "delete")
    [kept] = sv.involvement.kept_payments(fs)
    assert kept.meeting_minutes == 90


def test_a_running_meeting_counts_its_length_so_far(services, store, demo, fs):
    meeting = services.meetings.plan(fs, date(2026, 12, 3), "Running meeting").record_id
    services.meetings.start(fs, meeting)
    services.meetings.set_attendance(fs, meeting, demo.member("Alex"))
    with store.transaction() as s:
        row = s.get(Meeting, meeting)
        row.started_at = datetime.now(timezone.utc) - timedelta(minutes=44, seconds=40)
        started = row.started_at
    assert [a.minutes for a in services.meetings.attendance(fs, meeting)] == [45]
    line = next(x for x in {r.display_name: r for r in services.involvement.records(fs)}["Alex"].lines
                if x.meeting_id == meeting)
    assert line.meeting_minutes == 45  # the same so far in the involvement record
    with store.read() as s:
        row = s.get(Meeting, meeting)
        assert meeting_minutes(row, now=started + timedelta(minutes=10, seconds=29)) == 10


@pytest.mark.parametrize(("seconds", "minutes"), [(89 * 60 + 29, 89), (89 * 60 + 30, 90), (88 * 60 + 30, 89),
                                                   (89 * 60 + 36, 90), (0, 0)])
def test_minutes_are_rounded_to_the_nearest_a_half_up(seconds, minutes):
    start = datetime(2026, 12, 3, 10, tzinfo=timezone.utc)
    assert minutes_between(start, start + timedelta(seconds=seconds)) == minutes
    assert minutes_between(start, start - timedelta(seconds=1)) is None
