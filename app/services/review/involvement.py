"""The involvement record: each member's meetings, minutes, preparation time, expenses and notes.

The facilitator's alone (every method takes a live FacilitatorSession): it is kept so that
nobody is left out of pocket and so a member can show their hours for payment or benefits
paperwork (export/involvement.py writes involvement.csv and the Word statement). The time in
meetings comes from the meetings' attendance; the preparation time, the expenses and a note
(e.g. "carer's costs") are what the facilitator adds, as entries on a day, perhaps for a
meeting. Bad input (negative minutes or money, a note too long, a member of another project)
is refused with a clear message and nothing is written. Every change is in the audit log, as
ids and amounts only (never the note: it may be about someone's health).

At a withdrawal (review/withdrawal.py) the entries go with everything else; what was paid
stays as a PaymentRecord under the placeholder name, with the reason (`kept_payments`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.dto import Outcome
from app.services.errors import DomainError, NotFound
from app.services.review.facilitator import GuardedService
from app.services.review.involvement_dto import (
    InvolvementRecord,
    KeptPayment,
    check_minutes,
    check_pence,
    day_text,
    hours_text,
)
from app.services.review.involvement_read import check_period, read_kept, read_records
from app.services.review.review_dto import FacilitatorSession
from app.services.validation import clean_text
from app.store.models import InvolvementEntry, Meeting, Member, utcnow
from app.store.models_involvement import MAX_NOTE


class InvolvementService(GuardedService):
    """Reading and keeping the involvement record, in facilitator mode only."""

    def records(self, session: FacilitatorSession, since: date | None = None,
                until: date | None = None) -> tuple[InvolvementRecord, ...]:
        """Every participant's record between `since` and `until` (each None: no limit)."""
        session = self._session(session)
        since, until = check_period(since, until)
        with self.store.read() as s:
            return tuple(read_records(s, session.project_id, None, since, until))

    def record(self, session: FacilitatorSession, member_id: str, since: date | None = None,
               until: date | None = None) -> InvolvementRecord:
        """One member's record (a participant's or the facilitator's own)."""
        session = self._session(session)
        since, until = check_period(since, until)
        with self.store.read() as s:
            member = self._managed(s, session, member_id)
            return read_records(s, session.project_id, [member.id], since, until)[0]

    def kept_payments(self, session: FacilitatorSession) -> tuple[KeptPayment, ...]:
        """What withdrawn members were paid for, kept under their placeholder names."""
        session = self._session(session)
        with self.store.read() as s:
            return tuple(read_kept(s, session.project_id))

    def add(self, session: FacilitatorSession, member_id: str, day: date | None = None,
            preparation_minutes: int = 0, expenses_pence: int = 0, note: str = "",
            meeting_id: str | None = None) -> Outcome:
        """Record preparation time, expenses and/or a note for a member on a day (today when
        None) or for a meeting (its day)."""
        session = self._session(session)
        minutes = check_minutes(preparation_minutes, "The preparation time")
        pence = check_pence(expenses_pence)
        text = self._note(note)
        if day is not None and not isinstance(day, date):
            raise DomainError("The day must be a date.")
        if not (minutes or pence or text.strip()):
            raise DomainError("Nothing to record: give a time, an amount or a note.")
        with self.store.transaction() as s:
            member = self._managed(s, session, member_id)
            when = day or date.today()
            if meeting_id is not None:
                when = self._meeting(s, session, meeting_id).held_on
            entry = InvolvementEntry(project_id=session.project_id, member_id=member.id,
                                     meeting_id=meeting_id, held_on=when, preparation_minutes=minutes,
                                     expenses_pence=pence, note=text)
            s.add(entry)
            s.flush()
            self._event(s, session.project_id, session.member_id, "involvement_added", "involvement",
                        entry.id,
                        of=member.id, preparation_minutes=minutes, expenses_pence=pence)
            return Outcome(f"Saved for {member.display_name}, {day_text(when)}.", record_id=entry.id)

    def meeting_preparation(self, session: FacilitatorSession, meeting_id: str) -> dict[str, int]:
        """Each member's preparation time for a meeting (member id -> minutes; only those with
        some): the sum of their entries for it, as involvement.csv and attendance.csv count it."""
        session = self._session(session)
        with self.store.read() as s:
            meeting = self._meeting(s, session, meeting_id)
            entry = InvolvementEntry
            rows = s.execute(select(entry.member_id, func.sum(entry.preparation_minutes))
                             .where(entry.meeting_id == meeting.id).group_by(entry.member_id))
            return {member_id: int(total) for member_id, total in rows if total}

    def set_preparation(self, session: FacilitatorSession, member_id: str, meeting_id: str,
                        preparation_minutes: int) -> Outcome:
        """Set a member's preparation time for a meeting (the meeting screen's field): kept on
        their entry for the meeting, the same record the involvement screens show and change.
        With several entries for it, the oldest carries the time and the others' is set to 0;
        an entry left with no time, expenses or note goes."""
        session = self._session(session)
        minutes = check_minutes(preparation_minutes, "The preparation time")
        with self.store.transaction() as s:
            member = self._managed(s, session, member_id)
            meeting = self._meeting(s, session, meeting_id)
            entries = list(s.scalars(select(InvolvementEntry).where(
                InvolvementEntry.member_id == member.id, InvolvementEntry.meeting_id == meeting.id)
                .order_by(InvolvementEntry.created_at, InvolvementEntry.id)))
            if not entries and minutes:
                entry = InvolvementEntry(project_id=session.project_id, member_id=member.id,
                                         meeting_id=meeting.id, held_on=meeting.held_on,
                                         preparation_minutes=minutes, expenses_pence=0, note="")
                s.add(entry)
                s.flush()
                self._event(s, session.project_id, session.member_id, "involvement_added", "involvement",
                            entry.id, of=member.id, preparation_minutes=minutes, expenses_pence=0)
            for i, entry in enumerate(entries):
                value = minutes if i == 0 else 0
                if value == entry.preparation_minutes:
                    continue
                if not (value or entry.expenses_pence or entry.note):
                    s.delete(entry)
                    self._event(s, session.project_id, session.member_id, "involvement_removed",
                                "involvement", entry.id, of=member.id)
                    continue
                entry.preparation_minutes, entry.updated_at = value, utcnow()
                self._event(s, session.project_id, session.member_id, "involvement_edited", "involvement",
                            entry.id, of=member.id, preparation_minutes=value)
            return Outcome(f"{member.display_name}: {hours_text(minutes)} preparing for {meeting.title}.")

    def edit(self, session: FacilitatorSession, entry_id: str, preparation_minutes: int | None = None,
             expenses_pence: int | None = None, note: str | None = None) -> Outcome:
        """Change an entry's preparation time, expenses or note (None: leave as it is)."""
        session = self._session(session)
        minutes = None if preparation_minutes is None else check_minutes(preparation_minutes,
                                                                         "The preparation time")
        pence = None if expenses_pence is None else check_pence(expenses_pence)
        text = None if note is None else self._note(note)
        with self.store.transaction() as s:
            entry = self._entry(s, session, entry_id)
            changed = {}
            for attr, value in (("preparation_minutes", minutes), ("expenses_pence", pence), ("note", text)):
                if value is not None and value != getattr(entry, attr):
                    setattr(entry, attr, value)
                    changed[attr] = value if attr != "note" else "changed"
            if not changed:
                raise DomainError("Nothing to change.")
            entry.updated_at = utcnow()
            self._event(s, session.project_id, session.member_id, "involvement_edited", "involvement",
                        entry.id,
                        of=entry.member_id, **changed)
            return Outcome(f"Saved, {day_text(entry.held_on)}.", record_id=entry.id)

    def remove(self, session: FacilitatorSession, entry_id: str) -> Outcome:
        """Delete an entry the facilitator made by mistake."""
        session = self._session(session)
        with self.store.transaction() as s:
            entry = self._entry(s, session, entry_id)
            s.delete(entry)
            self._event(s, session.project_id, session.member_id, "involvement_removed", "involvement",
                        entry.id, of=entry.member_id)
            return Outcome(f"Removed the entry of {day_text(entry.held_on)}.")

    # --- inside ------------------------------------------------------------------------------

    @staticmethod
    def _note(note: object) -> str:
        return clean_text(note, "The note", MAX_NOTE, allow_empty=True).strip()

    def _managed(self, s: Session, session: FacilitatorSession, member_id: object) -> Member:
        member = self._get(s, Member, member_id, "member")  # _get checks the id
        if member.project_id != session.project_id:
            raise NotFound("That member belongs to another project.")
        if member.withdrawn_at is not None:
            raise DomainError("This member has withdrawn: only their kept payment record remains.")
        return member

    def _meeting(self, s: Session, session: FacilitatorSession, meeting_id: object) -> Meeting:
        meeting = self._get(s, Meeting, meeting_id, "meeting")
        if meeting.project_id != session.project_id:
            raise NotFound("That meeting belongs to another project.")
        return meeting

    def _entry(self, s: Session, session: FacilitatorSession, entry_id: object) -> InvolvementEntry:
        entry = self._get(s, InvolvementEntry, entry_id, "entry")
        if entry.project_id != session.project_id:
            raise NotFound("That entry belongs to another project.")
        return entry
