"""Migration 0009 on a shared database: the new columns of unsaved text are a member's own to
write and nobody else's to read (the table keeps its grants and policies from 0008)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import create_engine, select, text

from app.services.group.demo import DEMO_NAME
from app.store import shared_admin
from app.store.models import Member, Project
from tests.shared.conftest import Shared

STAMPED = ("INSERT INTO in_progress_text (id, member_id, target, text, cursor, updated_at, "
           "written_at, written_on, earlier_text, earlier_cursor, earlier_written_at, "
           "earlier_written_on) VALUES (gen_random_uuid()::text, %s, %s, 'newer words', 5, now(), "
           "now(), 'computer-a', 'older words', 3, now() - interval '1 day', 'computer-b')")


@pytest.fixture(scope="module")
def members(shared: Shared) -> dict[str, str]:
    store = shared_admin.owner_store(shared.admin)
    try:
        with store.read() as s:
            project = s.scalar(select(Project).where(Project.name == DEMO_NAME))
            return {m.display_name: m.id for m in s.scalars(
                select(Member).where(Member.project_id == project.id))}
    finally:
        store.close()


@pytest.fixture
def sam(shared: Shared) -> Iterator[psycopg.Connection]:
    with psycopg.connect(shared.psycopg("Sam"), autocommit=True) as conn:
        yield conn


def test_the_table_keeps_row_level_security_and_its_policies(shared: Shared):
    engine = create_engine(shared.admin)
    try:
        with engine.connect() as conn:
            secured = conn.execute(text(
                "SELECT relrowsecurity FROM pg_class WHERE relname = 'in_progress_text'")).scalar()
            policies = {r[0] for r in conn.execute(text(
                "SELECT policyname FROM pg_policies WHERE tablename = 'in_progress_text'"))}
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    assert secured and policies == {"facilitator_all", "member_own"}
    assert revision is not None and revision >= "0009_draft_stamps"


def test_a_member_writes_and_reads_their_own_stamps_and_earlier_draft(sam, members):
    sam.execute(STAMPED, (members["Sam"], "stamps:own"))
    assert sam.execute("SELECT written_on, earlier_text, earlier_cursor, earlier_written_on "
                       "FROM in_progress_text WHERE target = 'stamps:own'").fetchall() == [
        ("computer-a", "older words", 3, "computer-b")]


def test_nobody_else_reads_or_plants_an_earlier_draft(shared: Shared, sam, members):
    sam.execute(STAMPED, (members["Sam"], "stamps:private"))
    with psycopg.connect(shared.psycopg("Alex"), autocommit=True) as alex:
        assert alex.execute("SELECT earlier_text FROM in_progress_text WHERE member_id = %s",
                            (members["Sam"],)).fetchall() == []
        assert alex.execute("UPDATE in_progress_text SET earlier_text = 'planted' "
                            "WHERE member_id = %s", (members["Sam"],)).rowcount == 0
        with pytest.raises(errors.InsufficientPrivilege):
            alex.execute(STAMPED, (members["Sam"], "stamps:planted"))
    assert sam.execute("SELECT earlier_text FROM in_progress_text WHERE target = 'stamps:private'"
                       ).fetchall() == [("older words",)]
