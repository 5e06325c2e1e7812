"""The project's change marker, which open screens poll every second: it moves with every
action and every import that changes something, whatever the times the records carry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, select, update

from app.services.container import Services
from app.store.database import Store
from app.store.models import Contribution, Event

from .conftest import Project
from .test_exchange import ex, send


def marker(store: Store, project: Project) -> tuple[int, str]:
    return Services.build(store).projects.change_marker(project.id)


def test_an_action_moves_the_marker(store: Store, services: Services, demo: Project):
    before = marker(store, demo)
    services.contributions.add(demo.member("Alex"), demo.now, "a new word")
    after = marker(store, demo)
    assert after != before
    assert marker(store, demo) == after  # and nothing else does


def test_an_action_from_a_clock_a_little_behind_moves_the_marker(store: Store, demo: Project):
    with store.read() as s:
        newest = s.scalar(select(Event.created_at).order_by(Event.created_at.desc()).limit(1))
    before = marker(store, demo)
    with store.transaction() as s:  # as a copy of the app on a shared database whose clock is slow
        s.add(Event(project_id=demo.id, action="contribution_added",
                    created_at=newest - timedelta(minutes=5)))
    assert marker(store, demo) != before


def test_an_import_of_old_records_moves_the_marker(store: Store, demo: Project, machine_b: Store,
                                                  tmp_path: Path):
    send(store, machine_b, tmp_path / "a1.canvas", demo.id)
    made = Services.build(store).contributions.add(demo.member("Sam"), demo.now, "made long ago").record_id
    with store.transaction() as s:  # the new record and its event carry a time older than all on B
        old = s.scalar(select(Event.created_at).order_by(Event.created_at).limit(1)) - timedelta(days=30)
        s.execute(update(Contribution).where(Contribution.id == made).values(created_at=old))
        s.execute(update(Event).where(Event.target_id == made).values(created_at=old))
    before = marker(machine_b, demo)
    assert send(store, machine_b, tmp_path / "a2.canvas", demo.id).new["contribution"] == 1
    after = marker(machine_b, demo)
    assert after != before
    ex(machine_b).import_bundle(tmp_path / "a2.canvas")  # again: nothing changes, nor the marker
    assert marker(machine_b, demo) == after


def test_an_own_bundle_that_brings_something_back_moves_the_marker(store: Store, demo: Project,
                                                                  tmp_path: Path):
    path = ex(store).export_bundle(demo.id, tmp_path / "own.canvas").path
    with store.transaction() as s:  # as after restoring an older copy of the file
        gone = s.scalar(select(Contribution.id).limit(1))
        s.execute(delete(Contribution).where(Contribution.id == gone))
    before = marker(store, demo)
    assert ex(store).import_bundle(path).new["contribution"] == 1
    assert marker(store, demo) != before
    assert ex(store).known_machines(demo.id) == []  # its own machine is not another machine
