"""Definitions: immutable draft versions, stances and comments."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.services.base import ServiceBase
from app.services.dto import CommentInfo, NewestFirstPage, Outcome, StanceInfo, StanceSummary, VersionInfo
from app.services.errors import DomainError
from app.services.export.report import stance_summaries
from app.services.validation import check_choice, check_id, clean_text
from app.store.models import (
    MAX_CONTRIBUTION,
    MAX_DRAFT,
    STANCES,
    Comment,
    Definition,
    DraftVersion,
    Member,
    Prompt,
    Stance,
    utcnow,
)

MAX_NOTE = 500
VERSIONS_PER_PAGE = 30



def _with_author() -> Select[tuple[DraftVersion, str | None]]:
    """Versions with their author's display name (None when no author is left)."""
    return select(DraftVersion, Member.display_name).outerjoin(Member, Member.id == DraftVersion.author_id)


def _of_prompt(prompt_id: str) -> Select[tuple[DraftVersion, str | None]]:
    """The versions of a prompt's definition, with their authors' names."""
    return (_with_author().join(Definition, Definition.id == DraftVersion.definition_id)
            .where(Definition.prompt_id == check_id(prompt_id, "prompt")))

@dataclass(frozen=True)
class VersionEntry:
    """A version as a list shows it: its number (oldest is 1), its siblings' numbers, the stances."""

    version: VersionInfo
    number: int
    sibling_numbers: tuple[int, ...]
    stances: StanceSummary


@dataclass(frozen=True)
class VersionPage(NewestFirstPage):
    """One page of a definition's versions, newest first, and the chosen version (on any page)."""

    entries: tuple[VersionEntry, ...]
    total: int
    page: int
    per_page: int
    chosen: VersionEntry | None = None


def _version_info(v: DraftVersion, prompt_id: str, author: str | None) -> VersionInfo:
    return VersionInfo(
        id=v.id, definition_id=v.definition_id, prompt_id=prompt_id, parent_id=v.parent_id,
        author=author, text=v.text, note=v.note, created_at=v.created_at,
    )


