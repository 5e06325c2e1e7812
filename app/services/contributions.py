"""Contributions and "me too"s on a prompt."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.base import ServiceBase
from app.services.dto import ContributionInfo, Outcome
from app.services.errors import NotFound
from app.services.validation import check_choice, clean_text
from app.store.models import (
    CONTRIBUTION_KINDS,
    MAX_CONTRIBUTION,
    Contribution,
    Endorsement,
    Meeting,
    Member,
    Theme,
    utcnow,
)


def normalise(text: str) -> str:
    """The form used to spot duplicates: case and spacing ignored."""
    return " ".join(text.split()).casefold()


class ContributionService(ServiceBase):
    """Adding contributions and endorsing them."""

    def add(
        self,
        member_id: str,
        prompt_id: str,
        text: str,
        kind: str = "keyword",
        anonymous: bool = False,
        meeting_id: str | None = None,
    ) -> Outcome:
        """Add a contribution; an existing one with the same text gets a "me too" instead."""
        text = clean_text(text, "The keyword", MAX_CONTRIBUTION)
        kind = check_choice(kind, "The kind", CONTRIBUTION_KINDS)
        with self.store.transaction() as s:
            member = self._member(s, member_id)
            prompt = self._prompt_for(s, prompt_id, member)
            if meeting_id is not None:
                meeting = self._get(s, Meeting, meeting_id, "meeting")
                if meeting.project_id != member.project_id:
                    raise NotFound("That meeting belongs to another project.")
            duplicate = self._find_duplicate(s, prompt.id, text)
            if duplicate is not None:
                outcome = self._set_endorsement(s, member, duplicate, True)
                return Outcome(
                    f"Already here: {duplicate.text}. Added your me too.",
                    undo_token=outcome.undo_token,
                    record_id=duplicate.id,
                )
            if member.anonymous_default != bool(anonymous):
                member.anonymous_default = bool(anonymous)
            contribution = Contribution(
                prompt_id=prompt.id,
                member_id=None if anonymous else member.id,
                meeting_id=meeting_id,
                kind=kind,
                text=text,
            )
            s.add(contribution)
            s.flush()
            # An anonymous contribution's event names no member: the audit log must not unmask it.
            event = self._event(
                s, member.project_id, None if anonymous else member.id,
                "contribution_added", "contribution", contribution.id, kind=kind,
            )
            label = {"keyword": "Keyword", "phrase": "Phrase", "experience": "Experience"}[kind]
            return Outcome(f"{label} added: {text}", undo_token=event.id, record_id=contribution.id)

    def toggle_endorsement(self, member_id: str, contribution_id: str) -> Outcome:
        """Add the member's "me too", or take it back if it is there."""
        with self.store.transaction() as s:
            member = self._member(s, member_id)
            contribution = self._contribution_for(s, contribution_id, member)
            existing = self._endorsement(s, contribution.id, member.id)
            wanted = not (existing is not None and existing.active)
            return self._set_endorsement(s, member, contribution, wanted)

    def endorse(self, member_id: str, contribution_id: str, on: bool = True) -> Outcome:
        """Set the member's "me too" on a contribution on or off."""
        with self.store.transaction() as s:
            member = self._member(s, member_id)
            contribution = self._contribution_for(s, contribution_id, member)
            return self._set_endorsement(s, member, contribution, on)

    def list_for_prompt(self, prompt_id: str, viewer_id: str | None = None) -> list[ContributionInfo]:
        """The visible contributions of a prompt, oldest first."""
        with self.store.read() as s:
            counts = (
                select(Endorsement.contribution_id, func.count().label("n"))
                .where(Endorsement.active.is_(True))
                .group_by(Endorsement.contribution_id)
                .subquery()
            )
            rows = s.execute(
                select(Contribution, Member.display_name, counts.c.n, Theme.name)
                .outerjoin(Member, Member.id == Contribution.member_id)
                .outerjoin(counts, counts.c.contribution_id == Contribution.id)
                .outerjoin(Theme, Theme.id == Contribution.theme_id)
                .where(
                    Contribution.prompt_id == prompt_id,
                    Contribution.hidden.is_(False),
                    Contribution.withdrawn.is_(False),
                )
                .order_by(Contribution.created_at, Contribution.id)
            ).all()
            mine: set[str] = set()
            if viewer_id:
                mine = set(
                    s.scalars(
                        select(Endorsement.contribution_id).where(
                            Endorsement.member_id == viewer_id, Endorsement.active.is_(True)
                        )
                    )
                )
            return [
                ContributionInfo(
                    id=c.id, prompt_id=c.prompt_id, kind=c.kind, text=c.text, author=name,
                    endorsements=n or 0, endorsed_by_viewer=c.id in mine,
                    created_at=c.created_at, theme=theme,
                )
                for c, name, n, theme in rows
            ]

    def _contribution_for(self, s: Session, contribution_id: object, member: Member) -> Contribution:
        contribution = self._get(s, Contribution, contribution_id, "contribution")
        self._prompt_for(s, contribution.prompt_id, member)
        return contribution

    @staticmethod
    def _find_duplicate(s: Session, prompt_id: str, text: str) -> Contribution | None:
        key = normalise(text)
        candidates = s.scalars(
            select(Contribution).where(
                Contribution.prompt_id == prompt_id, Contribution.withdrawn.is_(False)
            )
        )
        return next((c for c in candidates if normalise(c.text) == key), None)

    @staticmethod
    def _endorsement(s: Session, contribution_id: str, member_id: str) -> Endorsement | None:
        return s.scalar(
            select(Endorsement).where(
                Endorsement.contribution_id == contribution_id, Endorsement.member_id == member_id
            )
        )

    def _set_endorsement(
        self, s: Session, member: Member, contribution: Contribution, on: bool
    ) -> Outcome:
        existing = self._endorsement(s, contribution.id, member.id)
        was_on = existing is not None and existing.active
        if was_on == on:
            state = "already there" if on else "not there"
            return Outcome(f"Your me too is {state}: {contribution.text}")
        if existing is None:
            existing = Endorsement(contribution_id=contribution.id, member_id=member.id)
            s.add(existing)
        existing.active = on
        existing.updated_at = utcnow()
        s.flush()
        event = self._event(
            s, member.project_id, member.id, "endorsement_set", "contribution", contribution.id,
            on=on, was_on=was_on,
        )
        message = f"Me too: {contribution.text}" if on else f"Me too taken back: {contribution.text}"
        return Outcome(message, undo_token=event.id, record_id=contribution.id)
