"""Facilitator mode: a passphrase set on first use, a throttle on wrong tries, sessions.

The passphrase's argon2id hash and the throttle on wrong tries live in a file on this computer,
beside the project's signing key (review/passphrase.py), never in the database: nothing of them
travels in a bundle or sits in a shared database. Wrong tries, refusals and changes are also
written to the audit log ("unlock_failed", "unlock_refused", "unlock_ok", "passphrase_set",
"passphrase_changed") as history only: the throttle never reads them, so rows written by anyone
else cannot lock the facilitator out, and security events never travel.

A right passphrase gives a FacilitatorSession: an opaque token this service remembers in
memory. The review, participant and export services take it and ask `check` whether it
is still live; a session ends with `lock`, after IDLE_MINUTES without use, or when the
app closes. The clock is injectable, so tests need no sleeping.

The audit log (`audit_log`, `audit_page`, `audit_actions`, `audit_target_kinds`) is read here
too, through a live session (the queries are in audit_log.py).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.base import ServiceBase
from app.services.dto import Outcome
from app.services.errors import DomainError, FacilitatorLocked
from app.services.exchange.keyring import PARTICIPANT, Keyring
from app.services.review.audit_log import PER_PAGE as AUDIT_PER_PAGE
from app.services.review.audit_log import AuditPage, audit_filter, distinct_actions, read_page, read_rows
from app.services.review.passphrase import (
    FREE_TRIES,
    MAX_LENGTH,
    PassphraseFile,
    Throttle,
    hash_passphrase,
    normalised,
    passphrase_problem,
    verify_passphrase,
)
from app.services.review.review_dto import AuditRow, FacilitatorSession, UnlockResult
from app.store.database import Store
from app.store.models import Event, Member, Project, utcnow

__all__ = ["FREE_TRIES", "FacilitatorLocked", "FacilitatorService", "GuardedService", "hash_passphrase",
           "verify_passphrase"]

IDLE_MINUTES = 30


@dataclass
class _Live:
    project_id: str
    last_used: datetime


class FacilitatorService(ServiceBase):
    """Setting and checking the facilitator's passphrase; issuing and checking sessions."""

    def __init__(
        self, store: Store, now: Callable[[], datetime] = utcnow, idle_minutes: float = IDLE_MINUTES,
        keys_folder: Path | None = None,
    ) -> None:
        super().__init__(store)
        self._now = now
        self._idle = timedelta(minutes=idle_minutes)
        self._live: dict[str, _Live] = {}
        self._lock = threading.Lock()
        self._tries = threading.Lock()  # one passphrase check at a time, so the throttle counts each
        self.keys_folder = keys_folder if keys_folder is not None else store.data_folder() / "keys"
        self._keyring = Keyring(self.keys_folder)

    # --- the passphrase ----------------------------------------------------------------------

    def _file(self, project_id: str) -> PassphraseFile:
        """The passphrase file, on the computer that holds the project's signing key only."""
        keys = self._keyring.get(project_id)
        if keys is not None and keys.role == PARTICIPANT:
            raise DomainError("Facilitator mode opens only on the facilitator's computer, which holds the "
                              "project's signing key; this computer joined the project as a participant's.")
        if keys is None:
            self._keyring.facilitator_keys(project_id)  # a project made here: this is its facilitator's
        return PassphraseFile(self.keys_folder, project_id)

    def has_passphrase(self, project_id: str) -> bool:
        """True once the facilitator has set a passphrase for this project on this computer."""
        with self.store.read() as s:
            project = self._get(s, Project, project_id, "project")
        keys = self._keyring.get(project.id)
        if keys is not None and keys.role == PARTICIPANT:
            return False  # setting one is refused, with the reason
        return PassphraseFile(self.keys_folder, project.id).stored() is not None

    def set_passphrase(self, project_id: str, new: str, old: str | None = None) -> UnlockResult:
        """Set the passphrase (first use) or change it (`old` must be right); enters facilitator mode.

        A new passphrase the rules refuse (passphrase.passphrase_problem) raises DomainError with
        the reason and writes nothing. A wrong `old` counts as a wrong try, exactly like `unlock`.
        """
        with self.store.read() as s:
            project = self._get(s, Project, project_id, "project")
            name = project.name
        problem = passphrase_problem(new, avoid=(name,))
        if problem:
            raise DomainError(problem)
        stored_new = hash_passphrase(new)
        file = self._file(project.id)
        with self._tries:
            now = self._clock()
            changing = file.stored() is not None
            if changing:
                if not isinstance(old, str) or not old:
                    raise DomainError("Give the current passphrase to change it.")
                refused = self._try(file, project.id, old, now)
                if refused is not None:
                    return refused
            file.save(stored_new, Throttle())
        with self.store.transaction() as s:
            member_id = self._facilitator_id(s, project.id)
            self._stamped(s, project.id, member_id, "passphrase_changed" if changing else "passphrase_set")
        message = "Passphrase changed." if changing else "Passphrase set."
        session = self._issue(project.id, member_id, now)
        return UnlockResult(True, 0, f"{message} Facilitator mode is on.", session)

    def unlock(self, project_id: str, passphrase: str) -> UnlockResult:
        """Try the passphrase: a session when right; otherwise how many tries are left or the wait."""
        if not isinstance(passphrase, str) or not passphrase:
            raise DomainError("Type the passphrase first.")
        if len(passphrase) > MAX_LENGTH:
            raise DomainError(f"The passphrase is at most {MAX_LENGTH} characters.")
        normalised(passphrase)  # DomainError for text that cannot have been set
        with self.store.read() as s:
            project = self._get(s, Project, project_id, "project")
        file = self._file(project.id)
        with self._tries:
            if file.stored() is None:
                raise DomainError("No passphrase is set on this computer yet: set one first.")
            now = self._clock()
            refused = self._try(file, project.id, passphrase, now)
            if refused is not None:
                return refused
            file.save(throttle=Throttle())
        with self.store.transaction() as s:
            member_id = self._facilitator_id(s, project.id)
            self._stamped(s, project.id, member_id, "unlock_ok")
        return UnlockResult(True, 0, "Facilitator mode is on.", self._issue(project.id, member_id, now))

    def wait_seconds(self, project_id: str) -> int:
        """Seconds before the next try will be checked (0: try now). Reads only."""
        with self.store.read() as s:
            project = self._get(s, Project, project_id, "project")
        return self._file(project.id).throttle().wait(self._clock())

    # --- sessions ----------------------------------------------------------------------------

    def check(self, session: object, project_id: str | None = None) -> FacilitatorSession:
        """Return `session` if it is live (and for `project_id`, when given); else FacilitatorLocked."""
        if not isinstance(session, FacilitatorSession):
            raise FacilitatorLocked("Facilitator mode is locked. Give the passphrase first.")
        now = self._clock()
        with self._lock:
            live = self._live.get(session.token)
            if live is None or live.project_id != session.project_id:
                raise FacilitatorLocked("Facilitator mode is locked. Give the passphrase first.")
            if now - live.last_used > self._idle:
                del self._live[session.token]
                raise FacilitatorLocked("Facilitator mode was locked after a long pause. Unlock again.")
            live.last_used = max(live.last_used, now)
        if project_id is not None and project_id != session.project_id:
            raise FacilitatorLocked("This facilitator session is for another project.")
        return session

    def is_unlocked(self, session: object) -> bool:
        """True while `session` is live."""
        try:
            self.check(session)
        except FacilitatorLocked:
            return False
        return True

    def lock(self, session: FacilitatorSession) -> Outcome:
        """Leave facilitator mode: the session stops working at once."""
        with self._lock:
            live = self._live.pop(getattr(session, "token", ""), None)
        if live is None:
            return Outcome("Facilitator mode is already locked.")
        with self.store.transaction() as s:
            event = self._stamped(s, live.project_id, session.member_id, "facilitator_locked")
            return Outcome("Facilitator mode is off.", record_id=event.id)

    # --- the audit log -----------------------------------------------------------------------

    def audit_log(
        self, session: FacilitatorSession, member_id: str | None = None, action: str | None = None,
        since: date | datetime | None = None, until: date | datetime | None = None,
        target_kind: str | None = None, limit: int = 1000, offset: int = 0,
    ) -> tuple[AuditRow, ...]:
        """Audit-log entries, newest first, filtered by member, action, target kind and time.

        A date `since` counts from its start; a date `until` includes that whole day; times
        must be UTC-aware. Reads only.
        """
        session = self.check(session)
        where = audit_filter(session.project_id, member_id, action, since, until, target_kind)
        with self.store.read() as s:
            return read_rows(s, where, limit, offset)

    def audit_page(self, session: FacilitatorSession, action: str | None = None, member_id: str | None = None,
                   page: int = 0, per_page: int = AUDIT_PER_PAGE) -> AuditPage:
        """One page of `audit_log` (newest first) and how many entries the filters let through.

        Only the page's entries are read; a page past the end gives the last page.
        """
        session = self.check(session)
        with self.store.read() as s:
            return read_page(s, session.project_id, action, member_id, page, per_page)

    def audit_actions(self, session: FacilitatorSession) -> tuple[str, ...]:
        """The actions the log holds, for a filter list."""
        session = self.check(session)
        with self.store.read() as s:
            return distinct_actions(s, session.project_id)

    def audit_target_kinds(self, session: FacilitatorSession) -> tuple[str, ...]:
        """The target kinds the log holds, for a filter list."""
        session = self.check(session)
        with self.store.read() as s:
            return tuple(s.scalars(select(Event.target_kind).distinct()
                                   .where(Event.project_id == session.project_id)
                                   .order_by(Event.target_kind)))

    # --- inside ------------------------------------------------------------------------------

    def _clock(self) -> datetime:
        now = self._now()
        if now.tzinfo is None:
            raise ValueError("the clock must give UTC-aware times")
        return now

    def _issue(self, project_id: str, member_id: str | None, now: datetime) -> FacilitatorSession:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._live[token] = _Live(project_id, now)
        return FacilitatorSession(project_id=project_id, member_id=member_id, token=token)

    def _try(self, file: PassphraseFile, project_id: str, passphrase: str, now: datetime
             ) -> UnlockResult | None:
        """None when the passphrase is right; otherwise the refusal, counted and logged."""
        throttle = file.throttle()
        wait = throttle.wait(now)
        if wait > 0:
            self._log(project_id, "unlock_refused", wait_seconds=wait)
            return UnlockResult(False, wait, f"Too many wrong tries. Wait {wait} seconds, then try again.")
        if verify_passphrase(passphrase, file.stored() or ""):
            return None
        throttle = throttle.failed(now)
        file.save(throttle=throttle)
        self._log(project_id, "unlock_failed", failures=throttle.failures)
        wait = throttle.wait(now)
        if wait:
            return UnlockResult(False, wait,
                                f"That passphrase is not right. Wait {wait} seconds, then try again.")
        left = FREE_TRIES - throttle.failures
        tries = "try" if left == 1 else "tries"
        return UnlockResult(False, 0, f"That passphrase is not right. {left} {tries} left before a wait.")

    def _log(self, project_id: str, action: str, **detail: object) -> None:
        with self.store.transaction() as s:
            self._stamped(s, project_id, None, action, **detail)

    @staticmethod
    def _facilitator_id(s: Session, project_id: str) -> str | None:
        return s.scalar(
            select(Member.id)
            .where(
                Member.project_id == project_id,
                Member.role == "facilitator",
                Member.withdrawn_at.is_(None),
            )
            .order_by(Member.position, Member.created_at)
            .limit(1)
        )

    def _stamped(self, s: Session, project_id: str, member_id: str | None, action: str,
                 **detail: object) -> Event:
        event = self._event(s, project_id, member_id, action, "project", project_id, **detail)
        event.created_at = self._clock()
        s.flush()
        return event


class GuardedService(ServiceBase):
    """A service whose every public method takes a live FacilitatorSession first."""

    def __init__(self, store: Store, facilitator: FacilitatorService) -> None:
        super().__init__(store)
        self.facilitator = facilitator

    def _session(self, session: object) -> FacilitatorSession:
        return self.facilitator.check(session)
