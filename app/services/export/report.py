"""Reading a prompt's keywords and definition history: shared by the review screens and exports.

The review screens see everything (hidden keywords, private notes, display names); an
export sees what a report may show: no hidden or withdrawn contributions, no review
notes, and names through `public_name` (see there).
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.services.dto import CommentInfo, PromptInfo, StanceSummary
from app.services.errors import DomainError, NotFound
from app.services.projects import prompt_info
from app.services.review_dto import (
    DefinitionHistory,
    KeywordRow,
    MeetingInfo,
    PromptReview,
    ThemeInfo,
    VersionNode,
)
from app.store.database import Store
from app.store.models import (
    STANCES,
    Comment,
    Contribution,
    Definition,
    DraftVersion,
    Endorsement,
    Event,
    Meeting,
    Member,
    Project,
    Prompt,
    ReviewNote,
    Stance,
    Theme,
)

Progress = Callable[[int, int], None]
Namer = Callable[[Member | None], str | None]
ANONYMOUS = "anonymous"


class ExportError(DomainError):
    """An export could not be written; the message says why."""


def review_name(member: Member | None) -> str | None:
    """How the facilitator's screens name a member: the display name (None: no one)."""
    return None if member is None else member.display_name


def public_name(member: Member | None, real_names: bool = False) -> str | None:
    """How an export names a member; None means "anonymous".

    Anonymous for: no member (an anonymous contribution), a withdrawn member, and a member
    whose consent record says credit "anonymous". Otherwise the display name, which is a
    pseudonym. `real_names` is accepted for when the schema holds real names; it has no
    such field, so today both choices give the display name.
    """
    if member is None or member.withdrawn_at is not None or member.credit == "anonymous":
        return None
    return member.display_name


# --- decisions, stances, branches ------------------------------------------------------------


