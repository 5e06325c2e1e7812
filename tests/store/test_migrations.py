"""Start-up migrations, schema drift, pragmas and file modes.

Backups and refusal of unknown files are in test_migration_safety.py.
"""


from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Column, Integer, MetaData, Table, text
from sqlalchemy.exc import IntegrityError

from app.services.group.demo import create_demo
from app.store.database import Store, alembic_config, backup_sqlite, head_revision, sqlite_url
from app.store.models import Base, Member
from tests.store.helpers import (
    TABLES,
    make_store,
    mode,
    open_store,
    schema_diff,
    sqlite_revision,
    sqlite_tables,
)

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
