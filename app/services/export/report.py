"""Reading a prompt's keywords and definition history: shared by the review screens and exports.

The review screens see everything (hidden keywords, private notes, display names); an
export sees what a report may show: no hidden or withdrawn contributions, no review
notes, names through `public_name` and words through `QuotePolicy` (both in
export/consent.py). Writing the files is in export/files.py.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.services.dto import CommentInfo, StanceSummary
from app.services.export.consent import NOT_QUOTED, public_name, quote_all
from app.services.export.files import (
    ExportError,
    atomic_writer,
    check_file_target,
    log_export,
)
from app.services.group.projects import prompt_info
from app.services.review.review_dto import (
    DefinitionHistory,
    KeywordRow,
    MeetingInfo,
    PromptReview,
    ThemeInfo,
    VersionNode,
)
from app.store.models import (
    STANCES,
    Comment,
    Contribution,
    Definition,
    DraftVersion,
    Endorsement,
    Meeting,
    Member,
    Prompt,
    ReviewNote,
    Stance,
    Theme,
)

__all__ = ["NOT_QUOTED", "ExportError", "atomic_writer", "check_file_target", "log_export",
           "public_name"]

Progress = Callable[[int, int], None]
Namer = Callable[[Member | None], str | None]
Quoter = Callable[[Member | None, str], str]  # a writer and their words -> what may be shown
ANONYMOUS = "anonymous"
CHUNK = 500


def review_name(member: Member | None) -> str | None:
    """How the facilitator's screens name a member: the display name (None: no one)."""
    return None if member is None else member.display_name


# --- decisions, stances, branches ------------------------------------------------------------


def in_chunks(ids: Iterable[str], size: int = CHUNK) -> Iterator[list[str]]:
    """`ids` in lists of at most `size` (an IN list of each stays well under any driver's limit)."""
    items = list(ids)
    return (items[i:i + size] for i in range(0, len(items), size))


def version_decisions(s: Session, version_ids: Sequence[str]) -> dict[str, str]:
    """The decision on each version that has one (the newest note with a decision wins)."""
    out: dict[str, str] = {}
    for batch in in_chunks(version_ids):  # a version's notes all fall in one batch
        out.update(s.execute(
            select(ReviewNote.version_id, ReviewNote.decision)
            .where(ReviewNote.version_id.in_(batch), ReviewNote.decision.is_not(None))
            .order_by(ReviewNote.created_at, ReviewNote.id)
        ).all())
    return out


def choose_version(ordered_ids: Sequence[str], decisions: dict[str, str]) -> tuple[str | None, str | None]:
    """(version id, rule) for an export: newest "final", else newest "agreed", else newest."""
    for kind in ("final", "agreed"):
        marked = [v for v in ordered_ids if decisions.get(v) == kind]
        if marked:
            return marked[-1], kind
    return (ordered_ids[-1], "current") if ordered_ids else (None, None)


def stance_summaries(s: Session, project_id: str, version_ids: Sequence[str]) -> dict[str, StanceSummary]:
    """A StanceSummary per version, as DraftService.stance_summary gives, in one read."""
    said: dict[str, dict[str, str]] = defaultdict(dict)
    for batch in in_chunks(version_ids):
        for vid, member_id, position in s.execute(
            select(Stance.version_id, Stance.member_id, Stance.position).where(Stance.version_id.in_(batch))
        ):
            said[vid][member_id] = position
    participants = s.execute(
        select(Member.id, Member.display_name)
        .where(Member.project_id == project_id, Member.role == "participant", Member.withdrawn_at.is_(None))
        .order_by(Member.position, Member.display_name)
    ).all()
    out = {}
    for vid in version_ids:
        counts = {p: 0 for p in STANCES}
        for position in said[vid].values():
            counts[position] += 1
        out[vid] = StanceSummary(vid, counts, [name for mid, name in participants if mid not in said[vid]])
    return out


