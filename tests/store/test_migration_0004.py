"""Migration 0004: the member's real name column comes and goes without touching other data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from app.store.database import alembic_config, sqlite_url
from tests.store.helpers import make_store, row_counts, schema_diff, sqlite_revision


def _member_columns(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {row[1] for row in conn.execute("PRAGMA table_info(member)")}
    finally:
        conn.close()


def _names(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, display_name FROM member ORDER BY id").fetchall()
    finally:
        conn.close()


def test_real_name_column_upgrade_and_downgrade(db_path: Path):
    make_store(db_path, demo=True)
    url = sqlite_url(db_path)
    assert "real_name" in _member_columns(db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE member SET real_name = 'Alex Real'")
    conn.commit()
    conn.close()
    counts, names = row_counts(db_path), _names(db_path)

    command.downgrade(alembic_config(url), "0003")
    assert sqlite_revision(db_path) == "0003"
    assert "real_name" not in _member_columns(db_path)
    assert _names(db_path) == names

    command.upgrade(alembic_config(url), "0004")
    assert "real_name" in _member_columns(db_path)
    after = row_counts(db_path)  # tables of later migrations are not there at 0004 (they were empty)
    assert after == {t: n for t, n in counts.items() if t in after} and _names(db_path) == names
    conn = sqlite3.connect(db_path)
    try:
        # A downgrade drops the real names with the column: none comes back.
        assert conn.execute("SELECT count(*) FROM member WHERE real_name IS NOT NULL").fetchone()[0] == 0
    finally:
        conn.close()
    command.upgrade(alembic_config(url), "head")
    assert schema_diff(url) == []
