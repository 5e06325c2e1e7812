"""Shared helpers and fixtures for the store migration tests."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine

from app.services.group.demo import create_demo
from app.store.database import Store, head_revision, sqlite_url
from app.store.models import Base

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
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        # a table a later migration adds is not there in an older revision
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t in sorted(TABLES & present)}
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
