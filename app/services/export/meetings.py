"""Reading the meetings for the exports: agendas, dots, asks and attendance, as plain values.

Shared by the CSV files (votes.csv, asks.csv, attendance.csv, in export/csv.py) and the report's
meeting sections (export/meeting_report.py). What is read, and what is not:
- every meeting of the project, oldest first, with its agenda in order;
- dots: one row per member, vote step and keyword with how many dots, whether or not the
  step's results were revealed (the facilitator's export is theirs: it says which were); never
  dots on a withdrawn keyword (as contributions.csv never has one); a withdrawn member's dots
  and asks are gone already (review/withdrawal.py deletes them);
- attendance: the minutes as recorded, or the meeting's length for a row without minutes (the
  same rule as the involvement record, meeting/length.py), and the preparation time the
  facilitator added for that meeting; never expenses or the involvement notes, which stay in
  the facilitator's own involvement.csv. A withdrawn member's attendance stays, under the
  placeholder name the withdrawal gave them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.meeting.length import meeting_minutes
from app.store.models import (
    AgendaStep,
    Ask,
    Attendance,
    Contribution,
    InvolvementEntry,
    Meeting,
    Member,
    Prompt,
    Vote,
)


@dataclass(frozen=True)
class StepRecord:
    """One agenda step as the exports show it."""

    id: str
    position: int
    kind: str
    title: str
    prompt_id: str | None
    prompt: str | None
    dots: int  # each member's dots, in a vote step
    revealed_at: datetime | None


@dataclass(frozen=True)
class MeetingRecord:
    """One meeting: its date, planned and real times, and its agenda."""

    id: str
    title: str
    held_on: date
    starts_at: datetime | None
    ends_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    steps: tuple[StepRecord, ...]

    @property
    def label(self) -> str:
        """E.g. "Second meeting (2026-12-02)"."""
        return f"{self.title or 'Meeting'} ({self.held_on.isoformat()})"


@dataclass(frozen=True)
class DotRow:
    """A member's dots on one keyword in one vote step."""

    step_id: str
    member_id: str
    contribution_id: str
    keyword: str
    writer_id: str | None
    hidden: bool
    dots: int
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class AttendanceRow:
    """A member at a meeting: attendance and/or preparation time the facilitator added for it."""

    meeting_id: str
    member_id: str
    attended: bool
    minutes: int | None  # None: not at the meeting (only preparation was recorded)
    recorded: bool  # the minutes were typed, rather than the meeting's length
    preparation_minutes: int


def read_meetings(s: Session, project_id: str) -> list[MeetingRecord]:
    """Every meeting of the project, oldest first, each with its agenda in order."""
    meetings = list(s.scalars(select(Meeting).where(Meeting.project_id == project_id)
                              .order_by(Meeting.held_on, Meeting.created_at, Meeting.id)))
    prompts = dict(s.execute(select(Prompt.id, Prompt.text).where(Prompt.project_id == project_id)).all())
    steps: dict[str, list[StepRecord]] = defaultdict(list)
    for st in s.scalars(select(AgendaStep).where(AgendaStep.meeting_id.in_([m.id for m in meetings]))
                        .order_by(AgendaStep.position, AgendaStep.created_at, AgendaStep.id)):
        steps[st.meeting_id].append(StepRecord(st.id, st.position, st.kind, st.title, st.prompt_id,
                                               prompts.get(st.prompt_id or ""), st.dots, st.revealed_at))
    return [MeetingRecord(m.id, m.title, m.held_on, m.starts_at, m.ends_at, m.started_at, m.ended_at,
                          tuple(steps[m.id])) for m in meetings]


def read_dots(s: Session, meetings: list[MeetingRecord], members: dict[str, Member]) -> list[DotRow]:
    """Each member's dots per keyword in every vote step, in agenda order, then by member, then
    by keyword; never dots on a withdrawn keyword."""
    order = {st.id: i for i, st in enumerate(st for m in meetings for st in m.steps if st.kind == "vote")}
    if not order:
        return []
    c = Contribution
    rows = [DotRow(step_id, member_id, cid, text, writer, bool(hidden), n, first, last)
            for step_id, member_id, cid, text, writer, hidden, n, first, last in s.execute(
                select(Vote.step_id, Vote.member_id, c.id, c.text, c.member_id, c.hidden, func.count(Vote.id),
                       func.min(Vote.created_at), func.max(Vote.created_at))
                .join(c, c.id == Vote.contribution_id)
                .where(Vote.step_id.in_(list(order)), c.withdrawn.is_(False))
                .group_by(Vote.step_id, Vote.member_id, c.id, c.text, c.member_id, c.hidden))]

    def place(member_id: str) -> tuple[int, str]:
        member = members.get(member_id)
        return (member.position, member.display_name) if member is not None else (1 << 30, member_id)

    return sorted(rows, key=lambda r: (order[r.step_id], place(r.member_id), r.keyword.casefold(),
                                       r.contribution_id))


def read_asks(s: Session, meetings: list[MeetingRecord]) -> list[Ask]:
    """Every ask of the project's meetings, oldest first."""
    ids = [m.id for m in meetings]
    return list(s.scalars(select(Ask).where(Ask.meeting_id.in_(ids)).order_by(Ask.created_at, Ask.id)))


def read_attendance(s: Session, project_id: str, meetings: list[MeetingRecord],
                    members: dict[str, Member]) -> list[AttendanceRow]:
    """Who was at each meeting with their minutes, and preparation time added for it; by meeting
    (oldest first), then in the members' order."""
    lengths = {m.id: m for m in s.scalars(select(Meeting).where(Meeting.project_id == project_id))}
    prepared: dict[tuple[str, str], int] = {}
    for meeting_id, member_id, minutes in s.execute(
        select(InvolvementEntry.meeting_id, InvolvementEntry.member_id,
               func.sum(InvolvementEntry.preparation_minutes))
        .where(InvolvementEntry.project_id == project_id, InvolvementEntry.meeting_id.is_not(None))
        .group_by(InvolvementEntry.meeting_id, InvolvementEntry.member_id)
    ):
        prepared[(meeting_id, member_id)] = int(minutes or 0)
    found: dict[tuple[str, str], AttendanceRow] = {}
    for meeting_id, member_id, minutes in s.execute(
        select(Attendance.meeting_id, Attendance.member_id, Attendance.minutes)
        .where(Attendance.meeting_id.in_(list(lengths)))
    ):
        counted = minutes if minutes is not None else meeting_minutes(lengths[meeting_id])
        found[(meeting_id, member_id)] = AttendanceRow(meeting_id, member_id, True, counted,
                                                       minutes is not None,
                                                       prepared.get((meeting_id, member_id), 0))
    for (meeting_id, member_id), minutes in prepared.items():
        if (meeting_id, member_id) not in found and minutes:
            found[(meeting_id, member_id)] = AttendanceRow(meeting_id, member_id, False, None, False, minutes)
    order = {m.id: i for i, m in enumerate(meetings)}

    def key(row: AttendanceRow) -> tuple[int, int, str, str]:
        member = members.get(row.member_id)
        position, name = (member.position, member.display_name) if member is not None else (1 << 30, "")
        return order.get(row.meeting_id, len(order)), position, name, row.member_id

    return sorted(found.values(), key=key)
