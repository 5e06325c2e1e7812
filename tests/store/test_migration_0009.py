"""Migration 0009: unsaved texts gain when/where they were written and room for an earlier
draft; texts already kept are untouched going up and down."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from app.store.database import alembic_config, sqlite_url
from tests.store.helpers import make_store, row_counts, schema_diff, sqlite_revision

NEW = {"written_at", "written_on", "earlier_text", "earlier_cursor", "earlier_written_at",
       "earlier_written_on"}


def _columns(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {row[1] for row in conn.execute("PRAGMA table_info(in_progress_text)")}
    finally:
        conn.close()


def _texts(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT member_id, target, text, cursor FROM in_progress_text "
                            "ORDER BY target").fetchall()
    finally:
        conn.close()


def test_draft_stamps_upgrade_and_downgrade_keep_every_text(db_path: Path):
    make_store(db_path, demo=True)
    url = sqlite_url(db_path)
    command.downgrade(alembic_config(url), "0008")
    assert sqlite_revision(db_path) == "0008"
    assert not NEW & _columns(db_path)
    conn = sqlite3.connect(db_path)
    member = conn.execute("SELECT id FROM member LIMIT 1").fetchone()[0]
    conn.execute("INSERT INTO in_progress_text (id, member_id, target, text, cursor, updated_at) "
                 "VALUES ('00000000-0000-0000-0000-000000000001', ?, 'contribution:x', "
                 "'half a thought', 4, '2026-12-01 10:00:00')", (member,))
    conn.commit()
    conn.close()
    counts, texts = row_counts(db_path), _texts(db_path)

    command.upgrade(alembic_config(url), "0009_draft_stamps")
    assert _columns(db_path) >= NEW
    assert row_counts(db_path) == counts and _texts(db_path) == texts
    conn = sqlite3.connect(db_path)
    try:  # an old text has no stamps: it is older than anything written from now on
        assert conn.execute("SELECT written_at, written_on, earlier_text FROM in_progress_text"
                            ).fetchall() == [(None, None, None)]
    finally:
        conn.close()

    command.downgrade(alembic_config(url), "0008")
    assert not NEW & _columns(db_path) and _texts(db_path) == texts
    command.upgrade(alembic_config(url), "head")
    assert schema_diff(url) == []
