"""Killed at any moment, the app loses nothing it said was saved, and the file stays sound.

A child process (`tests/stress/crash_worker.py`) does random actions through the services and
logs each one after its commit returned; the test kills it (SIGKILL on POSIX, TerminateProcess
on Windows) at random moments, 20 times, restarting it on the same file each time. After each
kill the file is opened as the app opens it at start-up and checked.

The seed is printed; set CANVAS_STRESS_SEED to repeat a run.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command

from app.services.container import Services
from app.services.group.demo import create_demo
from app.store.database import Store, alembic_config, head_revision, sqlite_url

from .crash_worker import check, read_log

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 20
ROUND_TIMEOUT_S = 60.0  # generous: a busy machine's fsyncs can be slow
POLL_S = 0.001


def seed_for(name: str) -> int:
    """The master seed: CANVAS_STRESS_SEED if set, else a fresh one; printed for a rerun."""
    seed = int(os.environ.get("CANVAS_STRESS_SEED") or random.randrange(2**31))
    print(f"{name}: CANVAS_STRESS_SEED={seed}")
    return seed


def start_worker(db: Path, seed: int, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    """Run the worker program on `db` in a child process."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.stress.crash_worker", str(db), str(seed), str(log), *extra],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def acknowledged(log: Path) -> int:
    """How many actions the log says were committed."""
    if not log.exists():
        return 0
    # Bytes: the worker may be half-way through writing a line (a character cut in two).
    return log.read_bytes().count(b'"phase": "ok"')


def wait_for(proc: subprocess.Popen[bytes], ready: Callable[[], bool], what: str) -> None:
    """Poll until `ready()` (the worker must be given time to work); fail if it died or hung."""
    deadline = time.monotonic() + ROUND_TIMEOUT_S
    while not ready():
        if proc.poll() is not None:
            pytest.fail(f"the worker stopped by itself ({proc.returncode}) before {what}:\n"
                        f"{proc.stderr.read().decode(errors='replace') if proc.stderr else ''}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the worker did not reach {what} within {ROUND_TIMEOUT_S} s")
        time.sleep(POLL_S)


def kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill at once, as a power cut or a crash would, and reap the process."""
    proc.kill()
    proc.wait(timeout=ROUND_TIMEOUT_S)
    if proc.stderr:
        proc.stderr.close()


def sound(store: Store) -> None:
    """SQLite's full integrity check passes and no reference is broken."""
    with store.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA integrity_check").all() == [("ok",)]
        assert c.exec_driver_sql("PRAGMA foreign_key_check").all() == []


def in_progress_comes_back(services: Services, records: list[dict]) -> int:
    """For every (member, target), load() returns the last acknowledged save or one tried later."""
    allowed: dict[tuple[str, str], set] = {}
    for r in records:
        if r.get("op") != "inprogress":
            continue
        key = (r["member"], r["target"])
        value = (r["text"], r["cursor"]) if r["text"] else None
        if r["phase"] == "ok":
            allowed[key] = {value}
        elif key in allowed:
            allowed[key].add(value)
    for (member, target), values in allowed.items():
        loaded = services.inprogress.load(member, target)
        found = None if loaded is None else (loaded.text, loaded.cursor)
        assert found in values, f"text in progress for {target} lost: {found!r} not in {values!r}"
    return len(allowed)


def test_killed_at_random_moments_twenty_times_loses_nothing(tmp_path: Path):
    rng = random.Random(seed_for("crash"))
    db, log = tmp_path / "canvas.db", tmp_path / "actions.log"
    url = sqlite_url(db)
    mid_action = 0
    for round_no in range(ROUNDS):
        before = acknowledged(log)
        proc = start_worker(db, rng.randrange(2**31), log)
        if rng.random() < 0.2:
            # Now and then somewhere in start-up: opening, migrating, adding the demo project.
            wait_for(proc, lambda: True, "start-up")
            time.sleep(rng.uniform(0.0, 0.8))  # a real child process is given time to get going
        else:
            wanted = before + rng.randint(1, 30)
            wait_for(proc, lambda wanted=wanted: acknowledged(log) >= wanted, f"{wanted} actions")
        kill(proc)

        records = read_log(log)
        if records and records[-1]["phase"] == "try":
            mid_action += 1
        store = Store.open(url)  # exactly what the next start of the app does
        try:
            sound(store)
            assert store.report.after == head_revision()
            problems = check(store, records)
            assert problems == [], f"round {round_no}: {problems[:10]}"
            in_progress_comes_back(Services.build(store), records)
        finally:
            store.close()
    assert acknowledged(log) >= 100, "the worker did too little for the test to mean much"
    print(f"{acknowledged(log)} actions acknowledged; {mid_action} kills landed between try and ok")


def test_the_check_would_notice_a_lost_action(tmp_path: Path):
    """The checks are not vacuous: a record, a "me too" and text in progress that went missing
    are all reported."""
    db, log = tmp_path / "canvas.db", tmp_path / "actions.log"
    proc = start_worker(db, 7, log)
    wait_for(proc, lambda: acknowledged(log) >= 60, "60 actions")
    kill(proc)
    records = read_log(log)
    ok = [r for r in records if r["phase"] == "ok"]
    added = next(r for r in ok if r["op"] == "add")
    last = {(r["member"], r["target"]): r for r in records if r["op"] == "inprogress"}
    typed = next(r for r in last.values() if r["phase"] == "ok" and r["text"])
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("DELETE FROM contribution WHERE id = ?", (added["record_id"],))
        conn.execute("UPDATE in_progress_text SET text = 'changed' WHERE member_id = ? AND target = ?",
                     (typed["member"], typed["target"]))
    conn.close()
    store = Store.open(sqlite_url(db))
    try:
        problems = check(store, records)
        with pytest.raises(AssertionError, match="text in progress"):
            in_progress_comes_back(Services.build(store), records)
    finally:
        store.close()
    assert any(added["record_id"] in p for p in problems)
    assert any("inprogress" in p and typed["target"] in p for p in problems)


@pytest.mark.parametrize("tables", [1, 6, 13])
def test_a_kill_part_way_through_the_first_migration_leaves_a_file_that_opens(tmp_path: Path, tables):
    db = tmp_path / "canvas.db"
    proc = start_worker(db, 1, tmp_path / "log", "--seconds", "0", "--kill-after-tables", str(tables))
    proc.wait(timeout=ROUND_TIMEOUT_S)
    assert proc.returncode != 0, "the worker was meant to kill itself during the migration"
    store = Store.open(sqlite_url(db))
    try:
        assert store.report.before is None and store.report.after == head_revision()
        sound(store)
        create_demo(store)
    finally:
        store.close()


def test_a_kill_part_way_through_an_upgrade_keeps_every_row(tmp_path: Path):
    db = tmp_path / "canvas.db"
    store = Store.open(sqlite_url(db))
    create_demo(store)
    store.close()
    command.downgrade(alembic_config(sqlite_url(db)), "-1")
    conn = sqlite3.connect(db)
    counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
              for t in ("project", "member", "contribution", "endorsement", "draft_version")}
    conn.close()
    proc = start_worker(db, 1, tmp_path / "log", "--seconds", "0", "--kill-after-tables", "1")
    proc.wait(timeout=ROUND_TIMEOUT_S)  # killed in the upgrade if it makes a table, else done
    store = Store.open(sqlite_url(db))
    try:
        assert store.report.after == head_revision()
        sound(store)
        with store.engine.connect() as c:
            after = {t: c.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar() for t in counts}
    finally:
        store.close()
    assert after == counts
