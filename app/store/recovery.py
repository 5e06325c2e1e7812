"""Damaged database files: say plainly what is wrong, find a good backup, keep the damaged file.

Pure functions over paths (sqlite3 only; no SQLAlchemy, no Qt), used by `Store.open` at
start-up and by the recovery choices in `main.py` and `app/ui/recovery_dialog.py`:

- `diagnose(path)` looks at a database file without changing a byte of it.
- `newest_good_backup(path)` finds the newest backup in `backups/` that passes SQLite's
  full integrity check and is a Co-production Canvas store.
- `restore_backup(path, backup)` and `start_new(path)` first move the damaged file (and its
  `-wal`, `-shm` and `-journal` files) aside to `<name>.damaged-<UTC time>`, never deleting
  or overwriting it, and only then put a restored copy in its place (or leave the place free
  for a new file).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

HEADER = b"SQLite format 3\x00"
HEADER_SIZE = 100
SIDE_FILES = ("-wal", "-shm", "-journal")
BUSY_TIMEOUT_S = 10.0
_STAMP = re.compile(r"-(\d{8}T\d{6})(\d*)Z-")

# Diagnosis states. Only DAMAGED and NOT_DATABASE are cases for restoring or starting anew.
OK, MISSING, EMPTY, BUSY, UNREADABLE = "ok", "missing", "empty", "busy", "unreadable"
DAMAGED, NOT_DATABASE = "damaged", "not_database"


class RecoveryError(Exception):
    """A recovery step could not be done; the message says why, plainly. Nothing was lost."""


@dataclass(frozen=True)
class Diagnosis:
    """What a database file looks like: its state and, when it has a problem, a plain sentence."""

    path: Path
    state: str
    problem: str = ""
    details: tuple[str, ...] = ()

    @property
    def recoverable(self) -> bool:
        """True when the file is damaged or not a database: restore a backup or start anew."""
        return self.state in (DAMAGED, NOT_DATABASE)

    @property
    def message(self) -> str:
        """One plain sentence for a person (empty when the file is usable)."""
        return f"{self.path} {self.problem}" if self.problem else ""


@dataclass(frozen=True)
class Backup:
    """A backup file that passed the integrity check."""

    path: Path
    taken_at: datetime
    revision: str

    def label(self) -> str:
        """When it was taken, in local time, e.g. "3 March 2026 at 14:05"."""
        local = self.taken_at.astimezone()
        return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _uri(path: Path, immutable: bool) -> str:
    return path.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")


def _is_corruption(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return any(w in text for w in ("malformed", "not a database", "corrupt"))


def _query_check(path: Path, immutable: bool, thorough: bool) -> Diagnosis:
    """Open read-only and run SQLite's own check (quick, or full when `thorough`)."""
    pragma = "integrity_check" if thorough else "quick_check"
    try:
        conn = sqlite3.connect(_uri(path, immutable), uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        return Diagnosis(path, UNREADABLE, f"cannot be opened: {exc}.")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
    except sqlite3.DatabaseError as exc:
        if not _is_corruption(exc):
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                return Diagnosis(path, BUSY, "is in use by another program.")
            return Diagnosis(path, UNREADABLE, f"cannot be read: {exc}.")
        if "not a database" in str(exc).lower():
            return Diagnosis(path, DAMAGED, "is damaged: SQLite says it is not a database any more.")
        return Diagnosis(path, DAMAGED, f"is damaged (SQLite reports: {exc}).", (str(exc),))
    finally:
        conn.close()
    if rows != ["ok"]:
        found = f"{len(rows)} problems" if len(rows) != 1 else "a problem"
        return Diagnosis(path, DAMAGED, f"is damaged: SQLite's own check found {found} in it.",
                         tuple(rows[:20]))
    return Diagnosis(path, OK)


def _header_problem(path: Path, head: bytes, size: int) -> Diagnosis | None:
    """Checks that need only the first 100 bytes and the file's length."""
    if not head.startswith(HEADER):
        return Diagnosis(path, NOT_DATABASE,
                         "is not a database: it does not begin the way every SQLite database begins.")
    if size < HEADER_SIZE:
        return Diagnosis(path, DAMAGED, f"is damaged: it is cut short ({size} bytes).")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return Diagnosis(path, DAMAGED, "is damaged: its header is not valid.")
    if size % page_size:
        return Diagnosis(path, DAMAGED, "is damaged: it is cut short in the middle of a page.")
    pages = int.from_bytes(head[28:32], "big")
    size_valid = head[24:28] == head[92:96] and pages > 0
    if size_valid and pages * page_size > size and not _side(path, "-wal").exists():
        return Diagnosis(path, DAMAGED,
                         f"is damaged: it is cut short ({size // page_size} of {pages} pages are there).")
    return None


def _side(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def diagnose(path: Path, thorough: bool = False) -> Diagnosis:
    """Look at the database file at `path` without changing it (no -wal or -shm is created
    beside a file that has none). `thorough` runs the full integrity check instead of the
    quick one (which still reads every page)."""
    path = Path(path)
    try:
        if not path.exists():
            return Diagnosis(path, MISSING)
        if not path.is_file():
            return Diagnosis(path, UNREADABLE, "is a folder, not a database file.")
        size = path.stat().st_size
        if size == 0:
            return Diagnosis(path, EMPTY)
        with path.open("rb") as f:
            head = f.read(HEADER_SIZE)
    except OSError as exc:
        return Diagnosis(path, UNREADABLE, f"cannot be read: {exc.strerror or exc}.")
    problem = _header_problem(path, head, size)
    if problem is not None:
        return problem
    wal = _side(path, "-wal")
    had_wal = wal.exists()
    # Without a -wal the file holds every committed change, so it can be read as immutable:
    # then SQLite creates no -wal/-shm and takes no lock. A hot -journal must not be ignored.
    immutable = not had_wal and not _side(path, "-journal").exists()
    found = _query_check(path, immutable, thorough)
    if found.state != OK and immutable and wal.exists():
        # Another copy of the app opened the file while it was read unlocked: read it again,
        # properly, before calling it damaged.
        found = _query_check(path, False, thorough)
    return found


def store_revision(path: Path) -> str | None:
    """The Alembic revision recorded in an SQLite file (None when there is none)."""
    conn = sqlite3.connect(_uri(path, not _side(path, "-wal").exists()), uri=True)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return str(row[0]) if row else None


def _taken_at(backup: Path) -> datetime:
    match = _STAMP.search(backup.name)
    if match:
        with contextlib.suppress(ValueError):
            return datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc)
    return datetime.fromtimestamp(backup.stat().st_mtime, timezone.utc)


def backups_of(path: Path) -> list[Path]:
    """The backup files of the database at `path`, newest first."""
    folder = Path(path).parent / "backups"
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob(f"{Path(path).stem}-*.db") if p.is_file()]
    return sorted(found, key=lambda p: (_taken_at(p), p.name), reverse=True)


