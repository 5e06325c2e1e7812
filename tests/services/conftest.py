"""Fixtures for the service tests: a store holding the demo project.

The `store` fixture runs each test on an SQLite file in tmp_path and, when the environment
variable CANVAS_TEST_PG_URL names a PostgreSQL database (e.g.
postgresql+psycopg://canvas:canvas@127.0.0.1/canvas_test), on PostgreSQL as well: a fresh
database is made for the run beside the named one (dropped at the end), migrated once with
Alembic, and emptied before each test.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from app.services.container import Services
from app.services.dto import MemberInfo, PromptInfo
from app.services.group.demo import FACILITATOR, PARTICIPANTS, create_demo
from app.services.review.review_dto import FacilitatorSession
from app.store.database import Store, sqlite_url
from app.store.models import Base, Event, Meeting


@dataclass(frozen=True)
class Project:
    """Handles to one project's members and prompts."""

    id: str
    members: dict[str, MemberInfo]
    prompts: list[PromptInfo]
    meeting: str

    def member(self, name: str) -> str:
        return self.members[name].id

    @property
    def participants(self) -> list[str]:
        return [m.id for m in self.members.values() if m.role == "participant"]

    @property
    def facilitator(self) -> str:
        return self.members[FACILITATOR].id

    @property
    def now(self) -> str:
        return next(p.id for p in self.prompts if p.pair_role == "now")

    @property
    def future(self) -> str:
        return next(p.id for p in self.prompts if p.pair_role == "future")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty store migrated to head once per run; each test starts from a copy of it."""
    path = tmp_path_factory.mktemp("template") / "canvas.db"
    Store.open(sqlite_url(path)).close()
    return path


PG_URL = os.environ.get("CANVAS_TEST_PG_URL", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database of this run's own, migrated to head; skips without CANVAS_TEST_PG_URL."""
    if not PG_URL:
        pytest.skip("CANVAS_TEST_PG_URL is not set")
    base = make_url(PG_URL)
    name = f"{base.database}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = base.set(database=name).render_as_string(hide_password=False)
    except Exception:  # no right to create databases: use the named one, emptied
        name = ""
        url = PG_URL
        with admin.connect() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    Store.open(url, migrate=True).close()  # Alembic migrations, on PostgreSQL
    try:
        yield url
    finally:
        if name:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def empty_pg(url: str) -> None:
    """Delete every row of every table (the schema and its revision stay).

    DELETE rather than TRUNCATE: for the few rows a test leaves it is ten times faster."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database the test runs on: "sqlite", and "postgresql" when CANVAS_TEST_PG_URL is set."""
    return request.param


@pytest.fixture
def fresh_store(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, migrated_template: Path
) -> Iterator[Callable[[], Store]]:
    """A function opening an empty, migrated store on the test's backend (PostgreSQL: emptied)."""
    opened: list[Store] = []

    def make() -> Store:
        if backend == "postgresql":
            url = request.getfixturevalue("pg_url")
            for old in opened:
                old.close()
            empty_pg(url)
        else:
            path = tmp_path / f"computer-{len(opened)}" / "canvas.db"  # its own data folder
            path.parent.mkdir()
            shutil.copyfile(migrated_template, path)
            url = sqlite_url(path)
        opened.append(Store.open(url))
        if backend == "postgresql":  # this computer's files (keys, passphrase) in a folder of its own
            opened[-1].data_path = tmp_path / f"computer-{len(opened)}"
        return opened[-1]

    yield make
    for each in opened:
        each.close()


@pytest.fixture
def store(fresh_store: Callable[[], Store]) -> Store:
    return fresh_store()


@pytest.fixture
def machine_b(tmp_path: Path, migrated_template: Path) -> Iterator[Store]:
    """A second machine: its own SQLite file."""
    path = tmp_path / "machine-b" / "canvas.db"
    path.parent.mkdir()
    path.write_bytes(migrated_template.read_bytes())
    store = Store.open(sqlite_url(path))
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def services(store: Store) -> Services:
    return Services.build(store)


