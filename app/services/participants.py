"""Members, consent and withdrawal: the facilitator's side of people.

Every method takes a live FacilitatorSession. Events name ids and choices, never names.

Withdrawal (`withdrawal_preview` first, then `withdraw`). In both modes the member row
stays with withdrawn_at set, display_name "Withdrawn participant N", consent cleared but
for its date, access profile emptied; versions and review notes they wrote stay without
an author; their unfinished texts are deleted; their audit entries stay with member_id
NULL ("delete" also empties their detail); every whole-word mention of the name (case
ignored) anywhere in the project's text, anyone's unfinished text and every event's
detail becomes "[name removed]" (the preview lists each text).
"delete": their contributions (with everyone's "me too"s and comments on them), "me
too"s, stances and comments are deleted. "anonymise": contributions and comments stay
with no author; "me too"s and stances stay, counted, under the placeholder.
Anonymous contributions were never linked to anyone and stay. On SQLite, deleted rows are
overwritten in the file (secure_delete) and the WAL is checkpointed; backups made before
a migration (backups/ beside the database) still hold the old data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.services.dto import Outcome
from app.services.errors import DomainError, NotFound
from app.services.facilitator import GuardedService
from app.services.review_dto import (
    AffectedItem,
    ConsentRecord,
    FacilitatorSession,
    ParticipantInfo,
    WithdrawalPreview,
)
from app.services.validation import check_choice, clean_text
from app.store.models import (
    CREDITS,
    ROLES,
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
    utcnow,
)

MODES = ("delete", "anonymise")
PLACEHOLDER = "Withdrawn participant"
REMOVED = "[name removed]"
MAX_NAME = 100


def _short(text: str, limit: int = 120) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    """`value` (JSON: dicts, lists, text) with every match of `pattern` replaced."""
    if isinstance(value, str):
        return pattern.sub(REMOVED, value)
    if isinstance(value, dict):
        return {_scrub(k, pattern): _scrub(v, pattern) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, pattern) for v in value]
    return value


def consent_of(member: Member) -> ConsentRecord:
    """A member's consent record as a plain value."""
    return ConsentRecord(member.consent_date, member.consent_participate, member.consent_quote,
                         member.credit, member.keep_until)


def participant_info(member: Member) -> ParticipantInfo:
    """A Member row as the facilitator sees it."""
    return ParticipantInfo(member.id, member.display_name, member.role, member.position,
                           consent_of(member), member.withdrawn_at, member.created_at)


@dataclass
class _Plan:
    """Everything a withdrawal touches, gathered in one session before any change."""

    member: Member
    mode: str
    placeholder: str
    pattern: re.Pattern[str]
    deleted: list[Any] = field(default_factory=list)
    unlinked: list[Any] = field(default_factory=list)  # rows whose member/author link is cleared
    mentions: list[tuple[Any, str, Any]] = field(default_factory=list)  # (row, attribute, new value)
    items: list[AffectedItem] = field(default_factory=list)

    def add(self, kind: str, row: Any, text: str, effect: str) -> None:
        self.items.append(AffectedItem(kind, row.id, _short(text), effect))

    def counts(self) -> dict[str, int]:
        kinds = ["contributions", "me_toos", "stances", "comments", "versions", "unfinished_texts",
                 "review_notes", "audit_entries", "mentions"]
        if self.mode == "delete":
            kinds[1:1] = ["others_me_toos", "others_comments"]
        out = dict.fromkeys(kinds, 0)
        for item in self.items:
            out[item.kind] = out.get(item.kind, 0) + 1
        return out


