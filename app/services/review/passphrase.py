"""The facilitator's passphrase: the rules for a new one, its argon2id hash and the throttle on
wrong tries, kept in a file on the facilitator's computer only.

The file is `<data folder>/keys/<project id>.passphrase.json` (mode 0600, in a folder of mode
0700, beside the project's signing key): never in the database, so it never travels in a bundle
and a shared database holds none of it; a participant with access to the project cannot reset,
replace or exhaust it. It holds the hash ("$argon2id$…", argon2-cffi with OWASP's parameters)
and the throttle: wrong tries since the last right one and the time of the last. FREE_TRIES
wrong tries in a row make the next try wait FIRST_WAIT seconds after the last wrong one, and
each wrong try after those doubles the wait, up to LONGEST_WAIT; a right try resets it.

A new passphrase is at least MIN_LENGTH characters or MIN_WORDS words, and a common or
guessable one is refused with the reason (resources/security/common-passphrases.txt).
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.data_files import resource_path
from app.services.errors import DomainError
from app.services.export.files import atomic_writer

MIN_LENGTH = 12
MIN_WORDS = 3
MAX_LENGTH = 1024
FREE_TRIES = 5
FIRST_WAIT = 30  # seconds, after FREE_TRIES wrong tries; doubled by each further one
LONGEST_WAIT = 3600
COMMON = resource_path("security", "common-passphrases.txt")
# OWASP's argon2id parameters (19 MiB, 2 passes, 1 lane): about a tenth of a second here.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_RUNS = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm")


@lru_cache(maxsize=1)
def common_passphrases() -> frozenset[str]:
    """The shipped list of passphrases guessed first, as `_squeezed` forms."""
    lines = COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(_squeezed(line) for line in lines if line.strip() and not line.startswith("#"))


def _squeezed(text: str) -> str:
    """Lower case, without spaces, punctuation or digits at the end: "Pass word 123!" -> "password"."""
    letters = re.sub(r"[\W_]+", "", text.casefold())
    return re.sub(r"\d+$", "", letters) or letters


def normalised(passphrase: str) -> bytes:
    """The bytes hashed: NFC (the same passphrase typed on another keyboard may arrive in another
    Unicode form), UTF-8. DomainError for text that is not valid Unicode (lone surrogates)."""
    try:
        return unicodedata.normalize("NFC", passphrase).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise DomainError("The passphrase holds characters that are not valid text; type it again.") from exc


def passphrase_problem(passphrase: object, avoid: tuple[str, ...] = ()) -> str | None:
    """Why `passphrase` may not be set (one sentence), or None. `avoid`: names that are guessed
    first (the project's)."""
    if not isinstance(passphrase, str):
        return "The passphrase must be text."
    try:
        normalised(passphrase)
    except DomainError as exc:
        return exc.message
    if len(passphrase) > MAX_LENGTH or "\x00" in passphrase:
        return f"The passphrase must be at most {MAX_LENGTH} characters, with no null characters."
    words = {w for w in re.split(r"\W+", passphrase.casefold()) if len(w) >= 2}
    if len(passphrase.strip()) < MIN_LENGTH and len(words) < MIN_WORDS:
        return (f"The passphrase is too short: use at least {MIN_LENGTH} characters, "
                f"or {MIN_WORDS} words or more.")
    squeezed = _squeezed(passphrase)
    if len(set(squeezed)) <= 2:
        return "The passphrase repeats one or two characters: it is guessed at once."
    if any(squeezed in run or run.startswith(squeezed) for run in _RUNS) or squeezed.isdigit():
        return "The passphrase is a run of letters, keys or digits: it is guessed at once."
    if squeezed in common_passphrases() or any(squeezed == _squeezed(a) for a in avoid if a.strip()):
        return "That passphrase is one of the first that people try: choose another."
    return None


def hash_passphrase(passphrase: str) -> str:
    """The stored form: an argon2id hash with its own salt and parameters ("$argon2id$v=19$…")."""
    return HASHER.hash(normalised(passphrase))


def verify_passphrase(passphrase: str, stored: str) -> bool:
    """True when `passphrase` matches the stored hash."""
    try:
        return HASHER.verify(stored, normalised(passphrase))
    except VerifyMismatchError:
        return False
    except (InvalidHashError, VerificationError) as exc:
        raise DomainError("The stored passphrase is damaged; it cannot be checked.") from exc


@dataclass(frozen=True)
class Throttle:
    """Wrong tries since the last right one, and when the last was made."""

    failures: int = 0
    last_failure: datetime | None = None

    def wait(self, now: datetime) -> int:
        """Seconds before the next try is checked (0: now). A last try dated after `now` (the
        clock was put back) counts as made now, so no wait is ever longer than LONGEST_WAIT."""
        if self.failures < FREE_TRIES or self.last_failure is None:
            return 0
        wait = min(LONGEST_WAIT, FIRST_WAIT * 2 ** min(self.failures - FREE_TRIES, 20))
        since = max(timedelta(0), now - self.last_failure).total_seconds()
        return max(0, int(-(-(wait - since) // 1)))  # rounded up

    def failed(self, now: datetime) -> Throttle:
        """After one more wrong try."""
        return Throttle(self.failures + 1, now)


class PassphraseFile:
    """The hash and the throttle of one project's passphrase on this computer (see the module
    docstring). Reads and writes are serialised within the process; each write replaces the
    file whole."""

    def __init__(self, folder: Path, project_id: str) -> None:
        self.path = folder / f"{project_id}.passphrase.json"
        self._lock = threading.Lock()

    def stored(self) -> str | None:
        """The hash, or None when no passphrase is set on this computer."""
        return self._read().get("hash")

    def throttle(self) -> Throttle:
        """The throttle as it stands."""
        data = self._read()
        last = data.get("last_failure")
        return Throttle(int(data.get("failures", 0)), datetime.fromisoformat(last) if last else None)

    def save(self, stored: str | None = None, throttle: Throttle | None = None) -> None:
        """Write a new hash and/or throttle, keeping what is not given."""
        with self._lock:
            data = self._read()
            if stored is not None:
                data["hash"] = stored
            if throttle is not None:
                data["failures"] = throttle.failures
                data["last_failure"] = throttle.last_failure.isoformat() if throttle.last_failure else None
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with atomic_writer(self.path) as out:
                out.write(json.dumps(data, sort_keys=True).encode("utf-8"))

    def _read(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise DomainError(f"The passphrase file {self.path} cannot be read; facilitator mode stays "
                              "locked. Put back a copy of it, or remove it to set a new passphrase.") from exc
        if not isinstance(data, dict):
            raise DomainError(f"The passphrase file {self.path} is damaged; facilitator mode stays locked.")
        return data