def version_decisions(s: Session, version_ids: Sequence[str]) -> dict[str, str]:
    """The decision on each version that has one (the newest note with a decision wins)."""
    rows = s.execute(
        select(ReviewNote.version_id, ReviewNote.decision)
        .where(ReviewNote.version_id.in_(list(version_ids)), ReviewNote.decision.is_not(None))
        .order_by(ReviewNote.created_at, ReviewNote.id)
    ).all()
    return {vid: decision for vid, decision in rows}


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
    for vid, member_id, position in s.execute(
        select(Stance.version_id, Stance.member_id, Stance.position).where(
            Stance.version_id.in_(list(version_ids))
        )
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
    for vid, parent in ordered:
        key = parent if parent in lanes else None
        lanes[vid] = lanes[key] if key is not None and key not in continued else len(set(lanes.values()))
        continued.add(key)
    return lanes


# --- one prompt --------------------------------------------------------------------------------


def _comments(s: Session, column: Any, ids: Sequence[str], name: Namer) -> dict[str, list[CommentInfo]]:
    out: dict[str, list[CommentInfo]] = defaultdict(list)
    for c, member in s.execute(
        select(Comment, Member).outerjoin(Member, Member.id == Comment.member_id)
        .where(column.in_(list(ids)))
        .order_by(Comment.created_at, Comment.id)
    ):
        out[c.version_id or c.contribution_id].append(CommentInfo(c.id, name(member), c.text, c.created_at))
    return out


def prompt_review(s: Session, prompt: Prompt, name: Namer = review_name, hidden: bool = True) -> PromptReview:
    """A prompt's contributions (never withdrawn ones; hidden ones when `hidden`), themes, meetings."""
    query = (
        select(Contribution, Member, Meeting, Theme.name)
        .outerjoin(Member, Member.id == Contribution.member_id)
        .outerjoin(Meeting, Meeting.id == Contribution.meeting_id)
        .outerjoin(Theme, Theme.id == Contribution.theme_id)
        .where(Contribution.prompt_id == prompt.id, Contribution.withdrawn.is_(False))
        .order_by(Contribution.created_at, Contribution.id)
    )
    rows = s.execute(query if hidden else query.where(Contribution.hidden.is_(False))).all()
    ids = [c.id for c, *_ in rows]
    endorser = aliased(Member)
    endorsers: dict[str, list[str]] = defaultdict(list)
    for cid, member in s.execute(
        select(Endorsement.contribution_id, endorser).join(endorser, endorser.id == Endorsement.member_id)
        .where(Endorsement.contribution_id.in_(ids), Endorsement.active.is_(True))
        .order_by(endorser.position, endorser.display_name)
    ):
        endorsers[cid].append(name(member) or ANONYMOUS)
    comments = _comments(s, Comment.contribution_id, ids, name)
    keywords, meetings = [], {}
    for c, author, meeting, theme in rows:
        if meeting is not None:
            meetings[meeting.id] = MeetingInfo(meeting.id, meeting.held_on, meeting.title)
        keywords.append(KeywordRow(
            id=c.id, prompt_id=c.prompt_id, text=c.text, kind=c.kind, author=name(author),
            endorsements=len(endorsers[c.id]), endorsers=tuple(endorsers[c.id]), meeting_id=c.meeting_id,
            meeting=None if meeting is None else f"{meeting.title or 'Meeting'} ({meeting.held_on})",
            theme_id=c.theme_id, theme=theme, hidden=c.hidden, hidden_reason=c.hidden_reason,
            created_at=c.created_at, comments=tuple(comments[c.id]),
        ))
    themes = tuple(
        ThemeInfo(t.id, t.prompt_id, t.name, t.position,
                  sum(1 for k in keywords if k.theme_id == t.id and not k.hidden))
        for t in s.scalars(select(Theme).where(Theme.prompt_id == prompt.id)
                           .order_by(Theme.position, Theme.created_at))
    )
    ordered_meetings = tuple(sorted(meetings.values(), key=lambda m: (m.held_on, m.title)))
    return PromptReview(prompt_info(prompt), tuple(keywords), themes, ordered_meetings)


def definition_history(s: Session, prompt: Prompt, name: Namer = review_name, notes: bool = True
                       ) -> DefinitionHistory:
    """Every version of the prompt's definition, oldest first; review notes only when `notes`."""
    definition = s.scalar(select(Definition).where(Definition.prompt_id == prompt.id))
    rows = [] if definition is None else s.execute(
        select(DraftVersion, Member).outerjoin(Member, Member.id == DraftVersion.author_id)
        .where(DraftVersion.definition_id == definition.id)
        .order_by(DraftVersion.created_at, DraftVersion.id)
    ).all()
    ids = [v.id for v, _ in rows]
    numbers = {vid: i + 1 for i, vid in enumerate(ids)}
    children: dict[str | None, list[str]] = defaultdict(list)
    for v, _ in rows:
        children[v.parent_id].append(v.id)
    lanes = branch_lanes([(v.id, v.parent_id) for v, _ in rows])
    decisions = version_decisions(s, ids)
    stances = stance_summaries(s, prompt.project_id, ids)
    comments = _comments(s, Comment.version_id, ids, name)
    memo: dict[str, list[str]] = defaultdict(list)
    if notes:
        for vid, text in s.execute(
            select(ReviewNote.version_id, ReviewNote.text).where(ReviewNote.version_id.in_(ids))
            .order_by(ReviewNote.created_at, ReviewNote.id)
        ):
            if text:
                memo[vid].append(text)
    current = ids[-1] if ids else None
    nodes = tuple(
        VersionNode(
            id=v.id, number=numbers[v.id], parent_id=v.parent_id,
            parent_number=numbers.get(v.parent_id or ""),
            children=tuple(children[v.id]), sibling_ids=tuple(x for x in children[v.parent_id] if x != v.id),
            sibling_group=v.parent_id or "root", lane=lanes[v.id], author=name(author), text=v.text,
            note=v.note, created_at=v.created_at, stances=stances[v.id], comments=tuple(comments[v.id]),
            decision=decisions.get(v.id), review_note="\n\n".join(memo[v.id]), is_current=v.id == current,
        )
        for v, author in rows
    )
    chosen, kind = choose_version(ids, decisions)
    return DefinitionHistory(prompt.id, None if definition is None else definition.id, nodes, current,
                             chosen, kind)


# --- the report ----------------------------------------------------------------------------------

CHOSEN_LABELS = {"final": "final", "agreed": "agreed by the group", "current": "latest version"}


@dataclass(frozen=True)
class PromptSection:
    """One prompt as a report shows it: its keywords and its definition's history."""

    prompt: PromptInfo
    review: PromptReview
    history: DefinitionHistory

    @property
    def chosen(self) -> VersionNode | None:
        """The definition the report leads with (see DefinitionHistory.chosen_id)."""
        return next((v for v in self.history.versions if v.id == self.history.chosen_id), None)

    @property
    def chosen_label(self) -> str:
        """"final", "agreed by the group", "latest version" or "no definition yet"."""
        return CHOSEN_LABELS.get(self.history.chosen_kind or "", "no definition yet")


@dataclass(frozen=True)
class Report:
    """Everything a DOCX or Markdown report shows, gathered in one read."""

    project_id: str
    project_name: str
    exported_on: date
    real_names: bool
    sections: tuple[PromptSection, ...]

    @property
    def pairs(self) -> list[tuple[PromptSection, PromptSection]]:
        """(now, future) sections of paired prompts, in prompt order."""
        by_id = {sec.prompt.id: sec for sec in self.sections}
        return [
            (sec, by_id[sec.prompt.paired_with_id])
            for sec in self.sections
            if sec.prompt.pair_role == "now" and sec.prompt.paired_with_id in by_id
        ]


def gather_report(store: Store, project_id: str, real_names: bool = False) -> Report:
    """The report of a project: visible keywords, definitions and history; no private notes."""
    with store.read() as s:
        project = s.get(Project, project_id) if isinstance(project_id, str) else None
        if project is None:
            raise NotFound("Unknown project.")
        prompts = s.scalars(select(Prompt).where(Prompt.project_id == project.id).order_by(Prompt.position))
        name = partial(public_name, real_names=real_names)
        sections = tuple(
            PromptSection(prompt_info(p), prompt_review(s, p, name, hidden=False),
                          definition_history(s, p, name, notes=False))
            for p in prompts
        )
        return Report(project.id, project.name, date.today(), real_names, sections)


# --- writing files -------------------------------------------------------------------------------


def check_file_target(path: Path | str) -> Path:
    """A file path whose folder exists (else ExportError)."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise ExportError(f"{target} is a folder; give a file name.")
    if not target.parent.is_dir():
        raise ExportError(f"The folder {target.parent} does not exist.")
    return target


def atomic_write(path: Path, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path` (owner-only), then rename it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)  # personal data: readable by its owner only, like the database
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def log_export(store: Store, project_id: str, member_id: str | None, fmt: str, paths: Sequence[Path],
               real_names: bool) -> None:
    """Record an export in the audit log: format and file names (no folders), one transaction."""
    with store.transaction() as s:
        s.add(Event(project_id=project_id, member_id=member_id, action="export_written",
                    target_kind="project", target_id=project_id,
                    detail={"format": fmt, "files": [p.name for p in paths], "real_names": real_names}))