class ParticipantService(GuardedService):
    """Adding, editing and withdrawing members; consent; the audit log."""

    # --- members -----------------------------------------------------------------------------

    def list_members(self, session: FacilitatorSession, include_withdrawn: bool = False
                     ) -> tuple[ParticipantInfo, ...]:
        """The project's members (participants first), with their consent records."""
        session = self._session(session)
        with self.store.read() as s:
            query = select(Member).where(Member.project_id == session.project_id)
            if not include_withdrawn:
                query = query.where(Member.withdrawn_at.is_(None))
            rows = s.scalars(query.order_by(Member.role.desc(), Member.position, Member.display_name))
            return tuple(participant_info(m) for m in rows)

    def add_member(self, session: FacilitatorSession, display_name: str, role: str = "participant",
                   consent: ConsentRecord | None = None) -> Outcome:
        """Add a member under a pseudonym (display_name), optionally with their consent record."""
        session = self._session(session)
        name = self._clean_name(display_name)
        role = check_choice(role, "The role", ROLES)
        record = self._check_consent(consent or ConsentRecord())
        with self.store.transaction() as s:
            self._unique_name(s, session.project_id, name, None)
            last = s.scalar(select(func.max(Member.position)).where(
                Member.project_id == session.project_id, Member.role == role))
            member = Member(project_id=session.project_id, display_name=name, role=role,
                            position=0 if last is None else last + 1)
            self._apply_consent(member, record)
            s.add(member)
            s.flush()
            self._event(s, session.project_id, session.member_id, "member_added", "member", member.id,
                        role=role)
            return Outcome(f"{name} added.", record_id=member.id)

    def edit_member(self, session: FacilitatorSession, member_id: str, display_name: str | None = None,
                    role: str | None = None) -> Outcome:
        """Change a member's pseudonym and/or role (None: leave as it is)."""
        session = self._session(session)
        name = None if display_name is None else self._clean_name(display_name)
        role = None if role is None else check_choice(role, "The role", ROLES)
        with self.store.transaction() as s:
            member = self._managed(s, session, member_id)
            changed = []
            if name is not None and name != member.display_name:
                self._unique_name(s, session.project_id, name, member.id)
                member.display_name = name
                changed.append("display_name")
            if role is not None and role != member.role:
                if member.role == "facilitator" and self._facilitators(s, session.project_id) == 1:
                    raise DomainError("The project needs a facilitator: add another one first.")
                member.role = role
                changed.append("role")
            if not changed:
                raise DomainError("Nothing to change.")
            self._event(s, session.project_id, session.member_id, "member_edited", "member", member.id,
                        changed=changed)
            return Outcome(f"Saved: {member.display_name}.", record_id=member.id)

    def set_consent(self, session: FacilitatorSession, member_id: str, consent: ConsentRecord) -> Outcome:
        """Replace a member's consent record."""
        session = self._session(session)
        record = self._check_consent(consent)
        with self.store.transaction() as s:
            member = self._managed(s, session, member_id)
            before = consent_of(member)
            self._apply_consent(member, record)
            changed = [f for f in ("consent_date", "participate", "quote", "credit", "keep_until")
                       if getattr(before, f) != getattr(record, f)]
            self._event(s, session.project_id, session.member_id, "consent_set", "member", member.id,
                        changed=changed)
            return Outcome(f"Consent saved for {member.display_name}.", record_id=member.id)

    # --- withdrawal --------------------------------------------------------------------------

    def withdrawal_preview(self, session: FacilitatorSession, member_id: str, mode: str) -> WithdrawalPreview:
        """What `withdraw` would delete, anonymise or rewrite; reads only."""
        session = self._session(session)
        mode = check_choice(mode, "The choice", MODES)
        with self.store.read() as s:
            plan = self._plan(s, session, self._managed(s, session, member_id), mode)
            return WithdrawalPreview(plan.member.id, plan.member.display_name, plan.placeholder, mode,
                                     plan.counts(), tuple(plan.items))

    def withdraw(self, session: FacilitatorSession, member_id: str, mode: str) -> Outcome:
        """Withdraw a member, deleting or anonymising what they gave (see the module docstring)."""
        session = self._session(session)
        mode = check_choice(mode, "The choice", MODES)
        sqlite = self.store.engine.dialect.name == "sqlite"
        with self.store.transaction() as s:
            if sqlite:  # deleted and replaced text is overwritten with zeros in the file
                s.connection().exec_driver_sql("PRAGMA secure_delete=ON")
            member = self._managed(s, session, member_id)
            if member.id == session.member_id:
                raise DomainError("You cannot withdraw yourself while in facilitator mode.")
            plan = self._plan(s, session, member, mode)
            for row in plan.deleted:  # dependents come before what they depend on
                s.delete(row)
                s.flush()
            for row in plan.unlinked:
                for attr in ("member_id", "author_id"):
                    if hasattr(row, attr):
                        setattr(row, attr, None)
                if isinstance(row, Event) and mode == "delete":
                    row.detail = {}
            for row, attr, value in plan.mentions:
                setattr(row, attr, value)
            member.display_name = plan.placeholder
            member.withdrawn_at = utcnow()
            member.consent_participate = member.consent_quote = member.anonymous_default = False
            member.credit, member.keep_until, member.access_profile = None, None, {}
            counts = plan.counts()
            self._event(s, session.project_id, session.member_id, "member_withdrawn", "member", member.id,
                        mode=mode, counts=counts)
            s.flush()
            if sqlite:
                s.connection().exec_driver_sql("PRAGMA secure_delete=OFF")
        self._checkpoint()
        done = WithdrawalPreview(member.id, plan.placeholder, plan.placeholder, mode, counts,
                                 tuple(plan.items))
        return Outcome(f"{plan.placeholder} has withdrawn. {done.summary}", record_id=member.id)

    def _plan(self, s: Session, session: FacilitatorSession, member: Member, mode: str) -> _Plan:
        pattern = re.compile(r"(?<!\w)" + re.escape(member.display_name) + r"(?!\w)", re.IGNORECASE)
        plan = _Plan(member, mode, self._placeholder(s, session.project_id), pattern)
        deleting = mode == "delete"
        prompts = select(Prompt.id).where(Prompt.project_id == session.project_id)
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
        members = select(Member.id).where(Member.project_id == session.project_id)
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
            (s.scalars(select(Meeting).where(Meeting.project_id == session.project_id)), ("title",)),
            (s.scalars(select(Prompt).where(Prompt.project_id == session.project_id)), ("text",)),
            (s.scalars(select(InProgressText).where(InProgressText.member_id.in_(members))), ("text",)),
            (s.scalars(select(Event).where(Event.project_id == session.project_id)), ("detail",)),
        ]
        for rows, attrs in candidates:
            for row in rows:
                if id(row) in gone or id(row) in emptied:
                    continue
                for attr in attrs:
                    before = getattr(row, attr)
                    after = _scrub(before, pattern)
                    if after != before:
                        plan.mentions.append((row, attr, after))
                        shown = before if isinstance(before, str) else row.action
                        plan.add("mentions", row, f"{type(row).__tablename__}: {shown}", "name replaced")
        return plan

    def _checkpoint(self) -> None:
        """Move the WAL into the database file and truncate it, so removed text leaves the disk."""
        if self.store.engine.dialect.name != "sqlite":
            return
        try:
            with self.store.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except OperationalError:
            pass  # another connection is busy: SQLite checkpoints again later by itself

    # --- inside ------------------------------------------------------------------------------

    def _managed(self, s: Session, session: FacilitatorSession, member_id: object) -> Member:
        member = self._get(s, Member, member_id, "member")
        if member.project_id != session.project_id:
            raise NotFound("That member belongs to another project.")
        if member.withdrawn_at is not None:
            raise NotFound("This member has withdrawn from the project.")
        return member

    @staticmethod
    def _clean_name(value: object) -> str:
        name = clean_text(value, "The name", MAX_NAME).strip()
        if name.casefold().startswith(PLACEHOLDER.casefold()):
            raise DomainError(f"Names starting '{PLACEHOLDER}' are kept for withdrawn members.")
        return name

    @staticmethod
    def _unique_name(s: Session, project_id: str, name: str, own_id: str | None) -> None:
        for other_id, other in s.execute(select(Member.id, Member.display_name)
                                         .where(Member.project_id == project_id)):
            if other_id != own_id and other.casefold() == name.casefold():
                raise DomainError(f"Someone in this project is already called {other}.")

    @staticmethod
    def _facilitators(s: Session, project_id: str) -> int:
        return s.scalar(select(func.count()).select_from(Member).where(
            Member.project_id == project_id, Member.role == "facilitator",
            Member.withdrawn_at.is_(None))) or 0

    @staticmethod
    def _placeholder(s: Session, project_id: str) -> str:
        taken = set(s.scalars(select(Member.display_name).where(Member.project_id == project_id)))
        n = sum(1 for name in taken if name.startswith(PLACEHOLDER)) + 1
        while f"{PLACEHOLDER} {n}" in taken:
            n += 1
        return f"{PLACEHOLDER} {n}"

    @staticmethod
    def _check_consent(consent: object) -> ConsentRecord:
        if not isinstance(consent, ConsentRecord):
            raise DomainError("Give the consent as a consent record.")
        for what, value in (("consent date", consent.consent_date), ("keep-until date", consent.keep_until)):
            if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
                raise DomainError(f"The {what} must be a date.")
        if not isinstance(consent.participate, bool) or not isinstance(consent.quote, bool):
            raise DomainError("Consent to take part and to be quoted is yes or no.")
        if consent.credit is not None:
            check_choice(consent.credit, "The credit", CREDITS)
        if consent.consent_date and consent.keep_until and consent.keep_until < consent.consent_date:
            raise DomainError("The keep-until date is before the consent date.")
        return consent

    @staticmethod
    def _apply_consent(member: Member, consent: ConsentRecord) -> None:
        member.consent_date, member.keep_until = consent.consent_date, consent.keep_until
        member.consent_participate, member.consent_quote = consent.participate, consent.quote
        member.credit = consent.credit
