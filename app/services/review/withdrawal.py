"""Working out and carrying out a withdrawal (see app/services/review/participants.py for the rules).

`plan_withdrawal` reads everything a withdrawal touches in one session before any change,
so the preview and the withdrawal itself list the same records; `apply_plan` changes them.
The name looked for in everyone's text is the pseudonym and, when one is recorded, the
real name (whole words, case ignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.services.meeting.dto import ASK_LABELS
from app.services.review.review_dto import AffectedItem
from app.services.review.withdrawal_involvement import plan_involvement
from app.store.database import Store
from app.store.models import (
    Ask,
    Comment,
    Contribution,
    Definition,
    DraftVersion,
    Endorsement,
    Event,
    InProgressText,
    Meeting,
    Member,
    Prompt,
    ReviewNote,
    Stance,
    Theme,
    Vote,
    utcnow,
)

REMOVED = "[name removed]"


def short(text: str, limit: int = 120) -> str:
    """`text` on one line, cut to `limit` characters."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    """`value` (JSON: dicts, lists, text) with every match of `pattern` replaced."""
    if isinstance(value, str):
        return pattern.sub(REMOVED, value)
    if isinstance(value, dict):
        return {scrub(k, pattern): scrub(v, pattern) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, pattern) for v in value]
    return value


@dataclass
class WithdrawalPlan:
    """Everything a withdrawal touches, gathered in one session before any change."""

    member: Member
    mode: str
    placeholder: str
    pattern: re.Pattern[str]
    deleted: list[Any] = field(default_factory=list)
    unlinked: list[Any] = field(default_factory=list)  # rows whose member/author link is cleared
    mentions: list[tuple[Any, str, Any]] = field(default_factory=list)  # (row, attribute, new value)
    added: list[Any] = field(default_factory=list)  # rows the withdrawal makes: a kept payment record
    items: list[AffectedItem] = field(default_factory=list)

    def add(self, kind: str, row: Any, text: str, effect: str) -> None:
        """List one record the withdrawal changes."""
        self.items.append(AffectedItem(kind, row.id, short(text), effect))

    def counts(self) -> dict[str, int]:
        """How many of each kind of record change (kinds with none included, as 0)."""
        kinds = ["contributions", "me_toos", "stances", "comments", "votes", "asks", "versions",
                 "unfinished_texts",
                 "review_notes", "audit_entries", "mentions", "texts_on_this_computer", "backups"]
        if self.mode == "delete":
            kinds[1:1] = ["others_me_toos", "others_comments"]
        out = dict.fromkeys(kinds, 0)
        for item in self.items:
            out[item.kind] = out.get(item.kind, 0) + 1
        return out


def plan_withdrawal(s: Session, project_id: str, member: Member, mode: str, placeholder: str
                    ) -> WithdrawalPlan:
    """Everything withdrawing `member` touches ("delete" or "anonymise"), read before any change."""
    plan = WithdrawalPlan(member, mode, placeholder, name_pattern(member))
    pattern = plan.pattern
    deleting = mode == "delete"
    prompts = select(Prompt.id).where(Prompt.project_id == project_id)
    versions = select(DraftVersion.id).join(Definition).where(Definition.prompt_id.in_(prompts))
    mine = s.scalars(select(Contribution).where(Contribution.member_id == member.id)).all()
    mine_ids = [c.id for c in mine]
    for c in mine:
        plan.add("contributions", c, c.text, "deleted" if deleting else "anonymised")
    if deleting:
        for e, text in s.execute(select(Endorsement, Contribution.text).join(Contribution).where(
                Endorsement.contribution_id.in_(mine_ids), Endorsement.member_id != member.id)):
            plan.add("others_me_toos", e, f"me too on: {text}", "deleted")
            plan.deleted.append(e)
        for c in s.scalars(select(Comment).where(Comment.contribution_id.in_(mine_ids),
                                                 or_(Comment.member_id.is_(None),
                                                     Comment.member_id != member.id))):
            plan.add("others_comments", c, c.text, "deleted")
            plan.deleted.append(c)
    kept = "deleted" if deleting else "kept without the name"
    me_toos = s.execute(select(Endorsement, Contribution.text).join(Contribution)
                        .where(Endorsement.member_id == member.id)).all()
    stances = s.scalars(select(Stance).where(Stance.member_id == member.id)).all()
    comments = s.scalars(select(Comment).where(Comment.member_id == member.id)).all()
    for e, text in me_toos:
        plan.add("me_toos", e, f"me too on: {text}", kept)
    for st in stances:
        plan.add("stances", st, f"{st.position}: {st.reason}" if st.reason else st.position, kept)
    for c in comments:
        plan.add("comments", c, c.text, "deleted" if deleting else "anonymised")
    # a member's dots and asks go with them either way: a dot or an ask says nothing without its
    # member (the meeting's attendance stays: it is the payment record, under the placeholder)
    for v, text in s.execute(select(Vote, Contribution.text)
                             .join(Contribution, Contribution.id == Vote.contribution_id)
                             .where(Vote.member_id == member.id)):
        plan.add("votes", v, f"a dot on: {text}", "deleted")
        plan.deleted.append(v)
    for a in s.scalars(select(Ask).where(Ask.member_id == member.id)):
        plan.add("asks", a, ASK_LABELS[a.kind], "deleted")
        plan.deleted.append(a)
    if deleting:
        plan.deleted.extend([*(e for e, _ in me_toos), *stances, *comments, *mine])
    else:
        plan.unlinked.extend([*mine, *comments])
    for v in s.scalars(select(DraftVersion).where(DraftVersion.author_id == member.id)):
        plan.add("versions", v, v.text, "author removed")
        plan.unlinked.append(v)
    for t in s.scalars(select(InProgressText).where(InProgressText.member_id == member.id)):
        plan.add("unfinished_texts", t, t.text, "deleted")
        plan.deleted.append(t)
    for n in s.scalars(select(ReviewNote).where(ReviewNote.author_id == member.id)):
        plan.add("review_notes", n, n.text or "(no text)", "author removed")
        plan.unlinked.append(n)
    for e in s.scalars(select(Event).where(Event.member_id == member.id)):
        plan.add("audit_entries", e, e.action, "detail emptied" if deleting else "name removed")
        plan.unlinked.append(e)
    gone = {id(row) for row in plan.deleted}
    emptied = {id(row) for row in plan.unlinked if isinstance(row, Event)} if deleting else set()
    members = select(Member.id).where(Member.project_id == project_id)
    candidates: list[tuple[Iterable[Any], tuple[str, ...]]] = [
        (s.scalars(select(Contribution).where(Contribution.prompt_id.in_(prompts))), ("text",)),
        (s.scalars(select(Comment).where(or_(Comment.version_id.in_(versions),
                                             Comment.contribution_id.in_(
                                                 select(Contribution.id).where(
                                                     Contribution.prompt_id.in_(prompts)))))), ("text",)),
        (s.scalars(select(Stance).where(Stance.version_id.in_(versions))), ("reason",)),
        (s.scalars(select(DraftVersion).where(DraftVersion.id.in_(versions))), ("text", "note")),
        (s.scalars(select(ReviewNote).where(ReviewNote.version_id.in_(versions))), ("text",)),
        (s.scalars(select(Theme).where(Theme.prompt_id.in_(prompts))), ("name",)),
        (s.scalars(select(Meeting).where(Meeting.project_id == project_id)), ("title",)),
        (s.scalars(select(Prompt).where(Prompt.project_id == project_id)), ("text",)),
        (s.scalars(select(InProgressText).where(InProgressText.member_id.in_(members))),
         ("text", "earlier_text")),
        (s.scalars(select(Event).where(Event.project_id == project_id)), ("detail",)),
    ]
    for rows, attrs in candidates:
        for row in rows:
            if id(row) in gone or id(row) in emptied:
                continue
            for attr in attrs:
                before = getattr(row, attr)
                after = scrub(before, pattern)
                if after != before:
                    plan.mentions.append((row, attr, after))
                    shown = before if isinstance(before, str) else row.action
                    plan.add("mentions", row, f"{type(row).__tablename__}: {shown}", "name replaced")
    plan_involvement(s, project_id, plan, pattern, REMOVED)
    return plan


def name_pattern(member: Member) -> re.Pattern[str]:
    """Whole-word mentions of the member's pseudonym or real name, case ignored."""
    names = sorted({n.strip() for n in (member.display_name, member.real_name) if n and n.strip()},
                   key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE)


