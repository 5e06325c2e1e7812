"""The checks of a switch-only meeting's record, one helper for every test that runs the issue's
meeting (three members, three dots each on one keyword, one asks for a break and is answered):
on one computer (tests/ui/test_meeting.py) and on a shared PostgreSQL database with a login per
person (tests/shared/test_meeting_switches.py). What was stored (attendance, dots, asks, read
through the facilitator's store) and what the facilitator exports: votes.csv, asks.csv,
attendance.csv and the report's section for the meeting."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from app.services.container import Services
from app.store.database import Store
from app.store.models import AgendaStep, Ask, Attendance, Vote


def read_rows(path: Path) -> list[dict[str, str]]:
    """A CSV export's rows as dictionaries."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def check_meeting_record(services: Services, fs: object, store: Store, meeting_id: str, title: str,
                         members: tuple[str, ...], keyword: str, asker: str, folder: Path) -> None:
    """`members` attended (minutes left to the meeting's length), each put 3 dots on `keyword` in
    the step "Vote", whose results were revealed; `asker` asked for a break and was answered.
    Rows of other meetings (a shared database's earlier tests) are left aside."""
    names = {m.display_name: m.id for m in services.projects.list_members(fs.project_id)}
    by_id = {mid: name for name, mid in names.items()}
    with store.read() as db:
        dots = sorted(by_id[v.member_id] for v in db.scalars(
            select(Vote).join(AgendaStep, AgendaStep.id == Vote.step_id)
            .where(AgendaStep.meeting_id == meeting_id)))
        asks = [(by_id[a.member_id], a.kind, a.answered_at is not None)
                for a in db.scalars(select(Ask).where(Ask.meeting_id == meeting_id))]
        stored = {(by_id[a.member_id], a.minutes)
                  for a in db.scalars(select(Attendance).where(Attendance.meeting_id == meeting_id))}
    assert dots == sorted(name for name in members for _ in range(3))
    assert asks == [(asker, "break", True)]
    assert stored == {(name, None) for name in members}

    # the exports, as the facilitator's export screen writes them
    services.exports.csv(fs, folder / "csv")
    ours = {name: [r for r in read_rows(folder / "csv" / f"{name}.csv") if r["meeting_id"] == meeting_id]
            for name in ("votes", "asks", "attendance")}
    assert [(r["member"], r["keyword"], r["dots"], r["revealed"], r["step"]) for r in ours["votes"]] == [
        (name, keyword, "3", "1", "Vote") for name in members]
    assert [(r["member"], r["ask"], r["answered"]) for r in ours["asks"]] == [(asker, "I need a break", "1")]
    attendance = [(r["meeting"], r["member"], r["attended"], r["minutes_recorded"])
                  for r in ours["attendance"]]
    assert attendance == [(title, name, "1", "0") for name in members]
    services.exports.markdown(fs, folder / "report.md")
    report = (folder / "report.md").read_text(encoding="utf-8")
    section = report[report.index(f"### Meeting: {title}"):]
    end = section.find("\n### ", 1)  # the next meeting's section (its votes are "#### ")
    section = section if end < 0 else section[:end]
    listed = f"{', '.join(members[:-1])} and {members[-1]}"
    assert f"{listed} ({len(members)} in all)." in section
    assert f"| {keyword} | {3 * len(members)} |" in section and f"| {asker} | I need a break |" in section
