"""Time in meetings, from the meetings' attendance (app/services/meeting/ keeps it).

The one place the involvement record (and through it the payment record kept at a
withdrawal) reads attendance from. An attendance row without minutes counts the meeting's
length: as it really ran (started to ended) when it ran, else as planned (starts to ends).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.models import Attendance, Meeting


def _minutes(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None or end < start:
        return None
    return round((end - start).total_seconds() / 60)


def meeting_minutes(meeting: Meeting) -> int:
    """A meeting's length in minutes: as it ran, else as planned, else 0."""
    ran = _minutes(meeting.started_at, meeting.ended_at)
    if ran is not None:
        return ran
    planned = _minutes(meeting.starts_at, meeting.ends_at)
    return planned or 0


def attendance(s: Session, project_id: str, member_ids: list[str]) -> list[tuple[str, str, int]]:
    """(member id, meeting id, minutes in the meeting) for each meeting each member attended."""
    if not member_ids:
        return []
    out = []
    for member_id, minutes, meeting in s.execute(
        select(Attendance.member_id, Attendance.minutes, Meeting)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.project_id == project_id, Attendance.member_id.in_(member_ids))
    ):
        out.append((member_id, meeting.id, minutes if minutes is not None else meeting_minutes(meeting)))
    return out
