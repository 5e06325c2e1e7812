"""The facilitator's side of a meeting: plan it, run it, pace it, reveal, answer asks, attendance.

Every method takes the facilitator's session, checked by the callable the container hands in
(FacilitatorService.check), and is one transaction; each change writes an audit entry, which is
also what tells every other screen on a shared database to look again (change_marker).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.dto import Outcome
from app.services.errors import DomainError, NotFound
from app.services.meeting.agenda import AgendaService
from app.services.meeting.dto import ASK_LABELS, AskInfo, AttendanceInfo, MeetingInfo
from app.services.meeting.length import meeting_minutes
from app.services.meeting.read import meeting_info, steps_of
from app.services.validation import clean_text
from app.store.models import (
    Ask,
    Attendance,
    Contribution,
    Meeting,
    Member,
    Vote,
    utcnow,
)
from app.store.models_involvement import MAX_MINUTES


def _aware(value: datetime | None, what: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise DomainError(f"{what} needs a time with its time zone.")
    return value.astimezone(timezone.utc)


class MeetingService(AgendaService):
    """Meetings the facilitator plans and runs (the agenda's own operations: agenda.py)."""

    # --- planning ----------------------------------------------------------------------------
    def plan(self, session: Any, held_on: date, title: str, starts_at: datetime | None = None,
             ends_at: datetime | None = None) -> Outcome:
        """A new meeting; one that ends before it starts is refused, nothing written."""
        session = self._check(session)
        title = clean_text(title, "The meeting's title", 200)
        if not isinstance(held_on, date):
            raise DomainError("The meeting needs a date.")
        starts, ends = _aware(starts_at, "The start"), _aware(ends_at, "The end")
        if starts is not None and ends is not None and ends <= starts:
            raise DomainError("The meeting ends before it starts. Nothing was saved.")
        with self.store.transaction() as s:
            meeting = Meeting(project_id=session.project_id, held_on=held_on, title=title,
                              starts_at=starts, ends_at=ends)
            s.add(meeting)
            s.flush()
            self._event(s, session.project_id, session.member_id, "meeting_planned", "meeting", meeting.id)
            return Outcome(f"Meeting planned: {title} on {held_on.isoformat()}.", record_id=meeting.id)

    def meetings(self, session: Any) -> tuple[MeetingInfo, ...]:
        """Every meeting of the project, newest first."""
        session = self._check(session)
        with self.store.read() as s:
            rows = s.scalars(select(Meeting).where(Meeting.project_id == session.project_id)
                             .order_by(Meeting.held_on.desc(), Meeting.created_at.desc()))
            return tuple(meeting_info(s, m) for m in rows)

    def meeting(self, session: Any, meeting_id: str) -> MeetingInfo:
        """One meeting with its agenda."""
        session = self._check(session)
        with self.store.read() as s:
            return meeting_info(s, self._meeting(s, session, meeting_id))

    # --- running -----------------------------------------------------------------------------
    def start(self, session: Any, meeting_id: str) -> Outcome:
        """Start the meeting: what is done from now on is stamped with it; the group goes to step 1."""
        session = self._check(session)
        with self.store.transaction() as s:
            meeting = self._meeting(s, session, meeting_id)
            if meeting.started_at is not None:
                raise DomainError("This meeting has already started.")
            others = s.scalar(select(func.count()).select_from(Meeting).where(
                Meeting.project_id == session.project_id, Meeting.started_at.is_not(None),
                Meeting.ended_at.is_(None)))
            if others:
                raise DomainError("Another meeting is still running. End it first.")
            now = utcnow()
            meeting.started_at = now
            steps = steps_of(s, meeting.id)
            if steps:
                steps[0].opened_at = now
            self._event(s, session.project_id, session.member_id, "meeting_started", "meeting", meeting.id)
            return Outcome(f"Meeting started: {meeting.title}.", record_id=meeting.id)

    def end(self, session: Any, meeting_id: str) -> Outcome:
        """End the meeting; attendance without minutes counts the meeting's length."""
        session = self._check(session)
        with self.store.transaction() as s:
            meeting = self._meeting(s, session, meeting_id)
            if meeting.started_at is None or meeting.ended_at is not None:
                raise DomainError("This meeting is not running.")
            meeting.ended_at = max(utcnow(), meeting.started_at)
            self._event(s, session.project_id, session.member_id, "meeting_ended", "meeting", meeting.id)
            return Outcome(f"Meeting ended: {meeting.title}.", record_id=meeting.id)

    def move_to(self, session: Any, step_id: str) -> Outcome:
        """Move the group to a step; a vote step first reveals think-first keywords of its question."""
        session = self._check(session)
        with self.store.transaction() as s:
            step, meeting = self._step(s, session, step_id)
            if meeting.started_at is None or meeting.ended_at is not None:
                raise DomainError("Start the meeting first.")
            now = utcnow()
            step.opened_at = now
            if step.kind == "vote":
                for other in steps_of(s, meeting.id):
                    if (other.kind == "keywords" and other.prompt_id == step.prompt_id
                            and other.revealed_at is None):
                        other.revealed_at = now
            self._event(s, session.project_id, session.member_id, "step_opened", "agenda_step", step.id,
                        kind=step.kind)
            return Outcome(f"The group is now on: {step.title}", record_id=step.id)

    def reveal(self, session: Any, step_id: str) -> Outcome:
        """Show everyone the keywords of a think-first step, or a vote step's results."""
        session = self._check(session)
        with self.store.transaction() as s:
            step, _meeting = self._step(s, session, step_id)
            if step.kind not in ("keywords", "vote"):
                raise DomainError("Only a keyword or vote step has something to reveal.")
            if step.revealed_at is not None:
                raise DomainError("Already revealed.")
            step.revealed_at = utcnow()
            self._event(s, session.project_id, session.member_id, "step_revealed", "agenda_step", step.id)
            return Outcome("Results revealed." if step.kind == "vote" else "Everyone's keywords revealed.",
                           record_id=step.id)

    def voters(self, session: Any, step_id: str) -> int:
        """How many members have put at least one dot on a vote step (never where)."""
        session = self._check(session)
        with self.store.read() as s:
            step, _ = self._step(s, session, step_id)
            return s.scalar(select(func.count(func.distinct(Vote.member_id)))
                            .where(Vote.step_id == step.id)) or 0

    def keywords_added(self, session: Any, step_id: str) -> tuple[int, int]:
        """A keyword step: keywords added since the group was moved there, and by how many members."""
        session = self._check(session)
        with self.store.read() as s:
            step, _ = self._step(s, session, step_id)
            since = step.opened_at or step.created_at
            where = (Contribution.prompt_id == step.prompt_id, Contribution.created_at >= since,
                     Contribution.withdrawn.is_(False))
            return (s.scalar(select(func.count()).select_from(Contribution).where(*where)) or 0,
                    s.scalar(select(func.count(func.distinct(Contribution.member_id))).where(*where)) or 0)

    # --- asks and attendance -----------------------------------------------------------------
    def waiting_asks(self, session: Any, meeting_id: str) -> tuple[AskInfo, ...]:
        """Asks not yet answered, oldest first."""
        session = self._check(session)
        with self.store.read() as s:
            meeting = self._meeting(s, session, meeting_id)
            return asks_of(s, meeting.id, waiting=True)

    def answer(self, session: Any, ask_id: str) -> Outcome:
        """Mark an ask as answered: it leaves every screen."""
        session = self._check(session)
        with self.store.transaction() as s:
            ask = self._get(s, Ask, ask_id, "ask")
            self._meeting(s, session, ask.meeting_id)
            if ask.answered_at is not None:
                raise DomainError("That ask was already answered.")
            ask.answered_at, ask.answered_by = utcnow(), session.member_id
            self._event(s, session.project_id, session.member_id, "ask_answered", "ask", ask.id)
            name = s.scalar(select(Member.display_name).where(Member.id == ask.member_id))
            # Whose ask and which, so a facilitator who answered the wrong one hears it at once.
            label = ASK_LABELS.get(ask.kind, ask.kind)
            return Outcome(f"Answered {name}: “{label}”. It has gone from every screen.", record_id=ask.id)

    def set_attendance(self, session: Any, meeting_id: str, member_id: str, present: bool = True,
                       minutes: int | None = None) -> Outcome:
        """Mark a member present (with minutes, or the meeting's length) or not present."""
        session = self._check(session)
        if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0):
            raise DomainError("Minutes cannot be negative. Nothing was saved.")
        if minutes is not None and minutes > MAX_MINUTES:
            raise DomainError(f"Minutes in one meeting are at most {MAX_MINUTES:,}. Nothing was saved.")
        with self.store.transaction() as s:
            meeting = self._meeting(s, session, meeting_id)
            member = self._get(s, Member, member_id, "member")
            if member.project_id != session.project_id:
                raise NotFound("That member belongs to another project.")
            row = s.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                    Attendance.member_id == member.id))
            if not present:
                if row is not None:
                    s.delete(row)
                self._event(s, session.project_id, session.member_id, "attendance_removed", "member",
                            member.id)
                return Outcome(f"{member.display_name}: not at this meeting.")
            if row is None:
                row = Attendance(meeting_id=meeting.id, member_id=member.id)
                s.add(row)
            row.minutes, row.updated_at = minutes, utcnow()
            self._event(s, session.project_id, session.member_id, "attendance_set", "member", member.id,
                        minutes=minutes)
            counted = "the meeting's length" if minutes is None else f"{minutes} min"
            return Outcome(f"{member.display_name}: at this meeting, {counted}.")

    def attendance(self, session: Any, meeting_id: str) -> tuple[AttendanceInfo, ...]:
        """Who attended and their minutes (unset minutes: the meeting's length so far)."""
        session = self._check(session)
        with self.store.read() as s:
            meeting = self._meeting(s, session, meeting_id)
            length = meeting_minutes(meeting)
            rows = s.execute(select(Attendance.member_id, Member.display_name, Attendance.minutes)
                             .join(Member, Member.id == Attendance.member_id)
                             .where(Attendance.meeting_id == meeting.id).order_by(Member.position))
            return tuple(AttendanceInfo(mid, name, length if minutes is None else minutes,
                                        minutes is not None) for mid, name, minutes in rows)


def asks_of(s: Session, meeting_id: str, waiting: bool, member_id: str | None = None) -> tuple[AskInfo, ...]:
    """A meeting's asks oldest first: waiting ones only, or all; one member's only, if named."""
    query = (select(Ask.id, Ask.member_id, Member.display_name, Ask.kind, Ask.created_at, Ask.answered_at)
             .join(Member, Member.id == Ask.member_id).where(Ask.meeting_id == meeting_id)
             .order_by(Ask.created_at, Ask.id))
    if waiting:
        query = query.where(Ask.answered_at.is_(None))
    if member_id is not None:
        query = query.where(Ask.member_id == member_id)
    return tuple(AskInfo(*row) for row in s.execute(query))