def check_backup(backup: Path) -> Backup | None:
    """The backup, if it passes the full integrity check and is a Co-production Canvas store."""
    if diagnose(backup, thorough=True).state != OK:
        return None
    revision = store_revision(backup)
    return None if revision is None else Backup(backup, _taken_at(backup), revision)


def newest_good_backup(path: Path) -> Backup | None:
    """The newest backup of `path` that is sound, or None."""
    for candidate in backups_of(path):
        good = check_backup(candidate)
        if good is not None:
            return good
    return None


def _fsync_folder(folder: Path) -> None:
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def set_aside(path: Path) -> Path:
    """Rename the file at `path` (and its -wal, -shm, -journal) to `<name>.damaged-<UTC time>`.

    Returns the new name. Nothing is deleted or overwritten; the side files move first, so a
    stale -wal can never be applied to whatever later takes the old name."""
    path = Path(path)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while any(_side(aside, s).exists() for s in ("", *SIDE_FILES)):
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
        n += 1
    try:
        for suffix in SIDE_FILES:
            if _side(path, suffix).exists():
                os.rename(_side(path, suffix), _side(aside, suffix))
        if path.exists():
            os.rename(path, aside)
        _fsync_folder(path.parent)
    except OSError as exc:
        raise RecoveryError(
            f"{path} could not be moved aside ({exc.strerror or exc}); nothing was deleted."
        ) from exc
    return aside


def _copy_database(source: Path, target: Path) -> None:
    """Copy an SQLite file with the backup API into a new private file, synced to disk."""
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    src = sqlite3.connect(_uri(source, True), uri=True)
    dest = sqlite3.connect(target)
    try:
        with dest:
            src.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")
    finally:
        dest.close()
        src.close()
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def restore_backup(path: Path, backup: Backup | Path) -> Path:
    """Put a copy of `backup` where the damaged file at `path` was; return where the damaged
    file was kept. The backup itself is left as it is."""
    path = Path(path)
    source = backup.path if isinstance(backup, Backup) else Path(backup)
    checked = check_backup(source)  # checked again: it may have changed since it was offered
    if checked is None:
        raise RecoveryError(f"The backup {source} is not sound; nothing was changed.")
    temp = path.with_name(f"{path.name}.restoring-{os.getpid()}")
    try:
        _copy_database(checked.path, temp)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            temp.unlink()  # our own half-made copy, never the damaged file or the backup
        raise RecoveryError(f"The backup could not be copied ({exc}); nothing was changed.") from exc
    if diagnose(temp, thorough=True).state != OK:
        temp.unlink()
        raise RecoveryError("The copy of the backup did not pass the check; nothing was changed.")
    aside = set_aside(path)
    os.replace(temp, path)
    _fsync_folder(path.parent)
    return aside


def start_new(path: Path) -> Path:
    """Move the damaged file at `path` aside so that a new, empty store can be made there;
    return where the damaged file was kept."""
    return set_aside(Path(path))
