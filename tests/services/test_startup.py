"""The quick start: the first screen's snapshot (read without SQLAlchemy), the background
loader of the services, and the daily backup."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.services.container import Services
from app.services.group.demo import DEMO_NAME, create_demo
from app.services.group.startup import Ready, ServicesLoader, read_snapshot
from app.store.database import Store, daily_backup, sqlite_url


@pytest.fixture
def opened(tmp_path: Path) -> Iterator[tuple[Path, Store, Services, str]]:
    path = tmp_path / "data" / "canvas.db"
    store = Store.open(sqlite_url(path))
    project_id = create_demo(store)
    try:
        yield path, store, Services.build(store), project_id
    finally:
        store.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_snapshot_lists_what_the_services_list(opened) -> None:
    path, _store, services, project_id = opened
    snapshot = read_snapshot(path)
    assert snapshot is not None
    assert snapshot.project_id == project_id == services.projects.list_projects()[0].id
    assert snapshot.members == services.projects.list_members(project_id)
    assert snapshot.last_member is None

    members = {m.display_name: m for m in snapshot.members}
    services.projects.save_profile(members["Sam"].id, {"scan_mode": "step", "theme": "dark"})
    services.projects.start_session(members["Sam"].id)
    again = read_snapshot(path)
    assert again is not None
    assert again.last_member == services.projects.last_session_member(project_id)
    assert again.last_member is not None and again.last_member.profile["scan_mode"] == "step"


def test_the_snapshot_leaves_out_withdrawn_members_and_finds_projects_by_name(opened) -> None:
    path, store, services, project_id = opened
    other = create_demo(store, name="Another project")
    session = services.facilitator.set_passphrase(project_id, "a long passphrase").session
    assert session is not None
    sam = next(m for m in services.projects.list_members(project_id) if m.display_name == "Sam")
    services.participants.withdraw(session, sam.id, "anonymise")
    snapshot = read_snapshot(path, DEMO_NAME)
    named = read_snapshot(path, "Another project")
    assert snapshot is not None and named is not None
    assert "Sam" not in [m.display_name for m in snapshot.members]
    assert snapshot.members == services.projects.list_members(project_id)
    assert named.project_id == other
    assert read_snapshot(path, "No such project") is None


def test_the_snapshot_opens_the_chosen_project_with_the_members_this_computer_is_for(
        opened, tmp_path: Path) -> None:
    """A participant's computer: the project it joined (chosen last) and only its own members,
    as the member screen lists them once the services are loaded."""
    path, store, services, _practice = opened
    facilitator = Store.open(sqlite_url(tmp_path / "f" / "canvas.db"))
    try:
        joined = create_demo(facilitator, name="Zed group")  # after the practice project by name
        fs = Services.build(facilitator)
        sam = next(m.id for m in fs.projects.list_members(joined) if m.display_name == "Sam")
        fs.exchange.invite_computer(joined, "Sam's laptop", [sam], tmp_path / "invite.canvas")
    finally:
        facilitator.close()
    services.exchange.import_bundle(tmp_path / "invite.canvas")
    assert read_snapshot(path).project_id != joined  # not chosen: the first by name
    snapshot = read_snapshot(path, chosen=joined)
    assert snapshot is not None and snapshot.project_id == joined and snapshot.projects == 2
    assert [m.id for m in snapshot.members] == [sam]
    assert services.exchange.members_here(joined) == {sam}
    assert read_snapshot(path, chosen="not-a-project-here").project_id != joined  # gone: the first


def test_the_project_chosen_last_is_kept_in_the_settings_file(tmp_path: Path) -> None:
    from app.store.settings import choose_project, chosen_project, save_database, saved_database

    settings = tmp_path / "settings.json"
    assert chosen_project(settings) is None
    save_database("sqlite:///x.db", settings)
    choose_project("1234", settings)
    assert chosen_project(settings) == "1234" and saved_database(settings) == "sqlite:///x.db"
    assert oct(settings.stat().st_mode & 0o777) == "0o600"


def test_no_snapshot_without_a_readable_database_and_nothing_is_written(tmp_path: Path, opened) -> None:
    path, store, _services, _project = opened
    assert read_snapshot(tmp_path / "missing.db") is None
    assert not (tmp_path / "missing.db").exists()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert read_snapshot(junk) is None
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert read_snapshot(empty) is None
    assert read_snapshot(path) is not None  # while the store is open, through its WAL
    store.close()
    beside = sorted(p.name for p in path.parent.iterdir())
    before = digest(path)
    assert read_snapshot(path) is not None
    assert digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == beside, "no -wal or -shm left behind"


def test_the_loader_builds_once_in_the_background_and_hands_out_the_result() -> None:
    release = threading.Event()
    built: list[int] = []
    finished = threading.Event()

    def build() -> int:
        release.wait(5)
        built.append(1)
        return 42

    loader = ServicesLoader(build, on_done=finished.set)
    assert not loader.done
    loader.start()
    loader.start()
    assert not loader.done
    release.set()
    assert loader.get() == 42
    assert finished.wait(5)
    assert loader.done and loader.failed is None and built == [1]


def test_the_loader_builds_when_asked_before_it_was_started_and_passes_failures_on() -> None:
    assert ServicesLoader(lambda: "now").get() == "now"
    failing = ServicesLoader(lambda: (_ for _ in ()).throw(RuntimeError("the file is damaged")))
    failing.start()
    with pytest.raises(RuntimeError, match="damaged"):
        failing.get()
    assert isinstance(failing.failed, RuntimeError)
    assert Ready(7).get() == 7 and Ready(7).done


def test_a_daily_backup_is_taken_when_the_newest_is_a_day_old(opened) -> None:
    path, store, _services, _project = opened
    folder = path.parent / "backups"
    first = daily_backup(store)
    assert first is not None and first.parent == folder
    assert sqlite3.connect(first).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert oct(first.stat().st_mode & 0o777) == "0o600"
    assert daily_backup(store) is None  # one a day
    later = datetime.now(timezone.utc) + timedelta(hours=25)
    second = daily_backup(store, now=later)
    assert second is not None and second != first
    day_old = time.time() - timedelta(hours=25).total_seconds()
    for backup in folder.iterdir():
        os.utime(backup, (day_old, day_old))
    assert daily_backup(store) is not None


def test_no_daily_backup_of_a_database_that_is_not_a_file(tmp_path: Path) -> None:
    store = Store.open("sqlite://")
    try:
        assert daily_backup(store) is None
    finally:
        store.close()
