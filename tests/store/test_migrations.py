"""Start-up migrations, schema drift, backups, refusal of unknown files, pragmas and file modes."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, text
from sqlalchemy.exc import IntegrityError

from app.services.demo import create_demo
from app.store import database
from app.store.database import (
    BACKUPS_KEPT,
    Store,
    StoreError,
    alembic_config,
    backup_sqlite,
    head_revision,
    sqlite_url,
)
from app.store.models import Base, Member

TABLES = set(Base.metadata.tables)
# The app's real newest revision; the test-only revision below is added on top of it.
REAL_HEAD = head_revision()
TEST_HEAD = "test_extra"

SECOND_REVISION = '''"""test-only second revision"""
import sqlalchemy as sa
from alembic import op

revision = "test_extra"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("test_extra", sa.Column("id", sa.Integer(), primary_key=True))
    {fail}


def downgrade() -> None:
    op.drop_table("test_extra")
'''


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "canvas.db"


def open_store(path: Path) -> Store:
    return Store.open(sqlite_url(path))


def make_store(path: Path, demo: bool = False) -> None:
    """Create (or migrate) a store at `path`, optionally with the demo project, and close it."""
    store = open_store(path)
    try:
        if demo:
            create_demo(store)
    finally:
        store.close()


def sqlite_tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    finally:
        conn.close()
    return {r[0] for r in rows if not r[0].startswith("sqlite_")}


def sqlite_revision(path: Path) -> str | None:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        conn.close()
    return row[0] if row else None


def row_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(TABLES)}
    finally:
        conn.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def schema_diff(url: str, metadata: MetaData = Base.metadata) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()


def plain(message: str) -> bool:
    """A message fit to show a person: no traceback or exception-class noise."""
    noise = ("Traceback", "sqlite3.", "OperationalError", "DatabaseError", "Error(", "\n")
    return bool(message.strip()) and not any(n in message for n in noise)


@pytest.fixture
def with_second_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Return a function that switches the app to a copy of db/migrations plus one test revision."""

    def install(fail: bool = False) -> Path:
        copy = tmp_path / "migrations"
        shutil.copytree(database.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
        body = SECOND_REVISION.replace(
            "{fail}", 'raise RuntimeError("test migration failed")' if fail else "pass"
        ).replace("{down}", REAL_HEAD)
        (copy / "versions" / "9999_test_extra.py").write_text(body)
        monkeypatch.setattr(database, "MIGRATIONS", copy)
        assert head_revision() == TEST_HEAD
        return copy

    return install


# --- migrating up and down ------------------------------------------------------------------


def test_empty_file_to_head_to_base_to_head(db_path: Path):
    db_path.parent.mkdir(parents=True)
    db_path.touch()
    url = sqlite_url(db_path)
    head = head_revision()

    store = Store.open(url)
    store.close()
    assert store.report.before is None and store.report.after == head
    assert store.report.backup is None
    assert sqlite_revision(db_path) == head
    assert sqlite_tables(db_path) == TABLES | {"alembic_version"}

    command.downgrade(alembic_config(url), "base")
    assert sqlite_tables(db_path) == {"alembic_version"}
    assert sqlite_revision(db_path) is None

    command.upgrade(alembic_config(url), "head")
    assert sqlite_tables(db_path) == TABLES | {"alembic_version"}
    assert sqlite_revision(db_path) == head

    # Opening a store already at head changes nothing and takes no backup.
    store = Store.open(url)
    store.close()
    assert (store.report.before, store.report.after, store.report.backup) == (head, head, None)
    assert not (db_path.parent / "backups").exists()


def test_store_at_base_is_migrated_again_without_a_backup(db_path: Path):
    make_store(db_path)
    command.downgrade(alembic_config(sqlite_url(db_path)), "base")
    store = open_store(db_path)
    store.close()
    # At base the store holds nothing to lose, so there is nothing to back up.
    assert store.report.before is None and store.report.backup is None
    assert sqlite_revision(db_path) == head_revision()


def test_orm_metadata_matches_migrated_schema(db_path: Path):
    make_store(db_path)
    url = sqlite_url(db_path)
    assert schema_diff(url) == []
    command.downgrade(alembic_config(url), "base")
    command.upgrade(alembic_config(url), "head")
    assert schema_diff(url) == []


def test_drift_check_would_notice_a_difference(db_path: Path):
    """The drift check is not vacuous: metadata with an extra table and column is reported."""
    make_store(db_path)
    drifted = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(drifted)
    Table("not_migrated", drifted, Column("id", Integer, primary_key=True))
    drifted.tables["member"].append_column(Column("shoe_size", Integer))
    diff = schema_diff(sqlite_url(db_path), drifted)
    kinds = {d[0] for d in diff if isinstance(d, tuple)}
    assert {"add_table", "add_column"} <= kinds


# --- backups -------------------------------------------------------------------------------


def test_backup_is_taken_before_an_upgrade(db_path: Path, with_second_revision):
    make_store(db_path, demo=True)
    counts = row_counts(db_path)
    assert counts["contribution"] > 0 and counts["member"] == 6

    with_second_revision()
    store = open_store(db_path)
    store.close()
    report = store.report
    assert (report.before, report.after) == (REAL_HEAD, TEST_HEAD)

    backups = sorted((db_path.parent / "backups").glob("*.db"))
    assert backups == [report.backup]
    backup = report.backup
    assert backup.name.startswith("canvas-") and backup.name.endswith(f"-before-{TEST_HEAD}.db")
    # The backup is a sound SQLite store at the old revision with every row.
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert sqlite_revision(backup) == REAL_HEAD
    assert "test_extra" not in sqlite_tables(backup)
    assert row_counts(backup) == counts
    # The store itself moved on, keeping its rows.
    assert sqlite_revision(db_path) == TEST_HEAD
    assert "test_extra" in sqlite_tables(db_path)
    assert row_counts(db_path) == counts

    # Opening again at head takes no further backup.
    again = open_store(db_path)
    again.close()
    assert again.report.backup is None
    assert sorted((db_path.parent / "backups").glob("*.db")) == backups


def test_failed_upgrade_is_reported_plainly_and_the_backup_kept(db_path: Path, with_second_revision):
    make_store(db_path, demo=True)
    counts = row_counts(db_path)
    with_second_revision(fail=True)
    with pytest.raises(StoreError) as caught:
        open_store(db_path)
    message = str(caught.value)
    assert "could not be upgraded" in message and "test migration failed" in message
    backups = list((db_path.parent / "backups").glob("*.db"))
    assert len(backups) == 1 and str(backups[0]) in message
    assert sqlite_revision(backups[0]) == REAL_HEAD
    assert row_counts(backups[0]) == counts
    assert sqlite_revision(db_path) == REAL_HEAD


def test_backup_sqlite_copies_committed_data_of_an_open_store(db_path: Path):
    store = open_store(db_path)
    try:
        create_demo(store)
        # The store is still open, so the demo may sit in the WAL: the backup API must see it.
        target = backup_sqlite(db_path, "manual")
        assert target.parent == db_path.parent / "backups"
        assert target.name.endswith("-manual.db")
        assert row_counts(target) == row_counts(db_path)
        assert row_counts(target)["member"] == 6
    finally:
        store.close()


def test_backups_are_pruned_to_the_newest_ten(db_path: Path):
    make_store(db_path)
    folder = db_path.parent / "backups"
    folder.mkdir()
    old = [folder / f"canvas-20200101T0000000000{i:02d}Z-before-0001.db" for i in range(BACKUPS_KEPT + 1)]
    for path in old:
        path.write_bytes(b"")
    unrelated = folder / "other-20190101T000000000000Z-before-0001.db"
    unrelated.write_bytes(b"")

    newest = backup_sqlite(db_path, "before-test")

    kept = sorted(folder.glob("canvas-*.db"))
    assert len(kept) == BACKUPS_KEPT == 10
    assert newest in kept
    assert kept == sorted([*old[2:], newest])
    assert not old[0].exists() and not old[1].exists()
    assert unrelated.exists(), "backups of another database are not pruned"


# --- refusing files the app must not touch -----------------------------------------------------


def test_database_from_a_newer_app_is_refused_untouched(db_path: Path):
    make_store(db_path, demo=True)
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    folder = db_path.parent
    listing = sorted(os.listdir(folder))
    assert listing == ["canvas.db"]
    digest, mtime = sha256(db_path), db_path.stat().st_mtime_ns

    with pytest.raises(StoreError, match="newer") as caught:
        open_store(db_path)

    assert "9999" in str(caught.value) and plain(str(caught.value))
    assert sha256(db_path) == digest
    assert db_path.stat().st_mtime_ns == mtime
    assert sorted(os.listdir(folder)) == listing, "no -wal, -shm or backups/ may appear"
    assert not db_path.with_name("canvas.db-wal").exists()


def test_awkward_folder_names_work(tmp_path: Path):
    """Characters with a meaning in URIs ('#', '?', '%') must not confuse the file probe."""
    path = tmp_path / "our data #1 ?100%20" / "canvas.db"
    make_store(path, demo=True)
    store = open_store(path)
    store.close()
    assert store.report.before == head_revision()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        open_store(path)


def _truncated_half(path: Path) -> None:
    make_store(path, demo=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _truncated_header(path: Path) -> None:
    make_store(path)
    path.write_bytes(path.read_bytes()[:50])


def _text_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("Minutes of the meeting\nWe talked about care.\n" * 40)


def _random_bytes(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(range(256)) * 64)


def _other_sqlite(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.close()


@pytest.mark.parametrize(
    ("make_file", "expected"),
    [
        (_text_file, "not a database"),
        (_random_bytes, "not a database"),
        (_truncated_half, "damaged"),
        (_truncated_header, "damaged"),
        (_other_sqlite, "not a Co-production Canvas store"),
    ],
    ids=["text", "random-bytes", "truncated-half", "truncated-header", "other-sqlite"],
)
def test_files_that_are_not_stores_are_refused_plainly(db_path: Path, make_file, expected: str):
    make_file(db_path)
    for extra in db_path.parent.glob("canvas.db-*"):
        extra.unlink()
    digest = sha256(db_path)

    with pytest.raises(StoreError) as caught:
        open_store(db_path)

    message = str(caught.value)
    assert type(caught.value) is StoreError
    assert expected in message and str(db_path) in message
    assert plain(message), message
    assert sha256(db_path) == digest
    assert not db_path.with_name("canvas.db-wal").exists()


# --- connections ---------------------------------------------------------------------------


def _pragmas(conn) -> tuple:
    return tuple(
        conn.exec_driver_sql(f"PRAGMA {name}").scalar()
        for name in ("foreign_keys", "journal_mode", "synchronous", "busy_timeout")
    )


def test_every_connection_has_the_pragmas(db_path: Path):
    store = open_store(db_path)
    try:
        # Two connections at once, so the pool has to make a second one.
        with store.engine.connect() as first, store.engine.connect() as second:
            for conn in (first, second):
                fk, journal, sync, busy = _pragmas(conn)
                assert (fk, journal, sync) == (1, "wal", 2)
                assert busy > 0
        with store.transaction() as s:
            assert _pragmas(s.connection())[:3] == (1, "wal", 2)
        with store.read() as s:
            assert _pragmas(s.connection())[:3] == (1, "wal", 2)
    finally:
        store.close()


def test_foreign_keys_are_enforced(db_path: Path):
    store = open_store(db_path)
    try:
        with pytest.raises(IntegrityError), store.transaction() as s:
            s.add(Member(project_id="no-such-project", display_name="Nobody"))
        with store.read() as s:
            assert s.execute(text("SELECT count(*) FROM member")).scalar() == 0
    finally:
        store.close()


# --- file modes ----------------------------------------------------------------------------


@pytest.fixture
def open_umask():
    """A permissive umask, so only the app's own choices can make files private."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_database_and_wal_files_are_private(db_path: Path, open_umask):
    store = open_store(db_path)
    try:
        create_demo(store)
        assert mode(db_path) == 0o600
        wal = db_path.with_name("canvas.db-wal")
        if wal.exists():
            assert mode(wal) == 0o600
    finally:
        store.close()
    assert mode(db_path) == 0o600


def test_existing_database_is_made_private(db_path: Path):
    make_store(db_path)
    os.chmod(db_path, 0o644)
    make_store(db_path)
    assert mode(db_path) == 0o600


def test_backups_are_private(db_path: Path, open_umask, with_second_revision):
    make_store(db_path, demo=True)
    with_second_revision()
    store = open_store(db_path)
    store.close()
    assert store.report.backup is not None
    assert mode(store.report.backup) == 0o600
    assert mode(store.report.backup.parent) == 0o700
    manual = backup_sqlite(db_path, "manual")
    assert mode(manual) == 0o600
