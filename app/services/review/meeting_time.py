"""Time in meetings, from the meetings' attendance (app/services/meeting/ keeps it).

The one place the involvement record (and through it the payment record kept at a
withdrawal) reads attendance from. An attendance row without minutes counts the meeting's
length, worked out in one place for every reader (meeting/length.py).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.meeting.length import meeting_minutes
from app.store.models import Attendance, Meeting


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
