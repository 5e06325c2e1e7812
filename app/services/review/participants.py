"""Members, consent and withdrawal: the facilitator's side of people.

Every method takes a live FacilitatorSession. Events name ids and choices, never names.

A member's real name (`set_real_name`) is typed by the facilitator and kept on this
machine: it is shown only in facilitator mode, never sent in a bundle, and used in an
export only when "real names" is chosen and their credit is "named".

Withdrawal (`withdrawal_preview` first, then `withdraw`). In both modes the member row
stays with withdrawn_at set, display_name "Withdrawn participant N", real name erased,
consent cleared but for its date, access profile emptied; versions and review notes they
wrote stay without an author; their unfinished texts are deleted (in the database and in
this computer's unsaved-text file); their audit entries stay with member_id NULL
("delete" also empties their detail); every whole-word mention of their pseudonym or real
name (case ignored) anywhere in the project's text, anyone's unfinished text and every
event's detail becomes "[name removed]" (the preview lists each text).
"delete": their contributions (with everyone's "me too"s and comments on them), "me
too"s, stances and comments are deleted. "anonymise": contributions and comments stay
with no author; "me too"s and stances stay, counted, under the placeholder.
Anonymous contributions were never linked to anyone and stay. On SQLite, deleted rows are
overwritten in the file (secure_delete), the file is rebuilt (VACUUM, so no old copy of a
row is left in its free space) and the WAL is checkpointed; the backups in `backups/`
beside the database that still hold the member are replaced by one fresh backup taken
after the withdrawal (app/store/backup_purge.py), and the preview says how many.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.services.dto import Outcome
from app.services.errors import DomainError, NotFound
from app.services.review.facilitator import GuardedService
from app.services.review.review_dto import (
    AffectedItem,
    ConsentRecord,
    FacilitatorSession,
    ParticipantInfo,
    WithdrawalPreview,
)
from app.services.review.withdrawal import (
    REMOVED,
    WithdrawalPlan,
    apply_plan,
    checkpoint,
    plan_withdrawal,
    short,
)
from app.services.validation import check_choice, clean_text
from app.store.backup_purge import backups_holding, replace_backups
from app.store.local_drafts import LocalDrafts
from app.store.models import CREDITS, ROLES, Member

MODES = ("delete", "anonymise")
PLACEHOLDER = "Withdrawn participant"
MAX_NAME = 100
MAX_REAL_NAME = 200
BACKUPS_GONE = "deleted, and one fresh backup taken"


def consent_of(member: Member) -> ConsentRecord:
    """A member's consent record as a plain value."""
    return ConsentRecord(member.consent_date, member.consent_participate, member.consent_quote,
                         member.credit, member.keep_until)


