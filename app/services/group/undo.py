"""Undo: reverse one earlier action, named by the token its Outcome carried."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.base import ServiceBase
from app.services.dto import Outcome
from app.services.errors import DomainError
from app.services.group.authorship import is_author, split_token
from app.services.group.phrases import PHRASES_KEY
from app.store.models import Contribution, Endorsement, Event, Member, Stance

UNDOABLE = ("contribution_added", "endorsement_set", "profile_changed", "stance_set")


class UndoService(ServiceBase):
    """Reverses an action and records the undo itself as an Event."""

    def undo(self, member_id: str, token: str) -> Outcome:
        """Undo the action behind `token`, which this member did."""
        event_id, secret = split_token(token)
        with self.store.transaction() as s:
            member = self._member(s, member_id)
            event = self._get(s, Event, event_id, "action")
            if event.project_id != member.project_id or event.action not in UNDOABLE:
                raise DomainError("That action cannot be undone.")
            if self._was_undone(s, event):
                raise DomainError("That action was already undone.")
            message = getattr(self, f"_undo_{event.action}")(s, member, event, secret)
            self._event(
                s, member.project_id, member.id, "undone", event.target_kind, event.target_id,
                undone_event=event.id, undone_action=event.action,
            )
            return Outcome(message)

    @staticmethod
    def _was_undone(s: Session, event: Event) -> bool:
        """Whether an "undone" entry names this event. The audit log is append-only (on a
        shared database no login may change an entry), so the undo is its own entry."""
        undos = s.scalars(select(Event.detail).where(
            Event.project_id == event.project_id, Event.action == "undone",
            Event.target_id == event.target_id))
        return any((detail or {}).get("undone_event") == event.id for detail in undos)

    def _undo_contribution_added(self, s: Session, member: Member, event: Event, secret: str) -> str:
        contribution = self._get(s, Contribution, event.target_id, "contribution")
        # A named contribution says its author; an anonymous one is proved by the token's secret.
        mine = (contribution.member_id == member.id if contribution.member_id is not None
                else is_author(event.detail, member.id, secret))
        if not mine:
            raise DomainError("Only the person who added it can undo it.")
        text = contribution.text
        s.delete(contribution)
        return f"Undone: {text} removed."

    def _undo_endorsement_set(self, s: Session, member: Member, event: Event, secret: str) -> str:
        if event.member_id != member.id:
            raise DomainError("Only the person who said me too can undo it.")
        row = s.scalar(
            select(Endorsement).where(
                Endorsement.contribution_id == event.target_id, Endorsement.member_id == member.id
            )
        )
        if row is None:
            raise DomainError("That me too no longer exists.")
        row.active = bool(event.detail.get("was_on"))
        return "Undone: me too taken back." if not row.active else "Undone: me too restored."

    def _undo_profile_changed(self, s: Session, member: Member, event: Event, secret: str) -> str:
        if event.member_id != member.id:
            raise DomainError("Only the member can undo their own settings.")
        before = dict(event.detail.get("before") or {})
        profile = dict(member.access_profile or {})
        changed = event.detail.get("changed") or sorted(set(before) | set(profile))
        # Only the settings that change altered go back: phrases saved since (kept in the same
        # record) and later changes to other settings stay.
        for key in changed:
            if key == PHRASES_KEY:
                continue
            if key in before:
                profile[key] = before[key]
            else:
                profile.pop(key, None)
        member.access_profile = profile
        return "Undone: settings restored."

    def _undo_stance_set(self, s: Session, member: Member, event: Event, secret: str) -> str:
        if event.member_id != member.id:
            raise DomainError("Only the member can undo their own stance.")
        row = s.scalar(
            select(Stance).where(
                Stance.version_id == event.target_id, Stance.member_id == member.id
            )
        )
        if row is None:
            raise DomainError("That stance no longer exists.")
        before = event.detail.get("before")
        if before is None:
            s.delete(row)
            return "Undone: your stance was removed."
        row.position, row.reason = before["position"], before["reason"]
        return f"Undone: your stance is {row.position} again."
