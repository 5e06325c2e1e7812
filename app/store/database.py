"""Opening the store: engine and pragmas, migrations at start-up, backups.

`Store.open(url)` is the one way in. For an SQLite file it refuses a damaged file
(`app/store/recovery.py` says what is wrong) and a database from a newer version of
the app, leaving both untouched; backs the file up with the SQLite backup API before
any upgrade, then migrates to head in one transaction. `Store.transaction()` takes
SQLite's write lock first (BEGIN IMMEDIATE), so two copies of the app on one file
queue for it instead of losing a write.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.data_files import migrations_path
from app.store.errors import StoreBusy, StoreError
from app.store.recovery import diagnose
from app.store.shared_checks import (  # noqa: F401 - LoginRefused is imported from here too
    LoginRefused,
    SharedDatabaseBehind,
    _behind_message,
    _plain_refusal,
)

if TYPE_CHECKING:  # Alembic is imported only when it is needed: it costs ~0.1 s at start-up
    from alembic.config import Config

MIGRATIONS = migrations_path()
BACKUPS_KEPT = 10
DAILY_BACKUP_AGE = timedelta(hours=24)
# Short: a member's action waits this long (on the window's worker thread) for another copy of
# the app before they hear "the database is busy"; a write of this app takes milliseconds.
BUSY_TIMEOUT_MS = 2_000
WRITE_ATTEMPTS = 3  # each waits up to BUSY_TIMEOUT_MS for another copy of the app to finish


def _begin_immediate(conn: Connection) -> None:
    """Take SQLite's write lock now, waiting (busy timeout, then retries) for other writers."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if attempt == WRITE_ATTEMPTS - 1:
                raise StoreBusy(
                    "The project is being changed in another copy of the app and stayed busy, "
                    "so nothing was saved. Try again."
                ) from exc
            time.sleep(0.05 * 2**attempt)


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
    """An engine with the pragmas every SQLite connection needs; for PostgreSQL, TLS off this
    computer and the connect and statement timeouts (app/store/connection.py)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        from app.store.connection import ConnectionRefused, connect_args

        try:
            args = connect_args(parsed)
        except ConnectionRefused as exc:
            raise StoreError(str(exc)) from exc
        return create_engine(url, pool_pre_ping=True, connect_args=args)
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at db/migrations for this URL."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The newest migration revision this version of the app knows."""
    return _script_revisions()[1]


_REVISION_LINE = re.compile(r"""^revision\s*(?::[^=\n]*)?=\s*['"]([^'"]+)['"]\s*$""", re.M)
_DOWN_LINE = re.compile(r"^down_revision\s*(?::[^=\n]*)?=\s*(.+)$", re.M)
_QUOTED = re.compile(r"""['"]([^'"]+)['"]""")


def _script_revisions() -> tuple[set[str], str]:
    """Every revision in db/migrations and the head, read from the files' text.

    Start-up usually finds the file at head and then needs no Alembic at all. Anything
    unusual (a merge, a file that does not say its revisions plainly) is left to Alembic.
    """
    files = [f for f in (MIGRATIONS / "versions").glob("*.py") if not f.name.startswith("_")]
    known: set[str] = set()
    parents: set[str] = set()
    for file in files:
        text = file.read_text(encoding="utf-8")
        revision, down = _REVISION_LINE.findall(text), _DOWN_LINE.findall(text)
        if len(revision) != 1 or len(down) != 1:
            return _alembic_revisions()
        known.add(revision[0])
        parents.update(_QUOTED.findall(down[0]))
    heads = known - parents
    if len(known) != len(files) or len(heads) != 1 or not parents <= known:
        return _alembic_revisions()
    return known, heads.pop()


