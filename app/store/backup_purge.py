"""Backups that still hold a withdrawn member's data: find them, replace them with a fresh one.

`Store.open` (and the daily backup) copy the database into `backups/` beside it. After a
member withdraws, those older copies still hold what the withdrawal removed, so the
withdrawal (app/services/review/participants.py) asks `backups_holding` which copies hold the
member as they were before, and once the withdrawal has committed, `replace_backups`
takes a fresh backup (the same SQLite backup API as every backup) and only then deletes
those older copies, so there is always a good backup to restore. Pure sqlite3 and paths.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.store.database import backup_sqlite
from app.store.recovery import SIDE_FILES, backups_of

LABEL = "after-withdrawal"


@dataclass(frozen=True)
class Replaced:
    """What `replace_backups` did: the fresh backup, the copies deleted, and those it could not."""

    fresh: Path
    deleted: tuple[Path, ...]
    failed: tuple[Path, ...]


def _holds_member(backup: Path, member_id: str) -> bool:
    """True when the copy has the member not yet withdrawn, or cannot be read (so it may)."""
    uri = backup.resolve().as_uri() + "?mode=ro&immutable=1"  # reads only: no -wal or -shm made
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        return True
    try:
        row = conn.execute("SELECT withdrawn_at FROM member WHERE id = ?", (member_id,)).fetchone()
    except sqlite3.Error:
        return True
    finally:
        conn.close()
    return row is not None and row[0] is None


def backups_holding(database: Path, member_id: str) -> list[Path]:
    """The backups of the database file at `database` that may hold the member's data, newest first."""
    return [b for b in backups_of(database) if _holds_member(b, member_id)]


def replace_backups(database: Path, old: Iterable[Path]) -> Replaced:
    """Take a fresh backup of `database`, then delete the `old` backup files (never the fresh one)."""
    fresh = backup_sqlite(database, LABEL)
    deleted: list[Path] = []
    failed: list[Path] = []
    for path in old:
        if path == fresh:
            continue
        try:
            for side in SIDE_FILES:  # a copy opened by hand may have grown a journal beside it
                path.with_name(path.name + side).unlink(missing_ok=True)
            path.unlink(missing_ok=True)
        except OSError:
            failed.append(path)
        else:
            deleted.append(path)
    return Replaced(fresh, tuple(deleted), tuple(failed))