def branch_lanes(ordered: Sequence[tuple[str, str | None]]) -> dict[str, int]:
    """A drawing column per version, oldest first: a parent's first child (and the first root)
    continues its lane; every other version opens a new one."""
    lanes: dict[str, int] = {}
    continued: set[str | None] = set()
    opened = 0  # lanes so far (each new one is numbered next)
    for vid, parent in ordered:
        key = parent if parent in lanes else None
        if key is not None and key not in continued:
            lanes[vid] = lanes[key]
        else:
            lanes[vid], opened = opened, opened + 1
        continued.add(key)
    return lanes


# --- one prompt --------------------------------------------------------------------------------


def _members(s: Session, project_id: str) -> dict[str, Member]:
    """The project's members by id, read once (not once per row that names one)."""
    return {m.id: m for m in s.scalars(select(Member).where(Member.project_id == project_id))}


def _comments(s: Session, where: ColumnElement[bool], name: Namer, members: dict[str, Member],
              quote: Quoter = quote_all) -> dict[str, list[CommentInfo]]:
    out: dict[str, list[CommentInfo]] = defaultdict(list)
    for cid, target, member_id, text, created_at in s.execute(
        select(Comment.id, func.coalesce(Comment.version_id, Comment.contribution_id), Comment.member_id,
               Comment.text, Comment.created_at)
        .where(where).order_by(Comment.created_at, Comment.id)
    ):
        member = members.get(member_id) if member_id is not None else None
        out[target].append(CommentInfo(cid, name(member), quote(member, text), created_at))
    return out


def prompt_review(s: Session, prompt: Prompt, name: Namer = review_name, hidden: bool = True,
                  quote: Quoter = quote_all) -> PromptReview:
    """A prompt's contributions (never withdrawn ones; hidden ones when `hidden`), themes, meetings;
    each text as `quote` lets it be shown."""
    shown = [Contribution.prompt_id == prompt.id, Contribution.withdrawn.is_(False)]
    if not hidden:
        shown.append(Contribution.hidden.is_(False))
    members = _members(s, prompt.project_id)
    meetings = {m.id: m for m in s.scalars(select(Meeting).where(Meeting.project_id == prompt.project_id))}
    theme_names = dict(s.execute(select(Theme.id, Theme.name).join(Prompt, Prompt.id == Theme.prompt_id)
                                 .where(Prompt.project_id == prompt.project_id)).all())
    endorsers: dict[str, list[str]] = defaultdict(list)
    for cid, member_id in s.execute(
        select(Endorsement.contribution_id, Endorsement.member_id)
        .join(Member, Member.id == Endorsement.member_id)
        .join(Contribution, Contribution.id == Endorsement.contribution_id)
        .where(*shown, Endorsement.active.is_(True))
        .order_by(Member.position, Member.display_name)
    ):
        endorsers[cid].append(name(members.get(member_id)) or ANONYMOUS)
    comments = _comments(s, Comment.contribution_id.in_(select(Contribution.id).where(*shown)), name, members,
                         quote)
    keywords, used, in_theme = [], {}, Counter[str]()
    c = Contribution
    for cid, text, kind, member_id, meeting_id, theme_id, is_hidden, reason, created_at in s.execute(
        select(c.id, c.text, c.kind, c.member_id, c.meeting_id, c.theme_id, c.hidden, c.hidden_reason,
               c.created_at).where(*shown).order_by(c.created_at, c.id)
    ):
        meeting = meetings.get(meeting_id) if meeting_id is not None else None
        if meeting is not None:
            used[meeting.id] = MeetingInfo(meeting.id, meeting.held_on, meeting.title)
        if theme_id is not None and not is_hidden:
            in_theme[theme_id] += 1
        who = tuple(endorsers.pop(cid, ()))
        writer = members.get(member_id) if member_id is not None else None
        keywords.append(KeywordRow(
            id=cid, prompt_id=prompt.id, text=quote(writer, text), kind=kind, author=name(writer),
            endorsements=len(who), endorsers=who, meeting_id=meeting_id,
            meeting=None if meeting is None else f"{meeting.title or 'Meeting'} ({meeting.held_on})",
            theme_id=theme_id, theme=theme_names.get(theme_id) if theme_id is not None else None,
            hidden=is_hidden, hidden_reason=reason, created_at=created_at,
            comments=tuple(comments.pop(cid, ())),
        ))
    themes = tuple(
        ThemeInfo(t.id, t.prompt_id, t.name, t.position, in_theme[t.id])
        for t in s.scalars(select(Theme).where(Theme.prompt_id == prompt.id)
                           .order_by(Theme.position, Theme.created_at))
    )
    ordered_meetings = tuple(sorted(used.values(), key=lambda m: (m.held_on, m.title)))
    return PromptReview(prompt_info(prompt), tuple(keywords), themes, ordered_meetings)


