"""A meeting's length in minutes: the one place it is worked out and rounded.

Used wherever a meeting's minutes are counted: the facilitator's attendance (meeting/plan.py),
the involvement record and the payment record kept at a withdrawal (review/meeting_time.py),
attendance.csv (export/meetings.py). A meeting counts as it really ran, started to ended; while
it runs, from its start to now (its length so far); one never started as planned, starts to
ends; else 0. Minutes are rounded to the nearest whole minute, a half minute up: 89 min 36 s
(89.6 minutes) is 90 everywhere.
"""

from __future__ import annotations

from datetime import datetime

from app.store.models import Meeting, utcnow


def minutes_between(start: datetime | None, end: datetime | None) -> int | None:
    """Whole minutes from `start` to `end`, to the nearest (a half up); None without both, or
    when `end` comes first."""
    if start is None or end is None or end < start:
        return None
    return int((end - start).total_seconds() + 30) // 60


def meeting_minutes(meeting: Meeting, now: datetime | None = None) -> int:
    """A meeting's length in minutes: as it ran (so far, to `now`, while it runs), else as
    planned, else 0."""
    if meeting.started_at is not None:
        end = meeting.ended_at or now or utcnow()
        return minutes_between(meeting.started_at, end) or 0
    return minutes_between(meeting.starts_at, meeting.ends_at) or 0
