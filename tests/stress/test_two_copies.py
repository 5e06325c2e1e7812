"""Two copies of the app on one database: both keep working and no write is lost.

Every write starts with BEGIN IMMEDIATE (`Store.transaction`): writers queue for SQLite's
lock (busy timeout, then a few retries) before they read, so nothing changes between a
unit's reads and its writes. Without that, two copies saving the same member's text in
progress (or stance, or "me too") at once lost one of the saves to a UNIQUE-constraint or
stale-row error.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.services.container import Services
from app.services.group.demo import create_demo
from app.store import database
from app.store.database import Store, StoreBusy, sqlite_url

from .crash_worker import Log, Worker, check, read_log

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 4.0


def run_in_thread(db: Path, seed: int, log: Path, seconds: float, errors: list[BaseException]) -> None:
    """A third copy: its own Store in a thread of this process, doing what the workers do."""
    store = Store.open(sqlite_url(db))
    try:
        services = Services.build(store)
        project_id = services.projects.list_projects()[0].id
        worker = Worker(services, project_id, random.Random(seed), f"t{seed}")
        writer = Log(log, f"t{seed}")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            worker.step(writer)
    except BaseException as exc:  # reported by the test
        errors.append(exc)
    finally:
        store.close()


def test_two_processes_and_a_thread_hammering_one_file_lose_nothing(tmp_path: Path):
    db = tmp_path / "canvas.db"
    store = Store.open(sqlite_url(db))
    create_demo(store)
    store.close()
    logs = [tmp_path / f"worker{i}.log" for i in range(3)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.stress.crash_worker", str(db), str(i + 1), str(logs[i]),
             "--seconds", str(SECONDS)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        for i in range(2)
    ]
    errors: list[BaseException] = []
    thread = threading.Thread(target=run_in_thread, args=(db, 3, logs[2], SECONDS + 1.0, errors))
    thread.start()
    outputs = [p.communicate(timeout=60)[1].decode(errors="replace") for p in procs]
    thread.join(timeout=60)
    assert not thread.is_alive()
    for proc, err in zip(procs, outputs, strict=True):
        assert proc.returncode == 0 and "Error" not in err, err
    assert errors == []

    records = [r for log in logs for r in read_log(log)]
    done = {name: sum(1 for r in records if r["worker"] == name and r["phase"] == "ok")
            for name in ("w1", "w2", "t3")}
    assert all(n >= 20 for n in done.values()), f"every copy must keep working: {done}"
    store = Store.open(sqlite_url(db))
    try:
        assert check(store, records) == []
        with store.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA integrity_check").all() == [("ok",)]
            assert c.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    finally:
        store.close()
    print(f"acknowledged writes per copy: {done}")


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Connections give up waiting for the lock after 50 ms, so the retries are what is tested."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 50)


def hold_write_lock(db: Path) -> sqlite3.Connection:
    """Another copy of the app in the middle of a long write."""
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE member SET position = position")
    return other


def test_a_write_waits_for_another_copy_that_is_busy(tmp_path: Path, short_busy_timeout,
                                                     monkeypatch: pytest.MonkeyPatch):
    store = Store.open(sqlite_url(tmp_path / "canvas.db"))
    try:
        project = create_demo(store)
        services = Services.build(store)
        alex = services.projects.list_members(project)[0].id
        other = hold_write_lock(tmp_path / "canvas.db")
        waits: list[float] = []

        def back_off(seconds: float) -> None:  # instead of sleeping, the other copy finishes
            waits.append(seconds)
            if other.in_transaction:
                other.execute("COMMIT")

        monkeypatch.setattr(database.time, "sleep", back_off)
        services.inprogress.save(alex, "contribution:now", "still here", 4)
        other.close()
        assert len(waits) == 1, "the first try timed out and the second one got the lock"
        loaded = services.inprogress.load(alex, "contribution:now")
        assert loaded is not None and (loaded.text, loaded.cursor) == ("still here", 4)
    finally:
        store.close()


def test_a_copy_busy_for_too_long_is_reported_plainly_and_nothing_half_written(
        tmp_path: Path, short_busy_timeout, monkeypatch: pytest.MonkeyPatch):
    store = Store.open(sqlite_url(tmp_path / "canvas.db"))
    try:
        project = create_demo(store)
        services = Services.build(store)
        alex = services.projects.list_members(project)[0].id
        prompt = services.projects.list_prompts(project)[0].id
        other = hold_write_lock(tmp_path / "canvas.db")
        monkeypatch.setattr(database.time, "sleep", lambda _s: None)
        with pytest.raises(StoreBusy) as caught:
            services.contributions.add(alex, prompt, "never half-saved")
        other.execute("ROLLBACK")
        other.close()
        message = str(caught.value)
        assert "another copy of the app" in message and "\n" not in message
        assert "never half-saved" not in [c.text for c in services.contributions.list_for_prompt(prompt)]
        # Once the other copy is done, the same store writes again.
        services.contributions.add(alex, prompt, "saved now")
        assert "saved now" in [c.text for c in services.contributions.list_for_prompt(prompt)]
    finally:
        store.close()
