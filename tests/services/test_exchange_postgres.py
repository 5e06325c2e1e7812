"""The store on PostgreSQL (run when CANVAS_TEST_PG_URL is set): migrations, constraints, times.

A shared database (`--db postgresql+psycopg://USER@HOST/DB`) must behave as the SQLite file
does: Alembic migrates it up and down, the ORM matches the migrated schema, and every CHECK
and UNIQUE constraint holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, insert, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from app.services.group.demo import create_demo
from app.store.database import Store, alembic_config, head_revision
from app.store.models import (
    Base,
    BundleLog,
    Comment,
    Contribution,
    Definition,
    DraftVersion,
    Endorsement,
    LocalMachine,
    Member,
    Project,
    Prompt,
    Stance,
    new_id,
)

from .conftest import empty_pg


@pytest.fixture
def pg(pg_url: str) -> Iterator[str]:
    empty_pg(pg_url)
    yield pg_url


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrations_go_down_and_up_and_match_the_models(pg: str):
    try:
        command.downgrade(alembic_config(pg), "base")
        assert tables(pg) == {"alembic_version"}
        store = Store.open(pg, migrate=True)  # migrates from base to head, as db setup does
        store.close()
        assert (store.report.before, store.report.after) == (None, head_revision())
        assert tables(pg) == set(Base.metadata.tables) | {"alembic_version", "canvas_login"}
    finally:
        command.upgrade(alembic_config(pg), "head")
    engine = create_engine(pg)
    try:
        with engine.connect() as conn:
            # canvas_login, the logins' map, exists on PostgreSQL alone (migration 0008)
            context = MigrationContext.configure(
                conn, opts={"include_name": lambda name, kind, _p: name != "canvas_login"})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_a_newer_database_is_refused(pg: str):
    engine = create_engine(pg)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
        with pytest.raises(Exception, match="newer version"):
            Store.open(pg)
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{head_revision()}'")
        engine.dispose()


def _ids(store: Store) -> dict[str, str]:
    project = create_demo(store)
    with store.read() as s:
        prompt = s.scalar(select(Prompt.id).where(Prompt.project_id == project))
        member = s.scalar(select(Member.id).where(Member.project_id == project))
        contribution = s.scalar(select(Contribution.id).where(Contribution.prompt_id == prompt))
        version = s.scalar(select(DraftVersion.id))
    return {"project": project, "prompt": prompt, "member": member, "contribution": contribution,
            "version": version}


BAD_ROWS = {
    "blank project name": (Project, {"name": "   "}),
    "unknown role": (Member, {"project_id": "{project}", "display_name": "X", "role": "boss"}),
    "blank display name": (Member, {"project_id": "{project}", "display_name": " "}),
    "unknown kind": (Contribution, {"prompt_id": "{prompt}", "text": "x", "kind": "poem"}),
    "contribution too long": (Contribution, {"prompt_id": "{prompt}", "text": "x" * 2001}),
    "unknown stance": (Stance, {"version_id": "{version}", "member_id": "{member}", "position": "meh"}),
    "comment on nothing": (Comment, {"text": "x"}),
    "comment on two things": (Comment, {"text": "x", "version_id": "{version}",
                                        "contribution_id": "{contribution}"}),
    "second definition": (Definition, {"prompt_id": "{prompt}"}),
    "second me too": (Endorsement, {"contribution_id": "{contribution}", "member_id": "{member}"}),
    "second local machine": (LocalMachine, {}),
    "unknown direction": (BundleLog, {"bundle_id": "b", "direction": "sideways", "project_id": "{project}",
                                      "machine_id": "m"}),
    "dangling reference": (Member, {"project_id": "no-such-project", "display_name": "Y"}),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_constraints_hold_on_postgresql(pg: str, case: str):
    store = Store.open(pg)
    try:
        ids = _ids(store)
        with store.transaction() as s:
            s.add(LocalMachine())
            endorsed = s.scalar(select(Endorsement.id).where(
                Endorsement.contribution_id == ids["contribution"], Endorsement.member_id == ids["member"]))
            if endorsed is None:
                s.add(Endorsement(contribution_id=ids["contribution"], member_id=ids["member"]))
        model, values = BAD_ROWS[case]
        row = {k: v.format(**ids) if isinstance(v, str) else v for k, v in values.items()}
        table = model.__table__
        defaults = {"id": new_id()}
        if "created_at" in table.c:
            defaults["created_at"] = datetime.now(timezone.utc)
        if "updated_at" in table.c:
            defaults["updated_at"] = datetime.now(timezone.utc)
        with pytest.raises(IntegrityError), store.transaction() as s:
            s.execute(insert(model).values(**defaults, **row))
    finally:
        store.close()


def test_times_are_utc_whatever_the_session_time_zone(pg: str):
    url = make_url(pg).update_query_dict({"options": "-c TimeZone=Pacific/Chatham"})
    store = Store.open(url.render_as_string(hide_password=False))
    try:
        when = datetime(2030, 6, 1, 12, 30, 15, 123456, tzinfo=timezone.utc)
        with store.transaction() as s:
            s.add(Project(name="Times", created_at=when))
        with store.read() as s:
            got = s.scalar(select(Project.created_at).where(Project.name == "Times"))
            assert s.connection().exec_driver_sql("SHOW TimeZone").scalar() == "Pacific/Chatham"
        assert got == when and got.utcoffset().total_seconds() == 0
    finally:
        store.close()
