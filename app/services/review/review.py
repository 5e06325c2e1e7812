"""The facilitator's review: keywords by prompt, themes, hiding, version history, decisions.

Every method but `compare` takes a live FacilitatorSession (see facilitator.py): review
notes and hidden reasons are shown only through it. Each mutating method is one
transaction writing one Event; events carry ids and choices, never free text, so a
name typed into a note or reason is not copied into the audit log.

Decisions: a version may be marked "agreed" (by the group) or "final". A definition has
at most one "final" version: marking another one final clears the earlier mark. The
version an export uses is the newest "final", else the newest "agreed", else the newest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.dto import NewestFirstPage, Outcome
from app.services.errors import DomainError, NotFound
from app.services.export.report import definition_history, version_decisions, version_order
from app.services.export.report import prompt_review as read_prompt
from app.services.review.diff import WordDiff, word_diff
from app.services.review.facilitator import GuardedService
from app.services.review.review_dto import (
    DefinitionHistory,
    FacilitatorSession,
    KeywordRow,
    PromptReview,
    ThemeInfo,
    VersionNode,
)
from app.services.review.review_pages import PER_PAGE as KEYWORDS_PER_PAGE
from app.services.review.review_pages import KeywordPage, find_keyword, keyword_page, prompt_themes
from app.services.validation import check_choice, check_id, clean_text
from app.store.models import (
    DECISIONS,
    MAX_CONTRIBUTION,
    MAX_DRAFT,
    Contribution,
    Definition,
    DraftVersion,
    Member,
    Prompt,
    ReviewNote,
    Theme,
)

MAX_THEME = 200
HISTORY_PER_PAGE = 30


@dataclass(frozen=True)
class HistoryPage(NewestFirstPage):
    """A page of a definition's history: `history.versions` holds the page's versions only."""

    history: DefinitionHistory
    total: int
    page: int
    per_page: int


@dataclass(frozen=True)
class VersionRef:
    """A version by number (oldest is 1) and author, without its text."""

    id: str
    number: int
    author: str | None


class ReviewService(GuardedService):
    """What the facilitator's review screens call."""

    # --- the dashboard -----------------------------------------------------------------------

    def dashboard(self, session: FacilitatorSession) -> tuple[PromptReview, ...]:
        """Every prompt of the session's project with its keywords, themes and meetings."""
        session = self._session(session)
        with self.store.read() as s:
            prompts = s.scalars(
                select(Prompt).where(Prompt.project_id == session.project_id).order_by(Prompt.position)
            ).all()
            return tuple(read_prompt(s, p) for p in prompts)

    def prompt_review(self, session: FacilitatorSession, prompt_id: str) -> PromptReview:
        """One prompt's keywords (hidden ones included and marked), themes and meetings."""
        session = self._session(session)
        with self.store.read() as s:
            return read_prompt(s, self._prompt(s, session, prompt_id))

    def keyword_page(self, session: FacilitatorSession, prompt_id: str, page: int = 0,
                     per_page: int = KEYWORDS_PER_PAGE, theme: str | None = None) -> KeywordPage:
        """One page of `prompt_review`'s keywords, all or one theme's (NO_THEME: in none), with the counts.

        Only the page's keywords are read; a page past the end gives the last page.
        """
        session = self._session(session)
        with self.store.read() as s:
            return keyword_page(s, self._prompt(s, session, prompt_id), page, per_page, theme)

    def keyword(self, session: FacilitatorSession, prompt_id: str, contribution_id: str) -> KeywordRow:
        """One keyword of the prompt as `prompt_review` gives it (reading only that one)."""
        session = self._session(session)
        with self.store.read() as s:
            return find_keyword(s, self._prompt(s, session, prompt_id), contribution_id)

    def themes(self, session: FacilitatorSession, prompt_id: str) -> tuple[ThemeInfo, ...]:
        """The prompt's themes in order, each with its count of visible keywords."""
        session = self._session(session)
        with self.store.read() as s:
            return prompt_themes(s, self._prompt(s, session, prompt_id).id)

    # --- themes ------------------------------------------------------------------------------

    def create_theme(self, session: FacilitatorSession, prompt_id: str, name: str) -> Outcome:
        """Add a theme to a prompt; names are unique within the prompt (case ignored)."""
        session = self._session(session)
        name = clean_text(name, "The theme name", MAX_THEME)
        with self.store.transaction() as s:
            prompt = self._prompt(s, session, prompt_id)
            self._unique_theme(s, prompt.id, name, None)
            last = s.scalars(select(Theme.position).where(Theme.prompt_id == prompt.id)).all()
            theme = Theme(prompt_id=prompt.id, name=name, position=max(last, default=-1) + 1)
            s.add(theme)
            s.flush()
            self._event(s, session.project_id, session.member_id, "theme_created", "theme", theme.id,
                        prompt_id=prompt.id)
            return Outcome(f"Theme added: {name}", record_id=theme.id)

    def rename_theme(self, session: FacilitatorSession, theme_id: str, name: str) -> Outcome:
        """Give a theme a new name."""
        session = self._session(session)
        name = clean_text(name, "The theme name", MAX_THEME)
        with self.store.transaction() as s:
            theme = self._theme(s, session, theme_id)
            self._unique_theme(s, theme.prompt_id, name, theme.id)
            theme.name = name
            self._event(s, session.project_id, session.member_id, "theme_renamed", "theme", theme.id)
            return Outcome(f"Theme renamed: {name}", record_id=theme.id)

    def delete_theme(self, session: FacilitatorSession, theme_id: str) -> Outcome:
        """Remove a theme; its contributions stay, with no theme."""
        session = self._session(session)
        with self.store.transaction() as s:
            theme = self._theme(s, session, theme_id)
            members = s.scalars(select(Contribution).where(Contribution.theme_id == theme.id)).all()
            for c in members:
                c.theme_id = None
            name = theme.name
            s.delete(theme)
            self._event(s, session.project_id, session.member_id, "theme_deleted", "theme", theme_id,
                        contributions=[c.id for c in members])
            return Outcome(f"Theme removed: {name}. Its {len(members)} keywords have no theme now.")

    def move_to_theme(
        self, session: FacilitatorSession, contribution_ids: Sequence[str], theme_id: str | None
    ) -> Outcome:
        """Put contributions into a theme of their prompt, or into none (theme_id None)."""
        session = self._session(session)
        if isinstance(contribution_ids, str) or not isinstance(contribution_ids, (list, tuple)):
            raise DomainError("Choose the keywords to move as a list.")
        if not contribution_ids:
            raise DomainError("Choose at least one keyword to move.")
        with self.store.transaction() as s:
            theme = None if theme_id is None else self._theme(s, session, theme_id)
            moved = []
            for cid in dict.fromkeys(contribution_ids):
                c = self._contribution(s, session, cid)
                if theme is not None and c.prompt_id != theme.prompt_id:
                    raise DomainError("A keyword can only join a theme of its own question.")
                c.theme_id = None if theme is None else theme.id
                moved.append(c.id)
            self._event(s, session.project_id, session.member_id, "theme_assigned", "theme",
                        None if theme is None else theme.id, contributions=moved)
            where = f"into {theme.name}" if theme is not None else "out of their theme"
            return Outcome(f"{len(moved)} moved {where}.", record_id=None if theme is None else theme.id)

    # --- hiding ------------------------------------------------------------------------------

    def hide(self, session: FacilitatorSession, contribution_id: str, reason: str) -> Outcome:
        """Hide a contribution from the group with a reason; it is kept, only marked."""
        session = self._session(session)
        reason = clean_text(reason, "The reason", MAX_CONTRIBUTION)
        with self.store.transaction() as s:
            c = self._contribution(s, session, contribution_id)
            was_hidden = c.hidden
            c.hidden, c.hidden_reason = True, reason
            self._event(s, session.project_id, session.member_id, "contribution_hidden", "contribution", c.id,
                        was_hidden=was_hidden)
            return Outcome(f"Hidden: {c.text}", record_id=c.id)

    def unhide(self, session: FacilitatorSession, contribution_id: str) -> Outcome:
        """Show a hidden contribution to the group again."""
        session = self._session(session)
        with self.store.transaction() as s:
            c = self._contribution(s, session, contribution_id)
            if not c.hidden:
                raise DomainError("That contribution is not hidden.")
            c.hidden, c.hidden_reason = False, None
            self._event(s, session.project_id, session.member_id, "contribution_unhidden", "contribution",
                        c.id)
            return Outcome(f"Shown again: {c.text}", record_id=c.id)

    # --- versions ----------------------------------------------------------------------------

    def history(self, session: FacilitatorSession, prompt_id: str) -> DefinitionHistory:
        """The timeline of a prompt's definition with branches, stances, comments and my notes."""
        session = self._session(session)
        with self.store.read() as s:
            return definition_history(s, self._prompt(s, session, prompt_id))

    def history_page(self, session: FacilitatorSession, prompt_id: str, page: int = 0,
                     per_page: int = HISTORY_PER_PAGE) -> HistoryPage:
        """One page of `history`, newest first: only those versions are read in full.

        A page past the end gives the last page.
        """
        session = self._session(session)
        if (isinstance(page, bool) or not isinstance(page, int) or page < 0
                or isinstance(per_page, bool) or not isinstance(per_page, int) or per_page < 1):
            raise DomainError("That page of versions is out of range.")
        with self.store.read() as s:
            prompt = self._prompt(s, session, prompt_id)
            definition = s.scalar(select(Definition.id).where(Definition.prompt_id == prompt.id))
            order = [] if definition is None else version_order(s, definition)
            total = len(order)
            page = min(page, max(0, (total - 1) // per_page))
            newest = order[::-1][page * per_page:(page + 1) * per_page]
            history = definition_history(s, prompt, only={vid for vid, _ in newest}, order=order)
            return HistoryPage(history, total, page, per_page)

    def version_node(self, session: FacilitatorSession, prompt_id: str, version_id: str) -> VersionNode:
        """One version of the prompt's definition as `history` gives it (reading only that one)."""
        session = self._session(session)
        with self.store.read() as s:
            prompt = self._prompt(s, session, prompt_id)
            nodes = definition_history(s, prompt, only={check_id(version_id, "version")}).versions
        if not nodes:
            raise NotFound("That version belongs to another question.")
        return nodes[0]

    def version_refs(self, session: FacilitatorSession, prompt_id: str) -> tuple[VersionRef, ...]:
        """Every version of the prompt's definition by number and author, oldest first (no text)."""
        session = self._session(session)
        with self.store.read() as s:
            prompt = self._prompt(s, session, prompt_id)
            rows = s.execute(
                select(DraftVersion.id, Member.display_name)
                .join(Definition, Definition.id == DraftVersion.definition_id)
                .outerjoin(Member, Member.id == DraftVersion.author_id)
                .where(Definition.prompt_id == prompt.id)
                .order_by(DraftVersion.created_at, DraftVersion.id)
            ).all()
        return tuple(VersionRef(vid, i + 1, name) for i, (vid, name) in enumerate(rows))

    def compare(self, older_id: str, newer_id: str) -> WordDiff:
        """The word-level difference between two versions (group text only: no session needed)."""
        with self.store.read() as s:
            older = self._get(s, DraftVersion, older_id, "version")
            newer = self._get(s, DraftVersion, newer_id, "version")
            return word_diff(older.text, newer.text)

    def set_decision(self, session: FacilitatorSession, version_id: str, decision: str | None) -> Outcome:
        """Mark a version "agreed" (by the group) or "final", or clear the mark (None)."""
        session = self._session(session)
        if decision is not None:
            decision = check_choice(decision, "The decision", DECISIONS)
        with self.store.transaction() as s:
            version = self._version(s, session, version_id)
            cleared: list[str] = []
            if decision == "final":
                others = s.scalars(
                    select(ReviewNote)
                    .join(DraftVersion, DraftVersion.id == ReviewNote.version_id)
                    .where(DraftVersion.definition_id == version.definition_id,
                           ReviewNote.version_id != version.id, ReviewNote.decision == "final")
                ).all()
                for note in others:
                    note.decision = None
                    cleared.append(note.version_id)
            note = self._note_row(s, version.id, session.member_id)
            before = version_decisions(s, [version.id]).get(version.id)
            for extra in s.scalars(select(ReviewNote).where(ReviewNote.version_id == version.id)):
                extra.decision = None
            note.decision = decision
            self._event(s, session.project_id, session.member_id, "decision_set", "draft_version", version.id,
                        decision=decision, before=before, cleared=sorted(set(cleared)))
            said = {"agreed": "agreed by the group", "final": "final", None: "not marked"}[decision]
            return Outcome(f"This version is now {said}.", record_id=version.id)

    def set_note(self, session: FacilitatorSession, version_id: str, text: str) -> Outcome:
        """Replace my private review note on a version (empty text clears it)."""
        session = self._session(session)
        text = clean_text(text, "The note", MAX_DRAFT, allow_empty=True)
        with self.store.transaction() as s:
            version = self._version(s, session, version_id)
            note = self._note_row(s, version.id, session.member_id)
            note.text = text
            self._event(s, session.project_id, session.member_id, "review_note_saved", "draft_version",
                        version.id, length=len(text))
            return Outcome("Note saved." if text else "Note cleared.", record_id=note.id)

    # --- lookups -----------------------------------------------------------------------------

    def _prompt(self, s: Session, session: FacilitatorSession, prompt_id: object) -> Prompt:
        prompt = self._get(s, Prompt, prompt_id, "prompt")
        if prompt.project_id != session.project_id:
            raise NotFound("That prompt belongs to another project.")
        return prompt

    def _theme(self, s: Session, session: FacilitatorSession, theme_id: object) -> Theme:
        theme = self._get(s, Theme, theme_id, "theme")
        self._prompt(s, session, theme.prompt_id)
        return theme

    def _contribution(self, s: Session, session: FacilitatorSession, cid: object) -> Contribution:
        c = self._get(s, Contribution, cid, "contribution")
        self._prompt(s, session, c.prompt_id)
        if c.withdrawn:
            raise NotFound("That contribution was withdrawn.")
        return c

    def _version(self, s: Session, session: FacilitatorSession, version_id: object) -> DraftVersion:
        version = self._get(s, DraftVersion, version_id, "version")
        definition = s.get(Definition, version.definition_id)
        if definition is None:
            raise NotFound("Unknown version.")
        self._prompt(s, session, definition.prompt_id)
        return version

    @staticmethod
    def _unique_theme(s: Session, prompt_id: str, name: str, own_id: str | None) -> None:
        key = " ".join(name.split()).casefold()
        for theme in s.scalars(select(Theme).where(Theme.prompt_id == prompt_id)):
            if theme.id != own_id and " ".join(theme.name.split()).casefold() == key:
                raise DomainError(f"This question already has a theme called {theme.name}.")

    @staticmethod
    def _note_row(s: Session, version_id: str, author_id: str | None) -> ReviewNote:
        """The version's (first) review note, made if there is none yet."""
        note = s.scalar(
            select(ReviewNote).where(ReviewNote.version_id == check_id(version_id, "version"))
            .order_by(ReviewNote.created_at, ReviewNote.id).limit(1)
        )
        if note is None:
            note = ReviewNote(version_id=version_id, author_id=author_id, text="")
            s.add(note)
            s.flush()
        return note
