"""Backups before upgrades, and refusal of files the app must not touch."""


from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from app.services.group.demo import create_demo
from app.store.database import BACKUPS_KEPT, StoreError, backup_sqlite, head_revision
from tests.store.helpers import (
    REAL_HEAD,
    TEST_HEAD,
    make_store,
    open_store,
    plain,
    row_counts,
    sha256,
    sqlite_revision,
    sqlite_tables,
)

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
