"""Facilitator mode: a passphrase set on first use, a throttle on wrong tries, sessions.

The passphrase is stored only as a salted scrypt hash in Project.facilitator_secret, as
"scrypt$n$r$p$salt_b64$hash_b64". Five wrong tries in a row make the next try wait
THROTTLE_SECONDS after the last wrong one (and so does every wrong try after those),
until a right one. The count lives in the audit log ("unlock_failed", "unlock_ok",
"passphrase_set"/"passphrase_changed"), so closing the app does not reset it; a try made
while waiting is refused unchecked and logged as "unlock_refused".

A right passphrase gives a FacilitatorSession: an opaque token this service remembers in
memory. The review, participant and export services take it and ask `check` whether it
is still live; a session ends with `lock`, after IDLE_MINUTES without use, or when the
app closes. The clock is injectable, so tests need no sleeping.

The audit log (`audit_log`, `audit_page`, `audit_actions`, `audit_target_kinds`) is read here
too, through a live session (the queries are in audit_log.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.base import ServiceBase
from app.services.dto import Outcome
from app.services.errors import DomainError, FacilitatorLocked
from app.services.review.audit_log import PER_PAGE as AUDIT_PER_PAGE
from app.services.review.audit_log import AuditPage, audit_filter, distinct_actions, read_page, read_rows
from app.services.review.review_dto import AuditRow, FacilitatorSession, UnlockResult
from app.store.database import Store
from app.store.models import Event, Member, Project, utcnow

MIN_LENGTH = 8
MAX_LENGTH = 1024
FREE_TRIES = 5
THROTTLE_SECONDS = 30
IDLE_MINUTES = 30
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES = 16
KEY_BYTES = 32
RESETS = ("unlock_ok", "passphrase_set", "passphrase_changed")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _normalise(passphrase: str) -> bytes:
    # The same passphrase typed on another keyboard may arrive in another Unicode form.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def hash_passphrase(passphrase: str, salt: bytes | None = None) -> str:
    """The stored form of a passphrase: "scrypt$n$r$p$salt_b64$hash_b64"."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    key = hashlib.scrypt(
        _normalise(passphrase), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_BYTES
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_passphrase(passphrase: str, stored: str) -> bool:
    """True when `passphrase` matches the stored hash (compared in constant time)."""
    try:
        scheme, n, r, p, salt_b64, key_b64 = stored.split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(key_b64)
        key = hashlib.scrypt(
            _normalise(passphrase), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected),
            maxmem=256 * 1024 * 1024,
        )
    except (ValueError, TypeError) as exc:
        raise DomainError("The stored passphrase is damaged; it cannot be checked.") from exc
    return hmac.compare_digest(key, expected)


def _check_new(passphrase: object) -> str:
    if not isinstance(passphrase, str):
        raise DomainError("The passphrase must be text.")
    if len(passphrase) < MIN_LENGTH:
        raise DomainError(f"The passphrase is too short: use at least {MIN_LENGTH} characters.")
    if len(passphrase) > MAX_LENGTH or "\x00" in passphrase:
        raise DomainError(f"The passphrase must be at most {MAX_LENGTH} characters, with no nulls.")
    return passphrase


@dataclass
class _Live:
    project_id: str
    last_used: datetime