def apply_plan(s: Session, plan: WithdrawalPlan) -> None:
    """Delete, unlink and rewrite what the plan lists, and clear the member's own record."""
    member = plan.member
    for row in plan.deleted:  # dependents come before what they depend on
        s.delete(row)
        s.flush()
    for row in plan.unlinked:
        for attr in ("member_id", "author_id"):
            if hasattr(row, attr):
                setattr(row, attr, None)
        if isinstance(row, Event) and plan.mode == "delete":
            row.detail = {}
    for row, attr, value in plan.mentions:
        setattr(row, attr, value)
        if isinstance(row, InProgressText):  # a shorter text keeps its cursor inside it
            row.cursor = min(row.cursor, len(row.text))
            if row.earlier_text is not None and row.earlier_cursor is not None:
                row.earlier_cursor = min(row.earlier_cursor, len(row.earlier_text))
    s.add_all(plan.added)
    member.display_name = plan.placeholder
    member.real_name = None
    member.withdrawn_at = utcnow()
    member.consent_participate = member.consent_quote = member.anonymous_default = False
    member.credit, member.keep_until, member.access_profile = None, None, {}


def checkpoint(store: Store) -> bool:
    """Move the WAL into the database file and truncate it, so removed text leaves the disk;
    False when another connection kept it from finishing (SQLite checkpoints again later)."""
    if store.engine.dialect.name != "sqlite":
        return True
    try:
        with store.engine.connect() as conn:
            row = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
    except OperationalError:
        return False
    return row is None or not row[0]  # (busy, log frames, checkpointed frames)
