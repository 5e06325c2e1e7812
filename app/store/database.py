"""Opening the store: engine and pragmas, migrations at start-up, backups.

`Store.open(url)` is the one way in. For an SQLite file it refuses a database
from a newer version of the app (leaving it untouched), backs the file up with
the SQLite backup API before any upgrade, then migrates to head.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "db" / "migrations"
BACKUPS_KEPT = 10
BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """The database cannot be opened or migrated; the message says why, plainly."""


@dataclass(frozen=True)
class MigrationReport:
    """What happened at start-up: revisions before and after, and the backup taken."""

    before: str | None
    after: str
    backup: Path | None


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of an SQLite file ('?', '#' and '%' in the path are quoted)."""
    return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)


def _set_sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine with the pragmas every SQLite connection needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at db/migrations for this URL."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The newest migration revision this version of the app knows."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if head is None:
        raise StoreError("no migrations found in db/migrations")
    return head


def _known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {rev.revision for rev in script.walk_revisions()}


def _sqlite_revision(path: Path) -> str | None:
    """Read the file's revision without changing a byte of it."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    # Without a -wal file the main file holds every committed change, so it can be read as
    # immutable: SQLite then creates no -wal/-shm file and takes no lock. With one, a plain
    # read-only connection sees the committed changes still in the WAL.
    wal = path.with_name(path.name + "-wal")
    uri = path.resolve().as_uri() + ("?mode=ro" if wal.exists() else "?mode=ro&immutable=1")
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"{path} cannot be opened: {exc}") from exc
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            if tables:
                raise StoreError(f"{path} is an SQLite file but not a Co-production Canvas store")
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is damaged or is not a database: {exc}") from exc
    finally:
        conn.close()


def _create_private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(path, 0o600)


def backup_sqlite(path: Path, label: str) -> Path:
    """Copy an SQLite file with the backup API into `backups/` beside it (0600)."""
    folder = path.parent / "backups"
    folder.mkdir(exist_ok=True, mode=0o700)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{path.stem}-{stamp}-{label}.db"
    _create_private_file(target)
    source = sqlite3.connect(path)
    dest = sqlite3.connect(target)
    try:
        with dest:
            source.backup(dest)
    finally:
        dest.close()
        source.close()
    backups = sorted(folder.glob(f"{path.stem}-*.db"))
    for old in backups[:-BACKUPS_KEPT]:
        old.unlink()
    return target


def _migrate(url: str, revision: str = "head") -> None:
    cfg = alembic_config(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        command.upgrade(cfg, revision)
        return
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            # Batch migrations copy tables; foreign keys must be off for that, and checked after.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.commit()
            problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise StoreError(f"migration left broken references: {problems[:5]}")
    finally:
        engine.dispose()


def _migrate_or_explain(url: str, head: str, backup: Path | None) -> None:
    """Migrate to head; any failure becomes a StoreError that says where the backup is."""
    try:
        _migrate(url)
    except StoreError:
        raise
    except Exception as exc:
        kept = f" A copy from before the upgrade is in {backup}." if backup is not None else ""
        raise StoreError(f"The database could not be upgraded to revision {head}: {exc}.{kept}") from exc


class Store:
    """An open, migrated database and a way to run one transaction at a time."""

    def __init__(self, engine: Engine, report: MigrationReport) -> None:
        self.engine = engine
        self.report = report
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str) -> Store:
        """Open (creating if needed) and migrate the database at `url`."""
        parsed = make_url(url)
        head = head_revision()
        backup: Path | None = None
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            path = Path(parsed.database).expanduser()
            before = _sqlite_revision(path)
            if before is not None and before not in _known_revisions():
                raise StoreError(
                    f"{path} was written by a newer version of Co-production Canvas "
                    f"(revision {before}). Update the app to open it; the file was not changed."
                )
            _create_private_file(path)
            if before is not None and before != head:
                backup = backup_sqlite(path, f"before-{head}")
            if before != head:
                _migrate_or_explain(url, head, backup)
        else:
            before = cls._current_revision(url)
            if before is not None and before not in _known_revisions():
                raise StoreError(
                    f"the database was written by a newer version of the app (revision {before})"
                )
            if before != head:
                _migrate_or_explain(url, head, None)
        engine = make_engine(url)
        return cls(engine, MigrationReport(before=before, after=head, backup=backup))

    @staticmethod
    def _current_revision(url: str) -> str | None:
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        finally:
            engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only."""
        with self._sessions() as session:
            yield session

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()
