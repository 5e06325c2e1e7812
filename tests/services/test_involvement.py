"""The involvement record: entries, bad input refused with nothing written, the CSV and the statement."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest
from docx import Document

from app.services.container import Services
from app.services.errors import DomainError, FacilitatorLocked, NotFound
from app.services.review.involvement_dto import hours_text, money_text, parse_minutes, parse_pence
from app.services.review.review_dto import FacilitatorSession

from .conftest import Project


@pytest.mark.parametrize(("typed", "minutes"), [
    ("90", 90), ("1:30", 90), ("1 h 30 min", 90), ("1h30m", 90), ("1.5 h", 90), ("2 hours", 120),
    ("45 min", 45), (" 0 ", 0), (30, 30),
])
def test_minutes_are_read_as_typed(typed, minutes):
    assert parse_minutes(typed) == minutes


@pytest.mark.parametrize(("typed", "said"), [
    ("-5", "cannot be negative"), ("-1:30", "cannot be negative"), ("ninety", "must be minutes"),
    ("", "must be minutes"), ("1:75", "must be minutes"), (True, "must be a number"),
    ("99999", "at most"), (None, "must be a number"),
])
def test_bad_minutes_are_refused_with_the_reason(typed, said):
    with pytest.raises(DomainError) as refused:
        parse_minutes(typed)
    assert said in refused.value.message


@pytest.mark.parametrize(("typed", "pence"), [
    ("12.50", 1250), ("£12.50", 1250), ("12", 1200), ("12,5", 1250), ("£ 3.05", 305), ("0", 0),
])
def test_money_is_read_as_typed(typed, pence):
    assert parse_pence(typed) == pence


@pytest.mark.parametrize(("typed", "said"), [
    ("-3", "cannot be negative"), ("£-3.00", "cannot be negative"), ("12.505", "amount in pounds"),
    ("twelve", "amount in pounds"), ("20000", "at most"),
])
def test_bad_money_is_refused_with_the_reason(typed, said):
    with pytest.raises(DomainError) as refused:
        parse_pence(typed)
    assert said in refused.value.message


def test_words_for_time_and_money():
    assert (hours_text(0), hours_text(45), hours_text(60), hours_text(150)) == ("0 min", "45 min", "1 h",
                                                                                "2 h 30 min")
    assert (money_text(0), money_text(1250), money_text(123456)) == ("£0.00", "£12.50", "£1,234.56")


def test_entries_add_up_in_the_record(services: Services, demo: Project, fs: FacilitatorSession):
    alex = demo.member("Alex")
    sv = services.involvement
    sv.add(fs, alex, date(2026, 11, 5), preparation_minutes=30, expenses_pence=1250, note="taxi")
    sv.add(fs, alex, preparation_minutes=45, meeting_id=demo.meeting)
    sv.add(fs, alex, date(2026, 11, 20), note="PA's hours: 2")
    record = sv.record(fs, alex)
    assert record.preparation_minutes == 75 and record.expenses_pence == 1250
    assert record.notes == ("taxi", "PA's hours: 2")
    assert [line.day for line in record.lines] == sorted(line.day for line in record.lines)
    for_meeting = next(line for line in record.lines if line.meeting_id == demo.meeting)
    assert for_meeting.meeting == "First meeting" and for_meeting.preparation_minutes == 45
    assert "75 min preparing" not in record.summary and "1 h 15 min preparing" in record.summary
    # a period keeps only its days
    only = sv.record(fs, alex, since=date(2026, 11, 1), until=date(2026, 11, 10))
    assert [line.note for line in only.lines] == ["taxi"]
    # every participant has a record; the facilitator's own is not in the list
    names = [r.display_name for r in sv.records(fs)]
    assert "Alex" in names and "Facilitator" not in names
    others = next(r for r in sv.records(fs) if r.display_name == "Sam")
    assert others.lines == ()


def test_edit_and_remove_an_entry(services: Services, demo: Project, fs: FacilitatorSession):
    sv = services.involvement
    entry = sv.add(fs, demo.member("Sam"), date(2026, 11, 5), preparation_minutes=30).record_id
    sv.edit(fs, entry, expenses_pence=500, note="bus")
    line = sv.record(fs, demo.member("Sam")).lines[0]
    assert (line.preparation_minutes, line.expenses_pence, line.note) == (30, 500, "bus")
    with pytest.raises(DomainError, match="Nothing to change"):
        sv.edit(fs, entry, expenses_pence=500)
    sv.remove(fs, entry)
    assert sv.record(fs, demo.member("Sam")).lines == ()


@pytest.mark.parametrize("bad", [
    {"preparation_minutes": -1}, {"expenses_pence": -100}, {"preparation_minutes": 1.5},
    {"expenses_pence": "12.50"}, {"note": "x" * 1001}, {"note": "bad\x00"}, {},
    {"day": "2026-11-05", "note": "a"}, {"preparation_minutes": True},
])
def test_bad_input_is_refused_and_nothing_written(services, demo, fs, counts, bad):
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.involvement.add(fs, demo.member("Alex"), **bad)
    assert refused.value.message.endswith(".")
    assert counts() == before


def test_a_negative_edit_is_refused_and_nothing_changes(services, demo, fs):
    sv = services.involvement
    entry = sv.add(fs, demo.member("Alex"), date(2026, 11, 5), preparation_minutes=30).record_id
    with pytest.raises(DomainError, match="cannot be negative"):
        sv.edit(fs, entry, preparation_minutes=-30)
    assert sv.record(fs, demo.member("Alex")).lines[0].preparation_minutes == 30


def test_only_in_facilitator_mode_and_only_this_project(services, demo, other, fs):
    sv = services.involvement
    with pytest.raises(FacilitatorLocked):
        sv.records(None)
    with pytest.raises(FacilitatorLocked):
        sv.add(FacilitatorSession(demo.id, None, "forged"), demo.member("Alex"), preparation_minutes=5)
    with pytest.raises(NotFound):
        sv.add(fs, other.member("Alex"), preparation_minutes=5)
    with pytest.raises(NotFound):
        sv.add(fs, demo.member("Alex"), preparation_minutes=5, meeting_id=other.meeting)
    with pytest.raises(DomainError, match="first day is after"):
        sv.records(fs, since=date(2026, 12, 1), until=date(2026, 11, 1))


def test_every_change_is_in_the_audit_log_without_the_note(services, demo, fs):
    sv = services.involvement
    entry = sv.add(fs, demo.member("Alex"), date(2026, 11, 5), expenses_pence=900,
                   note="carer's costs").record_id
    sv.edit(fs, entry, note="carer's costs, 3 h")
    rows = services.facilitator.audit_log(fs, action=None)
    mine = [r for r in rows if r.action.startswith("involvement_")]
    assert {r.action for r in mine} == {"involvement_added", "involvement_edited"}
    assert not [r for r in mine if "carer" in str(r.detail)]


def test_involvement_csv_and_statement(services, demo, fs, tmp_path):
    sv = services.involvement
    alex = demo.member("Alex")
    services.participants.set_real_name(fs, alex, "Alex Real")
    sv.add(fs, alex, date(2026, 11, 5), preparation_minutes=90, expenses_pence=1250, note="=taxi")
    sv.add(fs, alex, date(2026, 11, 12), preparation_minutes=30)
    result = services.exports.involvement_csv(fs, tmp_path / "inv")
    path = result.paths[0]
    assert path.name == "involvement.csv" and (path.stat().st_mode & 0o777) == 0o600
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    got = [(r["member"], r["day"], r["preparation_minutes"], r["total_hours"], r["expenses"]) for r in rows]
    assert got == [
        ("Alex", "2026-11-05", "90", "1.50", "£12.50"), ("Alex", "2026-11-12", "30", "0.50", "£0.00")]
    assert rows[0]["note"] == "'=taxi"  # never run as a formula
    named = services.exports.involvement_csv(fs, tmp_path / "named", real_names=True).paths[0]
    assert "Alex Real" in named.read_text(encoding="utf-8-sig")

    doc_path = services.exports.statement(fs, alex, tmp_path / "alex.docx", since=date(2026, 11, 1),
                                          until=date(2026, 11, 30), real_names=True).paths[0]
    doc = Document(str(doc_path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Name: Alex Real" in text
    assert "Hours of involvement between 1 Nov 2026 and 30 Nov 2026" in text
    assert "2 h (2.00 hours) of involvement" in text and "Expenses: £12.50." in text
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert cells[0] == ["Day", "Meeting", "In the meeting", "Preparing", "Expenses", "Note"]
    assert cells[1][:5] == ["5 Nov 2026", "", "0 min", "1 h 30 min", "£12.50"]
    assert cells[-1][0] == "Total" and cells[-1][3] == "2 h"
    actions = [r.detail.get("format") for r in services.facilitator.audit_log(fs, action="export_written")]
    assert {"involvement_csv", "statement"} <= set(actions)


def test_statements_for_everyone(services, demo, fs, tmp_path):
    services.involvement.add(fs, demo.member("Sam"), date.today() - timedelta(days=3), preparation_minutes=20)
    result = services.exports.statements(fs, tmp_path / "statements")
    names = sorted(p.name for p in result.paths)
    assert "statement-Sam.docx" in names and "statement-Alex.docx" in names
    sam = Document(str(tmp_path / "statements" / "statement-Sam.docx"))
    assert any("20 min preparing" in p.text for p in sam.paragraphs)
    alex = Document(str(tmp_path / "statements" / "statement-Alex.docx"))
    assert any("Nothing is recorded in this period." in p.text for p in alex.paragraphs)


# --- withdrawal ---------------------------------------------------------------------------------


def _jordan_involved(services, demo, fs):
    sv, jordan = services.involvement, demo.member("Jordan")
    sv.add(fs, jordan, date(2026, 11, 5), preparation_minutes=60, expenses_pence=2000,
           note="Jordan's PA came: carer's costs")
    sv.add(fs, jordan, preparation_minutes=15, meeting_id=demo.meeting)
    sv.add(fs, demo.member("Sam"), date(2026, 11, 5), note="shared a taxi with Jordan")
    return jordan


@pytest.mark.parametrize("mode", ["delete", "anonymise"])
def test_withdrawal_keeps_only_the_payment_record(services, demo, fs, mode, tmp_path):
    jordan = _jordan_involved(services, demo, fs)
    preview = services.participants.withdrawal_preview(fs, jordan, mode)
    assert preview.counts["involvement"] == 2 and preview.counts["payment_record"] == 1
    assert "what they were paid for: 1 kept under the placeholder name" in preview.summary
    services.participants.withdraw(fs, jordan, mode)
    kept = services.involvement.kept_payments(fs)
    assert len(kept) == 1
    paid = kept[0]
    assert paid.pseudonym == preview.placeholder and paid.pseudonym.startswith("Withdrawn participant")
    assert (paid.preparation_minutes, paid.expenses_pence) == (75, 2000)
    assert paid.first_day == date(2026, 11, 5) and len(paid.lines) == 2
    assert "law on payments" in paid.reason and mode in paid.reason
    # the entries went with the withdrawal: deleted, or kept nameless without their notes
    from sqlalchemy import select

    from app.store.models import InvolvementEntry
    with services.involvement.store.read() as s:
        entries = {e.member_id: e for e in s.scalars(select(InvolvementEntry))}
        left = list(s.scalars(select(InvolvementEntry).where(InvolvementEntry.member_id == jordan)))
    assert (left == []) if mode == "delete" else ({e.note for e in left} == {""} and len(left) == 2)
    assert entries[demo.member("Sam")].note == "shared a taxi with [name removed]"
    with pytest.raises(DomainError, match="withdrawn"):
        services.involvement.record(fs, jordan)
    # the kept record is in involvement.csv under the placeholder, with the reason
    path = services.exports.involvement_csv(fs, tmp_path / "inv").paths[0]
    text = path.read_text(encoding="utf-8-sig")
    assert "Jordan" not in text and "carer" not in text
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["status"].startswith("withdrawn")]
    assert {r["member"] for r in rows} == {paid.pseudonym} and len(rows) == 2
    assert all("law on payments" in r["note"] and r["member_id"] == "" for r in rows)


def test_a_withdrawal_with_nothing_paid_keeps_no_payment_record(services, demo, fs):
    services.involvement.add(fs, demo.member("Kai"), date(2026, 11, 5), note="prefers mornings")
    services.participants.withdraw(fs, demo.member("Kai"), "delete")
    assert services.involvement.kept_payments(fs) == ()
