"""Reading the involvement record in one session: each member's dated lines and the kept payments.

No session check here (the callers have one: InvolvementService, the exports, a withdrawal),
so that the facilitator's side and the exports can share it without importing each other.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.errors import DomainError
from app.services.review.involvement_dto import InvolvementLine, InvolvementRecord, KeptPayment
from app.services.review.meeting_time import attendance
from app.store.models import InvolvementEntry, Meeting, Member, PaymentRecord


def check_period(since: object, until: object) -> tuple[date | None, date | None]:
    """(since, until) if each is a date or None and since is not after until."""
    for what, value in (("The first day", since), ("The last day", until)):
        if value is not None and not isinstance(value, date):
            raise DomainError(f"{what} must be a date.")
    if since is not None and until is not None and since > until:  # type: ignore[operator]
        raise DomainError("The first day is after the last day.")
    return since, until  # type: ignore[return-value]


def read_records(s: Session, project_id: str, member_ids: list[str] | None = None,
                 since: date | None = None, until: date | None = None) -> list[InvolvementRecord]:
    """Each member's record (participants in order, or those of `member_ids`), oldest line first."""
    query = select(Member).where(Member.project_id == project_id, Member.withdrawn_at.is_(None))
    if member_ids is None:
        query = query.where(Member.role == "participant")
    else:
        query = query.where(Member.id.in_(member_ids))
    members = list(s.scalars(query.order_by(Member.position, Member.display_name)))
    ids = [m.id for m in members]
    meetings = {m.id: m for m in s.scalars(select(Meeting).where(Meeting.project_id == project_id))}
    lines: dict[str, dict[tuple[date, str | None, str | None], InvolvementLine]] = defaultdict(dict)
    for member_id, meeting_id, minutes in attendance(s, project_id, ids):
        meeting = meetings[meeting_id]
        lines[member_id][(meeting.held_on, meeting_id, None)] = InvolvementLine(
            meeting.held_on, None, meeting_id, meeting.title or "Meeting", minutes)
    for e in s.scalars(select(InvolvementEntry).where(InvolvementEntry.project_id == project_id,
                                                      InvolvementEntry.member_id.in_(ids))):
        meeting = meetings.get(e.meeting_id) if e.meeting_id else None
        day = meeting.held_on if meeting is not None else e.held_on
        attended = lines[e.member_id].pop((day, e.meeting_id, None), None) if meeting else None
        lines[e.member_id][(day, e.meeting_id, e.id)] = InvolvementLine(
            day, e.id, e.meeting_id, (meeting.title or "Meeting") if meeting else None,
            attended.meeting_minutes if attended else 0, e.preparation_minutes, e.expenses_pence, e.note)
    out = []
    for m in members:
        kept = [line for line in lines[m.id].values()
                if (since is None or line.day >= since) and (until is None or line.day <= until)]
        kept.sort(key=lambda line: (line.day, line.meeting or "", line.entry_id or ""))
        out.append(InvolvementRecord(m.id, m.display_name, m.real_name, since, until, tuple(kept)))
    return out


def read_kept(s: Session, project_id: str) -> list[KeptPayment]:
    """The payment records kept after withdrawals, oldest first."""
    out = []
    for p in s.scalars(select(PaymentRecord).where(PaymentRecord.project_id == project_id)
                       .order_by(PaymentRecord.created_at, PaymentRecord.id)):
        lines = tuple(InvolvementLine(date.fromisoformat(x["day"]), None, None, x.get("meeting"),
                                      int(x.get("meeting_minutes", 0)), int(x.get("preparation_minutes", 0)),
                                      int(x.get("expenses_pence", 0))) for x in p.lines or [])
        out.append(KeptPayment(p.id, p.pseudonym, p.first_day, p.last_day, p.meetings, p.meeting_minutes,
                               p.preparation_minutes, p.expenses_pence, lines, p.reason, p.created_at))
    return out
