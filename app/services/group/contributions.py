"""Contributions and "me too"s on a prompt."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.orm import Session

from app.services.base import ServiceBase
from app.services.dto import ContributionInfo, Outcome
from app.services.errors import DomainError, NotFound
from app.services.group.authorship import author_proof, undo_token
from app.services.validation import check_choice, check_id, clean_text
from app.store.models import (
    CONTRIBUTION_KINDS,
    MAX_CONTRIBUTION,
    AgendaStep,
    Contribution,
    Endorsement,
    Meeting,
    Member,
    Prompt,
    Theme,
    utcnow,
)


@dataclass(frozen=True)
class ContributionPage:
    """One page of a prompt's visible contributions, and how many there are in all."""

    items: tuple[ContributionInfo, ...]
    total: int
    offset: int


def normalise(text: str) -> str:
    """The form used to spot duplicates: case and spacing ignored."""
    return " ".join(text.split()).casefold()


def _visible(prompt_id: str, only: str | None = None) -> tuple[ColumnElement[bool], ...]:
    """What the group sees of a prompt: not hidden, not withdrawn (ix_contribution_listing);
    with `only`, that member's alone (a think-first step keeps the others' back)."""
    return (Contribution.prompt_id == prompt_id, Contribution.hidden.is_(False),
            Contribution.withdrawn.is_(False), *([Contribution.member_id == only] if only else []))


def _visible_columns(prompt_id: str, only: str | None = None) -> Select[Any]:
    return (
        select(Contribution.id, Contribution.kind, Contribution.text, Contribution.member_id,
               Contribution.theme_id, Contribution.created_at)
        .where(*_visible(prompt_id, only)).order_by(Contribution.created_at, Contribution.id)
    )


def running_meeting(s: Session, project_id: str) -> Meeting | None:
    """The project's meeting that has started and not ended (the newest, if several)."""
    return s.scalar(select(Meeting).where(
        Meeting.project_id == project_id, Meeting.started_at.is_not(None), Meeting.ended_at.is_(None))
        .order_by(Meeting.started_at.desc()).limit(1))


def _held_back() -> Select[tuple[str]]:
    """The prompts whose think-first keyword step, in a running meeting, is not revealed yet."""
    return (select(AgendaStep.prompt_id).join(Meeting, Meeting.id == AgendaStep.meeting_id).where(
        AgendaStep.kind == "keywords", AgendaStep.think_first.is_(True), AgendaStep.revealed_at.is_(None),
        Meeting.started_at.is_not(None), Meeting.ended_at.is_(None)))


def thinking(s: Session, prompt_id: str) -> bool:
    """Whether a running meeting's think-first keyword step keeps others' keywords of the prompt
    back until its reveal (on a shared database the engine does too: migration 0010)."""
    return s.scalar(select(func.count()).select_from(
        _held_back().where(AgendaStep.prompt_id == prompt_id).subquery())) != 0


def thinking_prompts(s: Session, prompt_ids: Iterable[str]) -> set[str]:
    """Which of these prompts a think-first step keeps back now (one query for them all)."""
    return set(s.scalars(_held_back().where(AgendaStep.prompt_id.in_(list(prompt_ids)))))


def _infos(s: Session, prompt_id: str, rows: Sequence[Row[Any]], counts: dict[str, int],
           mine: set[str]) -> list[ContributionInfo]:
    """Rows of `_visible_columns` as plain values, names and themes looked up once."""
    project = select(Prompt.project_id).where(Prompt.id == prompt_id).scalar_subquery()
    names = dict(s.execute(select(Member.id, Member.display_name).where(Member.project_id == project)).all())
    themes = dict(s.execute(select(Theme.id, Theme.name).where(Theme.prompt_id == prompt_id)).all())
    return [
        ContributionInfo(
            id=cid, prompt_id=prompt_id, kind=kind, text=text, author=names.get(member_id),
            endorsements=counts.get(cid, 0), endorsed_by_viewer=cid in mine, created_at=created_at,
            theme=themes.get(theme_id),
        )
        for cid, kind, text, member_id, theme_id, created_at in rows
    ]