def _project(store: Store, services: Services, project_id: str) -> Project:
    members = {m.display_name: m for m in services.projects.list_members(project_id)}
    with store.read() as s:
        meeting = s.scalar(select(Meeting.id).where(Meeting.project_id == project_id))
    return Project(project_id, members, services.projects.list_prompts(project_id), meeting)


@pytest.fixture
def demo(store: Store, services: Services) -> Project:
    """The demo project: Alex, Sam, Jordan, Priya, Kai and the facilitator; now/future prompts."""
    project = _project(store, services, create_demo(store))
    assert list(project.members)[: len(PARTICIPANTS)] == list(PARTICIPANTS)
    return project


@pytest.fixture
def other(store: Store, services: Services, demo: Project) -> Project:
    """A second project, built like the demo, whose records must never mix with the demo's."""
    return _project(store, services, create_demo(store, name="Another project"))


@pytest.fixture
def counts(store: Store) -> Callable[[], dict[str, int]]:
    """A function returning the number of rows in every table of the schema."""

    def count_all() -> dict[str, int]:
        with store.read() as s:
            return {
                table.name: s.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables
            }

    return count_all


@pytest.fixture
def event_ids(store: Store) -> Callable[[], set[str]]:
    """A function returning the ids of every Event row."""

    def ids() -> set[str]:
        with store.read() as s:
            return set(s.scalars(select(Event.id)))

    return ids


# --- comparing whole databases (bundle tests) ------------------------------------------------

LOCAL_TABLES = {"local_machine", "bundle_log"}  # per-machine bookkeeping: never travels


def _plain(value: object) -> str:
    return json.dumps(value, sort_keys=True) if isinstance(value, dict) else repr(value)


NOT_CARRIED_TABLES = ("event", "review_note", "involvement", "payment_record")
NOT_CARRIED_COLUMNS = tuple(("member", c) for c in (
    "consent_date", "consent_participate", "consent_quote", "credit", "keep_until", "real_name")) + (
    ("contribution", "hidden_reason"),)


def dump_rows(store: Store, canonical: bool = False) -> dict[str, list[tuple]]:
    """Every row of every table, sorted, as plain values.

    With `canonical`, only the tables that travel in bundles, with each member's id written as
    its display name and each definition's id as its prompt's (and neither's creation time):
    two machines may each have made the member or definition that an import then takes to be
    the same one, and the one already there is kept. JSON values compare as values.
    """
    with store.read() as s:
        tables = {
            t.name: [dict(r) for r in s.execute(select(t)).mappings()]
            for t in Base.metadata.sorted_tables
            if not (canonical and t.name in LOCAL_TABLES)
        }
    if canonical:  # what a bundle (format 2) carries: no audit log, review notes or consent fields
        for name in NOT_CARRIED_TABLES:
            tables.pop(name, None)
        for (name, column) in NOT_CARRIED_COLUMNS:
            for row in tables[name]:
                row.pop(column, None)
        members = {r["id"]: f"member:{r['display_name']}" for r in tables["member"]}
        definitions = {r["id"]: f"definition:{r['prompt_id']}" for r in tables["definition"]}
        renames = {"member_id": members, "author_id": members, "definition_id": definitions}
        for name, rows in tables.items():
            for row in rows:
                if name in ("member", "definition"):
                    row["id"] = (members if name == "member" else definitions)[row["id"]]
                    del row["created_at"]
                for column, mapping in renames.items():
                    if row.get(column) is not None:
                        row[column] = mapping.get(row[column], row[column])
    return {
        name: sorted(tuple(sorted((k, _plain(v)) for k, v in row.items())) for row in rows)
        for name, rows in tables.items()
    }


@pytest.fixture
def fs(services: Services, demo: Project) -> FacilitatorSession:
    """A live facilitator session on the demo project (the passphrase set on first use)."""
    session = services.facilitator.set_passphrase(demo.id, "a long passphrase").session
    assert session is not None
    return session