class FacilitatorService(ServiceBase):
    """Setting and checking the facilitator's passphrase; issuing and checking sessions."""

    def __init__(
        self, store: Store, now: Callable[[], datetime] = utcnow, idle_minutes: float = IDLE_MINUTES
    ) -> None:
        super().__init__(store)
        self._now = now
        self._idle = timedelta(minutes=idle_minutes)
        self._live: dict[str, _Live] = {}
        self._lock = threading.Lock()

    # --- the passphrase ----------------------------------------------------------------------

    def has_passphrase(self, project_id: str) -> bool:
        """True once the facilitator has set a passphrase for this project."""
        with self.store.read() as s:
            return self._get(s, Project, project_id, "project").facilitator_secret is not None

    def set_passphrase(self, project_id: str, new: str, old: str | None = None) -> UnlockResult:
        """Set the passphrase (first use) or change it (`old` must be right); enters facilitator mode.

        A new passphrase shorter than MIN_LENGTH raises DomainError and writes nothing. A
        wrong `old` counts as a wrong try, exactly like `unlock`.
        """
        new = _check_new(new)
        stored_new = hash_passphrase(new)
        with self.store.transaction() as s:
            project = self._get(s, Project, project_id, "project")
            now = self._clock()
            changing = project.facilitator_secret is not None
            if changing:
                if not isinstance(old, str) or not old:
                    raise DomainError("Give the current passphrase to change it.")
                refused = self._try(s, project, old, now)
                if refused is not None:
                    return refused
            project.facilitator_secret = stored_new
            member_id = self._facilitator_id(s, project.id)
            action = "passphrase_changed" if changing else "passphrase_set"
            self._stamped(s, project.id, member_id, action, now)
            message = "Passphrase changed." if changing else "Passphrase set."
            return UnlockResult(True, 0, f"{message} Facilitator mode is on.",
                                self._issue(project.id, member_id, now))

    def unlock(self, project_id: str, passphrase: str) -> UnlockResult:
        """Try the passphrase: a session when right; otherwise how many tries are left or the wait."""
        if not isinstance(passphrase, str) or not passphrase:
            raise DomainError("Type the passphrase first.")
        if len(passphrase) > MAX_LENGTH:
            raise DomainError(f"The passphrase is at most {MAX_LENGTH} characters.")
        with self.store.transaction() as s:
            project = self._get(s, Project, project_id, "project")
            if project.facilitator_secret is None:
                raise DomainError("No passphrase is set yet: set one first.")
            now = self._clock()
            refused = self._try(s, project, passphrase, now)
            if refused is not None:
                return refused
            member_id = self._facilitator_id(s, project.id)
            self._stamped(s, project.id, member_id, "unlock_ok", now)
            return UnlockResult(True, 0, "Facilitator mode is on.", self._issue(project.id, member_id, now))

    def wait_seconds(self, project_id: str) -> int:
        """Seconds before the next try will be checked (0: try now). Reads only."""
        with self.store.read() as s:
            project = self._get(s, Project, project_id, "project")
            _failures, wait = self._throttle(s, project.id, self._clock())
            return wait

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
            event = self._stamped(s, live.project_id, session.member_id, "facilitator_locked", self._clock())
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

    def _try(self, s: Session, project: Project, passphrase: str, now: datetime) -> UnlockResult | None:
        """None when the passphrase is right; otherwise the refusal, already logged."""
        failures, wait = self._throttle(s, project.id, now)
        if wait > 0:
            self._stamped(s, project.id, None, "unlock_refused", now, wait_seconds=wait)
            return UnlockResult(False, wait, f"Too many wrong tries. Wait {wait} seconds, then try again.")
        if verify_passphrase(passphrase, project.facilitator_secret or ""):
            return None
        failures += 1
        self._stamped(s, project.id, None, "unlock_failed", now, failures=failures)
        if failures >= FREE_TRIES:
            wait = f"Wait {THROTTLE_SECONDS} seconds, then try again."
            return UnlockResult(False, THROTTLE_SECONDS, f"That passphrase is not right. {wait}")
        left = FREE_TRIES - failures
        tries = "try" if left == 1 else "tries"
        return UnlockResult(False, 0, f"That passphrase is not right. {left} {tries} left before a wait.")

    @staticmethod
    def _throttle(s: Session, project_id: str, now: datetime) -> tuple[int, int]:
        """(wrong tries since the last right one, seconds still to wait)."""
        reset = s.scalar(
            select(func.max(Event.created_at)).where(Event.project_id == project_id, Event.action.in_(RESETS))
        )
        query = select(func.count(), func.max(Event.created_at)).where(
            Event.project_id == project_id, Event.action == "unlock_failed"
        )
        if reset is not None:
            query = query.where(Event.created_at > reset)
        failures, last = s.execute(query).one()
        if failures < FREE_TRIES or last is None:
            return failures, 0
        last = last if last.tzinfo is not None else last.replace(tzinfo=now.tzinfo)
        remaining = THROTTLE_SECONDS - (now - last).total_seconds()
        return failures, max(0, math.ceil(remaining - 0.001))  # stamps may be a few µs ahead

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

    def _stamped(
        self, s: Session, project_id: str, member_id: str | None, action: str, now: datetime, **detail: object
    ) -> Event:
        # The throttle reads these times, so they come from the injected clock, strictly in order.
        latest = s.scalar(select(func.max(Event.created_at)).where(
            Event.project_id == project_id, Event.action.in_((*RESETS, "unlock_failed"))))
        event = self._event(s, project_id, member_id, action, "project", project_id, **detail)
        event.created_at = now if latest is None or now > latest else latest + timedelta(microseconds=1)
        s.flush()
        return event


class GuardedService(ServiceBase):
    """A service whose every public method takes a live FacilitatorSession first."""

    def __init__(self, store: Store, facilitator: FacilitatorService) -> None:
        super().__init__(store)
        self.facilitator = facilitator

    def _session(self, session: object) -> FacilitatorSession:
        return self.facilitator.check(session)
