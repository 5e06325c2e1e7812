"""Properties of the merge, over generated work on two machines (hypothesis).

Machines X and Y are two participants' computers the facilitator invited (used by every
member); each starts from the same demo project and works offline: keywords, "me too"s and
stances (with close or equal times), and definition versions (both may start the definition of
the same prompt). Members are made by the facilitator only (facilitator mode does not open on a
participant's computer), so the work names the demo's members. The receiving store is the
facilitator's computer.
Then:
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

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)  # in the past: a bundle from the future is refused
NAMES = PARTICIPANTS
TEXTS = ("care", "being heard", "respect", "time")
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

WORLD_KEYS: list[Path] = []  # the facilitator's keys file, then X's and Y's
minute = st.integers(0, 4)  # few distinct times, so equal updated_at happen
add = st.tuples(st.just("add"), st.integers(0, 1), st.sampled_from(NAMES), st.sampled_from(TEXTS), minute)
endorse = st.tuples(st.just("endorse"), st.integers(0, 40), st.sampled_from(NAMES), st.booleans(), minute)
# Mostly on the prompt the demo has no definition for, so both machines may start one.
version = st.tuples(st.just("version"), st.sampled_from((1, 1, 0)), st.integers(0, 9),
                    st.sampled_from(NAMES), minute)
stance = st.tuples(st.just("stance"), st.integers(0, 9), st.sampled_from(NAMES), st.sampled_from(STANCES),
                   minute)
op = st.one_of(add, endorse, endorse, version, version, stance, stance)
work = st.lists(op, min_size=1, max_size=8)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path
          ) -> tuple[Path, Path, list[Path]]:
    """The demo project as an SQLite file, a whole-project bundle of it from the facilitator's
    computer (B0), and the keys files of the facilitator's computer and of two invited ones."""
    folder = tmp_path_factory.mktemp("world")
    demo = folder / "demo.db"
    shutil.copyfile(migrated_template, demo)
    store = Store.open(sqlite_url(demo))
    create_demo(store)
    store.close()
    exporter = folder / "facilitator" / "canvas.db"  # the machines copied from demo.db get ids of their own
    exporter.parent.mkdir()
    shutil.copyfile(demo, exporter)
    store = Store.open(sqlite_url(exporter))
    keys = []
    try:
        exchange = ExchangeService(store)
        project_id = exchange.machine_id() and store_project(store)
        exchange.export_bundle(project_id, folder / "b0.canvas")
        with store.read() as s:
            members = list(s.scalars(select(Member.id)))
        for name in ("X", "Y"):
            joined = folder / name
            exchange.invite_computer(project_id, name, members, folder / f"{name}.canvas")
            participant = Store.open(sqlite_url(joined / "canvas.db"))
            ExchangeService(participant).import_bundle(folder / f"{name}.canvas")
            participant.close()
            keys.append(joined / "keys" / f"{project_id}.keys.json")
        keys.insert(0, exchange.keyring.path(project_id))
    finally:
        store.close()
    return demo, folder / "b0.canvas", keys


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
        path = tmp_path / f"machine-{n}" / "canvas.db"
        (path.parent / "keys").mkdir(parents=True)
        shutil.copyfile(world[0], path)
        shutil.copyfile(world[2][1 + n % 2], path.parent / "keys" / world[2][1].name)  # X, Y, X, ...
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
    bundles imported into it in this order. It is the facilitator's computer."""
    keys = ExchangeService(store).keyring
    if not keys.folder.exists():
        keys.folder.mkdir(mode=0o700, parents=True)
        shutil.copyfile(WORLD_KEYS[0], keys.folder / WORLD_KEYS[0].name)
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
    WORLD_KEYS[:] = world[2]
    bundle = machines(ops)
    imported(store, [world[1], bundle])
    once = dump_rows(store)
    again = ExchangeService(store).import_bundle(bundle)
    assert again.total_new == 0 and again.already_imported
    assert dump_rows(store) == once


@SETTINGS
@given(ops_x=work, ops_y=work)
@example(  # always tried: both machines start the same definition and tie on a "me too"
    ops_x=[("version", 1, 0, "Kai", 1), ("endorse", 2, "Kai", True, 3), ("stance", 0, "Alex", "agree", 2)],
    ops_y=[("version", 1, 0, "Sam", 1), ("version", 1, 0, "Kai", 2), ("endorse", 2, "Kai", False, 3),
           ("stance", 0, "Alex", "unsure", 2)],
)
def test_import_order_does_not_matter(store, world, machines, ops_x: list[tuple], ops_y: list[tuple]):
    WORLD_KEYS[:] = world[2]
    x, y = machines(ops_x), machines(ops_y)
    xy = dump_rows(imported(store, [world[1], x, y]), canonical=True)
    yx = dump_rows(imported(store, [world[1], y, x]), canonical=True)
    assert xy == yx