def agreement(s: Session, which: ColumnElement[bool],
               viewer_id: str | None) -> tuple[dict[str, int], set[str]]:
    """The active "me too"s of the contributions `which` picks: how many each has, and which
    are the viewer's own."""
    endorsed = (select(Endorsement.contribution_id)
                .join(Contribution, Contribution.id == Endorsement.contribution_id)
                .where(which, Endorsement.active.is_(True)))
    counts = dict(s.execute(endorsed.add_columns(func.count()).group_by(Endorsement.contribution_id)).all())
    mine = set(s.scalars(endorsed.where(Endorsement.member_id == viewer_id))) if viewer_id else set()
    return counts, mine


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
            else:  # what is done in a running meeting is stamped with it
                live = running_meeting(s, member.project_id)
                meeting_id = live.id if live is not None else None
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
            # Its undo token carries a secret only the author's session holds instead (undo.py).
            proof, secret = author_proof(member.id) if anonymous else ({}, "")
            event = self._event(
                s, member.project_id, None if anonymous else member.id,
                "contribution_added", "contribution", contribution.id, kind=kind, **proof,
            )
            label = {"keyword": "Keyword", "phrase": "Phrase", "experience": "Experience"}[kind]
            return Outcome(
                f"{label} added: {text}", undo_token=undo_token(event.id, secret),
                record_id=contribution.id,
            )

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
        if not isinstance(on, bool):
            raise DomainError("A me too is either on or off.")
        with self.store.transaction() as s:
            member = self._member(s, member_id)
            contribution = self._contribution_for(s, contribution_id, member)
            return self._set_endorsement(s, member, contribution, on)

    def list_for_prompt(self, prompt_id: str, viewer_id: str | None = None) -> list[ContributionInfo]:
        """The visible contributions of a prompt, oldest first."""
        prompt_id = check_id(prompt_id, "prompt")
        viewer_id = check_id(viewer_id, "member") if viewer_id else None
        with self.store.read() as s:
            only = viewer_id if viewer_id and thinking(s, prompt_id) else None
            rows = s.execute(_visible_columns(prompt_id, only)).all()
            counts, mine = agreement(s, Contribution.prompt_id == prompt_id, viewer_id)
            return _infos(s, prompt_id, rows, counts, mine)

    def page_for_prompt(self, prompt_id: str, viewer_id: str | None = None, offset: int = 0,
                        limit: int = 40) -> ContributionPage:
        """One page of `list_for_prompt` (from `offset`, at most `limit`) and how many there are in all.

        Reads only the page's rows, so it stays quick however many contributions there are.
        """
        prompt_id = check_id(prompt_id, "prompt")
        viewer_id = check_id(viewer_id, "member") if viewer_id else None
        if (isinstance(offset, bool) or not isinstance(offset, int) or offset < 0
                or isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise DomainError("That page of keywords is out of range.")
        with self.store.read() as s:
            only = viewer_id if viewer_id and thinking(s, prompt_id) else None
            total = s.scalar(select(func.count()).select_from(Contribution)
                             .where(*_visible(prompt_id, only))) or 0
            rows = s.execute(_visible_columns(prompt_id, only).limit(limit).offset(offset)).all()
            ids = [row[0] for row in rows]
            counts, mine = agreement(s, Endorsement.contribution_id.in_(ids), viewer_id)
            return ContributionPage(tuple(_infos(s, prompt_id, rows, counts, mine)), total, offset)

    def _contribution_for(self, s: Session, contribution_id: object, member: Member) -> Contribution:
        contribution = self._get(s, Contribution, contribution_id, "contribution")
        self._prompt_for(s, contribution.prompt_id, member)
        return contribution

    @staticmethod
    def _find_duplicate(s: Session, prompt_id: str, text: str) -> Contribution | None:
        key = normalise(text)
        candidates = s.execute(  # ids and texts only: a prompt may hold tens of thousands
            select(Contribution.id, Contribution.text).where(
                Contribution.prompt_id == prompt_id, Contribution.withdrawn.is_(False)
            ).order_by(Contribution.created_at, Contribution.id)
        )
        found = next((cid for cid, body in candidates if normalise(body) == key), None)
        return None if found is None else s.get(Contribution, found)

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