def _alembic_revisions() -> tuple[set[str], str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    if head is None:
        raise StoreError("no migrations found in db/migrations")
    return {rev.revision for rev in script.walk_revisions()}, head


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


def daily_backup(store: Store, now: datetime | None = None) -> Path | None:
    """Back up an SQLite store when its newest backup is a day old or there is none, so that
    a file damaged later has something recent to restore. Returns the new backup, if any."""
    url = store.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(url.database).expanduser()
    folder = path.parent / "backups"
    newest = max((b.stat().st_mtime for b in folder.glob(f"{path.stem}-*.db")), default=None)
    moment = (now or datetime.now(timezone.utc)).timestamp()
    if newest is not None and moment - newest < DAILY_BACKUP_AGE.total_seconds():
        return None
    return backup_sqlite(path, "daily")


def _migrate(url: str, revision: str = "head", role: str | None = None) -> None:
    """Upgrade to `revision`; on a server, as `role` (the schema's owner) when one is given."""
    from alembic import command

    cfg = alembic_config(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = make_engine(url)
        try:
            with engine.begin() as conn:  # one transaction: PostgreSQL's DDL is transactional
                if role is not None:
                    conn.exec_driver_sql(f'SET ROLE "{role}"')
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
        finally:
            engine.dispose()
        return
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _migration_pragmas)
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    try:
        with engine.connect() as conn:
            # One transaction for the whole upgrade (Alembic joins it), so that a crash or an
            # error part-way leaves the file exactly as it was; references are checked in it.
            conn.begin()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise StoreError(f"migration left broken references: {problems[:5]}")
            conn.commit()
    finally:
        engine.dispose()


def _migration_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """The migration's connection: WAL as always, foreign keys off (batch migrations copy
    tables) and no implicit transactions, so that the BEGIN in `_migrate` covers everything."""
    dbapi_conn.isolation_level = None
    for pragma in ("journal_mode=WAL", "foreign_keys=OFF", f"busy_timeout={BUSY_TIMEOUT_MS}"):
        dbapi_conn.execute(f"PRAGMA {pragma}")


def _migrate_or_explain(url: str, head: str, backup: Path | None, role: str | None = None) -> None:
    """Migrate to head; any failure becomes a StoreError that says where the backup is."""
    try:
        _migrate(url, role=role)
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
        self.data_path: Path | None = None  # set to keep this computer's files elsewhere (tests)

    @classmethod
    def open(cls, url: str, migrate: bool = False, owner: str | None = None) -> Store:
        """Open (creating if needed) and migrate the database at `url`.

        An SQLite file is migrated here, as every copy of the app has its own. A shared database
        is migrated only when `migrate` is given (by `db setup`, as the schema's `owner`): a
        member's app finding it behind says to ask the research team, and changes nothing."""
        parsed = make_url(url)
        known, head = _script_revisions()  # the migration files are read once per start
        backup: Path | None = None
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            path = Path(parsed.database).expanduser()
            diagnosis = diagnose(path)  # damaged files are refused untouched (app/store/recovery.py)
            if diagnosis.recoverable:
                raise StoreError(f"{diagnosis.message} The file was not changed.")
            before = _sqlite_revision(path)
            if before is not None and before not in known:
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
            if before is not None and before not in known:
                raise StoreError(
                    f"the database was written by a newer version of the app (revision {before})"
                )
            if before != head and not migrate and parsed.get_backend_name() != "sqlite":
                raise SharedDatabaseBehind(_behind_message(before, head))
            if before != head:
                _migrate_or_explain(url, head, None, owner)
        engine = make_engine(url)
        return cls(engine, MigrationReport(before=before, after=head, backup=backup))

    @staticmethod
    def _current_revision(url: str) -> str | None:
        from alembic.runtime.migration import MigrationContext

        engine = make_engine(url)
        try:
            with _plain_refusal(), engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except OperationalError as exc:  # the server is down, or not there at all
            first = str(exc.orig or exc).strip().splitlines()[0]
            raise StoreError(f"The shared database at {engine.url.host or 'this computer'} cannot be "
                             f"reached ({first}). Try again later; nothing was changed.") from exc
        finally:
            engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on any error."""
        with _plain_refusal(), self._sessions() as session, session.begin():
            if self.engine.dialect.name == "sqlite":
                # Writers queue here, before any read: nothing can change between this unit's
                # reads and its writes, so two copies of the app on one file lose nothing.
                _begin_immediate(session.connection())
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only."""
        with _plain_refusal(), self._sessions() as session:
            yield session

    def data_folder(self) -> Path:
        """This computer's data folder for the store: CANVAS_DATA_DIR when set, else the folder of an
        SQLite file, else the user data folder. What must never be in the database (the signing
        key, the facilitator's passphrase) is kept under it."""
        url = self.engine.url
        if self.data_path is not None:
            return self.data_path
        if os.environ.get("CANVAS_DATA_DIR"):
            return Path(os.environ["CANVAS_DATA_DIR"]).expanduser()
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return Path(url.database).expanduser().resolve().parent
        from platformdirs import user_data_path

        return user_data_path("coproduction-canvas", appauthor=False)

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()
