"""Properties of the merge, over generated work on two machines (hypothesis).

Machines X and Y each start from the same demo project and work offline: new members (the
same name may be made on both), keywords, "me too"s and stances (with close or equal times),
and definition versions (both may start the definition of the same prompt). Then:
- importing a bundle twice leaves every row as importing it once did;
- importing X then Y gives the same records as Y then X (compared as a canonical dump).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from itertools import count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from app.services.exchange.exchange import ExchangeService
from app.services.group.demo import PARTICIPANTS, create_demo
from app.store.database import Store, sqlite_url
from app.store.models import (
    STANCES,
    Base,
    Contribution,
    Definition,
    DraftVersion,
    Endorsement,
    Member,
    Prompt,
    Stance,
)

from .conftest import dump_rows

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)
NAMES = (*PARTICIPANTS[:3], "Zed", "Yan")
TEXTS = ("care", "being heard", "respect", "time")
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

minute = st.integers(0, 4)  # few distinct times, so equal updated_at happen
new_member = st.tuples(st.just("member"), st.sampled_from(NAMES[3:]))
add = st.tuples(st.just("add"), st.integers(0, 1), st.sampled_from(NAMES), st.sampled_from(TEXTS), minute)
endorse = st.tuples(st.just("endorse"), st.integers(0, 40), st.sampled_from(NAMES), st.booleans(), minute)
# Mostly on the prompt the demo has no definition for, so both machines may start one.
version = st.tuples(st.just("version"), st.sampled_from((1, 1, 0)), st.integers(0, 9),
                    st.sampled_from(NAMES), minute)
stance = st.tuples(st.just("stance"), st.integers(0, 9), st.sampled_from(NAMES), st.sampled_from(STANCES),
                   minute)
op = st.one_of(new_member, add, endorse, endorse, version, version, stance, stance)
work = st.lists(op, min_size=1, max_size=8)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> tuple[Path, Path]:
    """The demo project as an SQLite file, and a whole-project bundle of it (B0)."""
    folder = tmp_path_factory.mktemp("world")
    demo = folder / "demo.db"
    shutil.copyfile(migrated_template, demo)
    store = Store.open(sqlite_url(demo))
    create_demo(store)
    store.close()
    exporter = folder / "exporter.db"  # so the machines copied from demo.db get ids of their own
    shutil.copyfile(demo, exporter)
    store = Store.open(sqlite_url(exporter))
    try:
        project_id = ExchangeService(store).machine_id() and store_project(store)
        ExchangeService(store).export_bundle(project_id, folder / "b0.canvas")
    finally:
        store.close()
    return demo, folder / "b0.canvas"


def store_project(store: Store) -> str:
    with store.read() as s:
        return s.scalar(select(Prompt.project_id))


def apply(store: Store, ops: list[tuple]) -> None:
    """Do the generated work on one machine, with chosen times."""
    project_id = store_project(store)
    with store.transaction() as s:
        prompts = list(s.scalars(select(Prompt).order_by(Prompt.position)))
        for step in ops:
            members = {m.display_name: m.id for m in s.scalars(select(Member))}
            kind, *args = step
            if kind == "member":
                if args[0] not in members:
                    s.add(Member(project_id=project_id, display_name=args[0], created_at=T0))
                s.flush()
                continue
            who = members.get(args[2] if kind == "version" else args[1])
            if who is None:
                continue
            when = T0 + timedelta(minutes=args[-1])
            if kind == "add":
                s.add(Contribution(prompt_id=prompts[args[0]].id, member_id=who, text=args[2],
                                   created_at=when))
            elif kind == "endorse":
                chosen = _pick(s, Contribution, args[0])
                _upsert(s, Endorsement, "contribution_id", chosen, who, when, active=args[2])
            elif kind == "version":
                prompt = prompts[args[0]].id
                definition = s.scalar(select(Definition).where(Definition.prompt_id == prompt))
                if definition is None:
                    definition = Definition(prompt_id=prompt, created_at=when)
                    s.add(definition)
                    s.flush()
                versions = list(s.scalars(select(DraftVersion.id).where(
                    DraftVersion.definition_id == definition.id).order_by(DraftVersion.id)))
                parent = versions[args[1] % (len(versions) + 1)] if args[1] < len(versions) else None
                s.add(DraftVersion(definition_id=definition.id, parent_id=parent, author_id=who,
                                   text=f"version by {args[2]}", created_at=when))
            else:
                chosen = _pick(s, DraftVersion, args[0])
                _upsert(s, Stance, "version_id", chosen, who, when, position=args[2])
            s.flush()


def _pick(s, model, n: int) -> str:
    rows = list(s.scalars(select(model.id).order_by(model.created_at, model.id)))
    return rows[n % len(rows)]


def _upsert(s, model, target: str, target_id: str, member: str, when: datetime, **values) -> None:
    row = s.scalar(select(model).where(getattr(model, target) == target_id, model.member_id == member))
    if row is None:
        row = model(**{target: target_id}, member_id=member, created_at=when, **values)
        s.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = when


@pytest.fixture
def machines(world: tuple[Path, Path], tmp_path: Path) -> Callable[[list[tuple]], Path]:
    """A function: do this work on a new machine copied from the demo; return its whole bundle."""
    numbers = count()

    def run(ops: list[tuple]) -> Path:
        n = next(numbers)
        path = tmp_path / f"machine-{n}.db"
        shutil.copyfile(world[0], path)
        store = Store.open(sqlite_url(path))
        try:
            apply(store, ops)
            bundle = tmp_path / f"machine-{n}.canvas"
            ExchangeService(store).export_bundle(store_project(store), bundle)
            return bundle
        finally:
            store.close()

    return run


def imported(store: Store, bundles: list[Path]) -> Store:
    """The test's store (one per test, so its compiled queries are reused), emptied, then these
    bundles imported into it in this order."""
    with store.transaction() as s:
        s.execute(update(DraftVersion).values(parent_id=None))  # RESTRICT: children would block
        for table in reversed(Base.metadata.sorted_tables):
            s.execute(table.delete())
    for bundle in bundles:
        ExchangeService(store).import_bundle(bundle)
    return store


@SETTINGS
@given(ops=work)
def test_importing_a_bundle_twice_equals_importing_it_once(store, world, machines, ops: list[tuple]):
    bundle = machines(ops)
    imported(store, [world[1], bundle])
    once = dump_rows(store)
    again = ExchangeService(store).import_bundle(bundle)
    assert again.total_new == 0 and again.already_imported
    assert dump_rows(store) == once


@SETTINGS
@given(ops_x=work, ops_y=work)
@example(  # always tried: both machines make "Zed", start the same definition, tie on a "me too"
    ops_x=[("member", "Zed"), ("version", 1, 0, "Zed", 1), ("endorse", 2, "Zed", True, 3),
           ("stance", 0, "Alex", "agree", 2)],
    ops_y=[("member", "Zed"), ("version", 1, 0, "Sam", 1), ("version", 1, 0, "Zed", 2),
           ("endorse", 2, "Zed", False, 3), ("stance", 0, "Alex", "unsure", 2)],
)
def test_import_order_does_not_matter(store, world, machines, ops_x: list[tuple], ops_y: list[tuple]):
    x, y = machines(ops_x), machines(ops_y)
    xy = dump_rows(imported(store, [world[1], x, y]), canonical=True)
    yx = dump_rows(imported(store, [world[1], y, x]), canonical=True)
    assert xy == yx