class DraftService(ServiceBase):
    """Saving versions (never overwriting), stances and comments."""

    def save_version(
        self, member_id: str, prompt_id: str, text: str, parent_id: str | None, note: str = ""
    ) -> Outcome:
        """Save a new version of the prompt's definition, written from `parent_id`."""
        text = clean_text(text, "The definition", MAX_DRAFT)
        note = clean_text(note, "The note", MAX_NOTE, allow_empty=True)
        with self.store.transaction() as s:
            member = self._member(s, member_id)
            prompt = self._prompt_for(s, prompt_id, member)
            definition = s.scalar(select(Definition).where(Definition.prompt_id == prompt.id))
            if definition is None:
                definition = Definition(prompt_id=prompt.id)
                s.add(definition)
                s.flush()
            if parent_id is not None:
                parent = self._get(s, DraftVersion, parent_id, "version")
                if parent.definition_id != definition.id:
                    raise DomainError("That earlier version belongs to another definition.")
            version = DraftVersion(
                definition_id=definition.id, parent_id=parent_id, author_id=member.id,
                text=text, note=note,
            )
            s.add(version)
            s.flush()
            event = self._event(
                s, member.project_id, member.id, "version_saved", "draft_version", version.id,
                parent_id=parent_id, note=note,
            )
            return Outcome(
                "New version saved. Everyone can say again where they stand.",
                undo_token=event.id, record_id=version.id,
            )

    def list_versions(self, prompt_id: str) -> list[VersionInfo]:
        """Every version of the prompt's definition, oldest first."""
        with self.store.read() as s:
            rows = s.execute(
                _of_prompt(prompt_id).order_by(DraftVersion.created_at, DraftVersion.id)
            ).all()
            return [_version_info(v, prompt_id, name) for v, name in rows]

    def version_page(self, prompt_id: str, page: int = 0, per_page: int = VERSIONS_PER_PAGE,
                     chosen: str | None = None) -> VersionPage:
        """A page of versions, newest first, with numbers, siblings and stances; and `chosen`.

        Reads the text and stances of the page's versions only (and of the chosen one), so it
        stays quick however many versions there are. A page past the end gives the last page.
        """
        prompt_id = check_id(prompt_id, "prompt")
        if (isinstance(page, bool) or not isinstance(page, int) or page < 0
                or isinstance(per_page, bool) or not isinstance(per_page, int) or per_page < 1):
            raise DomainError("That page of versions is out of range.")
        with self.store.read() as s:
            prompt = self._get(s, Prompt, prompt_id, "prompt")
            order = s.execute(
                select(DraftVersion.id, DraftVersion.parent_id)
                .join(Definition, Definition.id == DraftVersion.definition_id)
                .where(Definition.prompt_id == prompt.id)
                .order_by(DraftVersion.created_at, DraftVersion.id)
            ).all()
            numbers = {vid: i + 1 for i, (vid, _parent) in enumerate(order)}
            children: dict[str | None, list[str]] = {}
            for vid, parent in order:
                children.setdefault(parent, []).append(vid)
            parents = dict(order)
            page = min(page, max(0, (len(order) - 1) // per_page))
            newest = [vid for vid, _parent in reversed(order)][page * per_page:(page + 1) * per_page]
            wanted = [*newest, *([chosen] if chosen in numbers and chosen not in newest else [])]
            rows = s.execute(_with_author().where(DraftVersion.id.in_(wanted))).all()
            infos = {v.id: _version_info(v, prompt.id, name) for v, name in rows}
            stances = stance_summaries(s, prompt.project_id, wanted)
        entries = {
            vid: VersionEntry(infos[vid], numbers[vid],
                              tuple(numbers[x] for x in children[parents[vid]] if x != vid), stances[vid])
            for vid in wanted
        }
        return VersionPage(tuple(entries[vid] for vid in newest), len(order), page, per_page,
                           entries.get(chosen) if chosen is not None else None)

    def current_version(self, prompt_id: str) -> VersionInfo | None:
        """The newest version of the prompt's definition, if any (the last of `list_versions`)."""
        with self.store.read() as s:
            row = s.execute(
                _of_prompt(prompt_id)
                .order_by(DraftVersion.created_at.desc(), DraftVersion.id.desc())
                .limit(1)
            ).first()
            return None if row is None else _version_info(row[0], prompt_id, row[1])

    def set_stance(self, member_id: str, version_id: str, position: str, reason: str = "") -> Outcome:
        """Record (or change) the member's agree / unsure / disagree on a version."""
        position = check_choice(position, "The stance", STANCES)
        reason = clean_text(reason, "The reason", MAX_CONTRIBUTION, allow_empty=True)
        with self.store.transaction() as s:
            member = self._member(s, member_id)
            version = self._version_for(s, version_id, member)
            stance = s.scalar(
                select(Stance).where(Stance.version_id == version.id, Stance.member_id == member.id)
            )
            before = None if stance is None else {"position": stance.position, "reason": stance.reason}
            if stance is None:
                stance = Stance(version_id=version.id, member_id=member.id, position=position)
                s.add(stance)
            stance.position = position
            stance.reason = reason
            stance.updated_at = utcnow()
            s.flush()
            event = self._event(
                s, member.project_id, member.id, "stance_set", "draft_version", version.id,
                position=position, before=before,
            )
            return Outcome(f"You said: {position}.", undo_token=event.id, record_id=stance.id)

    def list_stances(self, version_id: str) -> list[StanceInfo]:
        """Every stance taken on a version."""
        with self.store.read() as s:
            rows = s.execute(
                select(Stance, Member.display_name)
                .join(Member, Member.id == Stance.member_id)
                .where(Stance.version_id == check_id(version_id, "version"))
                .order_by(Member.display_name)
            ).all()
            return [
                StanceInfo(st.version_id, st.member_id, name, st.position, st.reason)
                for st, name in rows
            ]

    def stance_summary(self, version_id: str) -> StanceSummary:
        """Counts of agree / unsure / disagree, and the participants yet to respond."""
        stances = self.list_stances(version_id)
        counts = {p: 0 for p in STANCES}
        for st in stances:
            counts[st.position] += 1
        with self.store.read() as s:
            version = self._get(s, DraftVersion, version_id, "version")
            definition = s.get(Definition, version.definition_id)
            prompt = s.get(Prompt, definition.prompt_id) if definition else None
            said = {st.member_id for st in stances}
            members = s.scalars(
                select(Member)
                .where(
                    Member.project_id == (prompt.project_id if prompt else ""),
                    Member.role == "participant",
                    Member.withdrawn_at.is_(None),
                )
                .order_by(Member.position, Member.display_name)
            ).all()
            waiting = [m.display_name for m in members if m.id not in said]
        return StanceSummary(version_id, counts, waiting)

    def siblings(self, version_id: str) -> list[VersionInfo]:
        """Other versions written from the same earlier version (concurrent edits)."""
        with self.store.read() as s:
            version = self._get(s, DraftVersion, version_id, "version")
            definition = s.get(Definition, version.definition_id)
            prompt_id = definition.prompt_id if definition else ""
            rows = s.execute(
                _with_author()
                .where(
                    DraftVersion.definition_id == version.definition_id,
                    DraftVersion.parent_id.is_(None)
                    if version.parent_id is None
                    else DraftVersion.parent_id == version.parent_id,
                    DraftVersion.id != version.id,
                )
                .order_by(DraftVersion.created_at)
            ).all()
            return [_version_info(v, prompt_id, name) for v, name in rows]

    def comment(self, member_id: str, version_id: str, text: str) -> Outcome:
        """Add a comment on a version."""
        text = clean_text(text, "The comment", MAX_CONTRIBUTION)
        with self.store.transaction() as s:
            member = self._member(s, member_id)
            version = self._version_for(s, version_id, member)
            comment = Comment(version_id=version.id, member_id=member.id, text=text)
            s.add(comment)
            s.flush()
            event = self._event(
                s, member.project_id, member.id, "comment_added", "comment", comment.id
            )
            return Outcome("Comment added.", undo_token=event.id, record_id=comment.id)

    def list_comments(self, version_id: str) -> list[CommentInfo]:
        """The comments on a version, oldest first."""
        with self.store.read() as s:
            rows = s.execute(
                select(Comment, Member.display_name)
                .outerjoin(Member, Member.id == Comment.member_id)
                .where(Comment.version_id == check_id(version_id, "version"))
                .order_by(Comment.created_at)
            ).all()
            return [CommentInfo(c.id, name, c.text, c.created_at) for c, name in rows]

    def _version_for(self, s: Session, version_id: object, member: Member) -> DraftVersion:
        version = self._get(s, DraftVersion, version_id, "version")
        definition = s.get(Definition, version.definition_id)
        prompt = s.get(Prompt, definition.prompt_id) if definition else None
        if prompt is None or prompt.project_id != member.project_id:
            raise DomainError("That version belongs to another project.")
        return version