def version_order(s: Session, definition_id: str) -> list[tuple[str, str | None]]:
    """(id, parent id) of every version of a definition, oldest first: cheap, no text."""
    return [(vid, parent) for vid, parent in s.execute(
        select(DraftVersion.id, DraftVersion.parent_id).where(DraftVersion.definition_id == definition_id)
        .order_by(DraftVersion.created_at, DraftVersion.id))]


def definition_history(s: Session, prompt: Prompt, name: Namer = review_name, notes: bool = True,
                       only: Collection[str] | None = None,
                       order: list[tuple[str, str | None]] | None = None,
                       quote: Quoter = quote_all) -> DefinitionHistory:
    """Every version of the prompt's definition, oldest first; review notes only when `notes`.

    The versions' text is the group's and is given whole; notes and comments pass `quote`.

    With `only`, just those versions are read in full and listed; numbers, branches, siblings
    and the chosen and current versions still count every version. `order` is `version_order`
    of the definition, when the caller has it already.
    """
    definition = s.scalar(select(Definition).where(Definition.prompt_id == prompt.id))
    if order is None:
        order = [] if definition is None else version_order(s, definition.id)
    ids = [vid for vid, _ in order]
    numbers = {vid: i + 1 for i, vid in enumerate(ids)}
    children: dict[str | None, list[str]] = defaultdict(list)
    for vid, parent in order:
        children[parent].append(vid)
    lanes = branch_lanes(order)
    decisions = version_decisions(s, ids)
    chosen_ids = None if only is None else set(only)
    wanted = ids if chosen_ids is None else [vid for vid in ids if vid in chosen_ids]
    if definition is None or not wanted:
        where_sets: list[ColumnElement[bool]] = []
    elif only is None:
        where_sets = [DraftVersion.definition_id == definition.id]
    else:
        where_sets = [DraftVersion.id.in_(batch) for batch in in_chunks(wanted)]
    members = _members(s, prompt.project_id)
    rows: dict[str, Any] = {}
    comments: dict[str, list[CommentInfo]] = {}
    memo: dict[str, list[str]] = defaultdict(list)
    for where in where_sets:
        rows.update((row[0], row) for row in s.execute(
            select(DraftVersion.id, DraftVersion.parent_id, DraftVersion.author_id, DraftVersion.text,
                   DraftVersion.note, DraftVersion.created_at).where(where)))
        versions = select(DraftVersion.id).where(where)
        comments.update(_comments(s, Comment.version_id.in_(versions), name, members, quote))
        if notes:
            for vid, text in s.execute(
                select(ReviewNote.version_id, ReviewNote.text).where(ReviewNote.version_id.in_(versions))
                .order_by(ReviewNote.created_at, ReviewNote.id)
            ):
                if text:
                    memo[vid].append(text)
    stances = stance_summaries(s, prompt.project_id, wanted)
    current = ids[-1] if ids else None
    nodes = []
    for vid in wanted:
        _id, parent_id, author_id, text, note, created_at = rows[vid]
        author = members.get(author_id) if author_id is not None else None
        nodes.append(VersionNode(
            id=vid, number=numbers[vid], parent_id=parent_id, parent_number=numbers.get(parent_id or ""),
            children=tuple(children[vid]), sibling_ids=tuple(x for x in children[parent_id] if x != vid),
            sibling_group=parent_id or "root", lane=lanes[vid],
            author=name(author), text=text, note=quote(author, note), created_at=created_at,
            stances=stances[vid], comments=tuple(comments.get(vid, ())),
            decision=decisions.get(vid), review_note="\n\n".join(memo[vid]), is_current=vid == current,
        ))
    chosen, kind = choose_version(ids, decisions)
    return DefinitionHistory(prompt.id, None if definition is None else definition.id, tuple(nodes), current,
                             chosen, kind)