def participant_info(member: Member) -> ParticipantInfo:
    """A Member row as the facilitator sees it."""
    return ParticipantInfo(member.id, member.display_name, member.role, member.position,
                           consent_of(member), member.withdrawn_at, member.created_at, member.real_name)


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

    def set_real_name(self, session: FacilitatorSession, member_id: str, real_name: str | None) -> Outcome:
        """Record or change a member's real name; None or a blank text erases it."""
        session = self._session(session)
        name = None
        if real_name is not None:
            name = clean_text(real_name, "The real name", MAX_REAL_NAME, allow_empty=True).strip() or None
        with self.store.transaction() as s:
            member = self._managed(s, session, member_id)
            if name == member.real_name:
                raise DomainError("Nothing to change.")
            member.real_name = name
            self._event(s, session.project_id, session.member_id, "real_name_set", "member", member.id,
                        erased=name is None)
            done = "erased" if name is None else "saved"
            return Outcome(f"Real name {done} for {member.display_name}.", record_id=member.id)

    # --- withdrawal --------------------------------------------------------------------------

    def withdrawal_preview(self, session: FacilitatorSession, member_id: str, mode: str,
                           local_drafts: LocalDrafts | None = None) -> WithdrawalPreview:
        """What `withdraw` would delete, anonymise or rewrite, in the database, in this computer's
        unsaved-text file (`local_drafts`) and in the backups; reads only."""
        session = self._session(session)
        mode = check_choice(mode, "The choice", MODES)
        with self.store.read() as s:
            member = self._managed(s, session, member_id)
            plan = self._plan(s, session, member, mode)
            self._plan_outside(plan, local_drafts)
            return WithdrawalPreview(member.id, member.display_name, plan.placeholder, mode, plan.counts(),
                                     tuple(plan.items))

    def withdraw(self, session: FacilitatorSession, member_id: str, mode: str,
                 local_drafts: LocalDrafts | None = None) -> Outcome:
        """Withdraw a member, deleting or anonymising what they gave (see the module docstring)."""
        session = self._session(session)
        mode = check_choice(mode, "The choice", MODES)
        sqlite = self.store.engine.dialect.name == "sqlite"
        with self.store.transaction() as s:
            if sqlite:  # deleted and replaced text is overwritten with zeros in the file
                was = s.connection().exec_driver_sql("PRAGMA secure_delete").scalar()
                s.connection().exec_driver_sql("PRAGMA secure_delete=ON")
            member = self._managed(s, session, member_id)
            if member.id == session.member_id:
                raise DomainError("You cannot withdraw yourself while in facilitator mode.")
            plan = self._plan(s, session, member, mode)
            backups = self._plan_outside(plan, local_drafts)
            apply_plan(s, plan)
            counts = plan.counts()
            self._event(s, session.project_id, session.member_id, "member_withdrawn", "member", member.id,
                        mode=mode, counts=counts, backups_replaced=len(backups))
            s.flush()
            if sqlite:  # as it was: some builds of SQLite have it on for every connection
                s.connection().exec_driver_sql(f"PRAGMA secure_delete={int(was or 0)}")
        left: dict[str, str] = {}  # what the clean-up could not do: said, and kept in the audit log
        if local_drafts is not None:
            try:
                local_drafts.erase_member(member.id, plan.pattern, REMOVED)
            except (OSError, TimeoutError) as exc:
                left["unsaved_text"] = (f"this computer's unsaved-text file ({local_drafts.path}) could "
                                        f"not be rewritten ({exc}) and still holds their unsaved text")
        vacuum = self._compact()
        if vacuum:
            left["vacuum"] = (f"the database file could not be rebuilt ({vacuum}): removed text was "
                              "overwritten, but the file keeps its free pages until it is rebuilt")
        if not checkpoint(self.store):
            left["checkpoint"] = ("the database's journal (the -wal file beside it) could not be merged "
                                  "yet, so earlier copies of their rows stay on disk until every copy of "
                                  "the app has closed the project")
        message = f"{plan.placeholder} has withdrawn."
        problem = self._replace_backups(session, member.id, backups) + self._left_over(session, member.id,
                                                                                         left)
        done = WithdrawalPreview(member.id, plan.placeholder, plan.placeholder, mode, counts,
                                 tuple(plan.items))
        return Outcome(f"{message} {done.summary}{problem}", record_id=member.id)

    def _plan(self, s: Session, session: FacilitatorSession, member: Member, mode: str) -> WithdrawalPlan:
        return plan_withdrawal(s, session.project_id, member, mode, self._placeholder(s, session.project_id))

    def _database_file(self) -> Path | None:
        url = self.store.engine.url
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(url.database).expanduser()

    def _plan_outside(self, plan: WithdrawalPlan, local_drafts: LocalDrafts | None) -> list[Path]:
        """Add what lies outside the database to the plan: this computer's unsaved texts and the
        backups that still hold the member (returned)."""
        member_id = plan.member.id
        if local_drafts is not None:
            for text in local_drafts.texts_of(member_id):
                plan.items.append(AffectedItem("texts_on_this_computer", member_id, short(text), "deleted"))
            for text in local_drafts.mentioning(plan.pattern, but=member_id):
                plan.items.append(AffectedItem("mentions", member_id, f"unsaved text: {short(text)}",
                                               "name replaced"))
        database = self._database_file()
        backups = [] if database is None else backups_holding(database, member_id)
        for backup in backups:
            plan.items.append(AffectedItem("backups", backup.name, f"backup {backup.name}", BACKUPS_GONE))
        return backups

    def _compact(self) -> str:
        """Rebuild an SQLite file, so no earlier copy of a removed row stays in its free space;
        '' when done, else why not (another copy of the app writing, a full disk)."""
        if self.store.engine.dialect.name != "sqlite":
            return ""
        try:
            with self.store.engine.connect() as conn:
                conn.exec_driver_sql("VACUUM")
        except OperationalError as exc:  # secure_delete has already overwritten the rows
            return str(exc.orig) if exc.orig is not None else str(exc)
        return ""

    def _left_over(self, session: FacilitatorSession, member_id: str, left: dict[str, str]) -> str:
        """'' or a sentence saying what the clean-up left undone, also recorded in the audit log."""
        if not left:
            return ""
        recorded = ""
        try:
            with self.store.transaction() as s:
                self._event(s, session.project_id, session.member_id, "withdrawal_cleanup_incomplete",
                            "member", member_id, left=sorted(left), details=list(left.values()))
        except Exception:  # noqa: BLE001 - the withdrawal itself is done: say so either way
            recorded = " (This could not be written in the audit log either.)"
        return " Not yet cleaned up: " + "; ".join(left.values()) + "." + recorded

    def _replace_backups(self, session: FacilitatorSession, member_id: str, backups: list[Path]) -> str:
        """Replace the backups holding the member by one fresh backup; '' or a sentence saying
        what could not be done (then also recorded in the audit log)."""
        database = self._database_file()
        if database is None or not backups:
            return ""
        try:
            result = replace_backups(database, backups)
        except (OSError, sqlite3.Error) as exc:
            failed, reason = backups, f"no fresh backup could be taken: {exc}"
        else:
            failed, reason = list(result.failed), "they could not be deleted"
        if not failed:
            return ""
        with self.store.transaction() as s:
            self._event(s, session.project_id, session.member_id, "backups_not_replaced", "member", member_id,
                        files=[p.name for p in failed])
        some = "1 older backup still holds" if len(failed) == 1 else f"{len(failed)} older backups still hold"
        them = "it" if len(failed) == 1 else "them"
        return f" {some} their data ({reason}): delete {them} by hand from {failed[0].parent}."

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
