"""Faults injected into the real app, each checked three ways: the member is told (status line
and speech), nothing committed before is lost, and the next action once the fault is cleared
works. Driven by switch presses through the window's event filter (tests/ui/conftest.py)."""

from __future__ import annotations

import json
import logging
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.store.local_drafts import LocalDrafts
from app.store.log_file import close_log, open_log
from app.store.models import Contribution, DraftVersion, Endorsement, InProgressText, Stance
from app.ui import guard as guard_module
from app.ui.screens.prompt import PromptScreen
from app.ui.screens.write import EARLIER_OFFER, WriteScreen
from tests.ui.conftest import choose, choose_key

NOW = "What does social care mean to us now?"
ROOT = Path(__file__).resolve().parents[2]
LOCKER = ("import sqlite3, sys\n"
          "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
          "c.execute('BEGIN EXCLUSIVE')\n"
          "print('locked', flush=True)\n"
          "sys.stdin.readline()\n"
          "c.execute('ROLLBACK')\n")


def _counts(app) -> tuple[int, ...]:
    with app.store.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (
            Contribution, Endorsement, DraftVersion, Stance))


def _told(app, message: str) -> None:
    """The member saw and heard `message`."""
    app.qtbot.waitUntil(lambda: app.window.status.text() == message, timeout=15000)
    assert message in app.speaker.texts


def _open_now(app) -> PromptScreen:
    choose_key(app, "Alex")
    choose_key(app, NOW)
    assert isinstance(app.window.current, PromptScreen)
    return app.window.current


def _keyword_tile(app) -> str:
    group = next(g for g in app.window.current.scan_groups() if g.label.startswith("Keywords"))
    return group.items[0].accessibleName()


@pytest.fixture
def log(tmp_path: Path):
    path = open_log(tmp_path / "canvas.log")
    yield path
    close_log()


def _logged(path: Path, text: str) -> bool:
    for handler in logging.getLogger("canvas").handlers:
        handler.flush()
    return text in path.read_text(encoding="utf-8")


# --- the database locked by another process ----------------------------------------------------


def test_a_database_locked_by_another_process_is_told_and_the_window_keeps_scanning(
        make_app, tmp_path: Path, log: Path):
    app = make_app(last_member="Alex", scan_mode="auto", loops_before_rest=10)
    app.window.db.grace = 0.3  # as in the app: the window does not wait for a locked file
    _open_now(app)
    tile = _keyword_tile(app)
    before = _counts(app)
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(tmp_path / "canvas.db")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        started = time.monotonic()
        choose_key(app, tile)  # "me too", by switch
        assert time.monotonic() - started < 2.0, "the window waited for the locked file"
        seen = {app.focus_name()}
        for _ in range(6):  # the scan goes on while the database is locked
            app.clock.run_until_next()
            seen.add(app.focus_name())
        assert len(seen) > 1
        _told(app, guard_module.BUSY)
        assert _logged(log, "StoreBusy")
        assert _counts(app) == before
    finally:
        locker.communicate("\n", timeout=10)
    choose_key(app, tile)  # the lock is gone: the same choice works
    app.qtbot.waitUntil(lambda: app.window.status.text().startswith("Me too"), timeout=10000)
    assert _counts(app)[1] == before[1] + 1


# --- an exception inside a service ---------------------------------------------------------------


def _me_too(app) -> None:
    choose_key(app, _keyword_tile(app))


def _stance(app) -> None:
    choose(app, "Where I stand")
    choose(app, "Agree")


def _keyword(app) -> None:
    if not isinstance(app.window.current, WriteScreen):
        choose(app, "Actions")
        choose(app, "✚ Add keyword")
        for letter in "kind":
            choose_key(app, letter)
    choose_key(app, "done")


def _version(app) -> None:
    if not isinstance(app.window.current, WriteScreen):
        choose(app, "Actions")
        choose(app, "✚ Sentence")
        for letter in "we":
            choose_key(app, letter)
    choose_key(app, "done")


ACTIONS = {  # what the member does, the service method that fails, where it starts
    "me too": (_me_too, "contributions", "toggle_endorsement", "prompt"),
    "a stance": (_stance, "drafts", "set_stance", "definition"),
    "adding a keyword": (_keyword, "contributions", "add", "prompt"),
    "saving a version": (_version, "drafts", "save_version", "definition"),
}


def _start(app, where: str) -> None:
    _open_now(app)
    if where == "definition":
        if app.services.drafts.current_version(app.window.current.prompt.id) is None:
            alex = app.members()["Alex"]
            app.services.drafts.save_version(alex, app.window.current.prompt.id, "Care is ours.", None)
        choose(app, "Actions")
        choose(app, "Our definition")


@pytest.mark.parametrize("name", list(ACTIONS))
def test_an_exception_inside_a_service_is_told_logged_and_rolled_back(
        make_app, monkeypatch, log: Path, name: str):
    act, service, method, where = ACTIONS[name]
    app = make_app(last_member="Alex", scan_mode="auto", loops_before_rest=10)
    _start(app, where)
    before = _counts(app)
    real = getattr(getattr(app.services, service), method)
    # The change is written, then the service fails before its transaction commits.
    monkeypatch.setattr(getattr(app.services, service), method, _failing_inside(app, real, method))
    act(app)
    _told(app, guard_module.UNEXPECTED)
    assert _logged(log, f"injected fault in {method}") and _logged(log, "Traceback")
    assert _counts(app) == before, "a failed action left part of its change behind"
    screen = app.window.current
    monkeypatch.undo()
    act(app)  # the fault is gone: the same action works
    app.qtbot.waitUntil(lambda: _counts(app) != before, timeout=10000)
    assert app.window.status.text() != guard_module.UNEXPECTED
    assert screen is not None


def _failing_inside(app, real, method: str):
    """`real`, failing after its writes but before its transaction commits."""
    store = app.store
    plain = store.transaction

    def failing(*args, **kwargs):
        from contextlib import contextmanager

        @contextmanager
        def transaction():
            with plain() as s:
                yield s
                s.flush()
                raise RuntimeError(f"injected fault in {method}")

        store.transaction = transaction
        try:
            return real(*args, **kwargs)
        finally:
            store.transaction = plain

    return failing


# --- a full disk -------------------------------------------------------------------------------


def test_a_full_disk_is_told_and_nothing_is_half_saved(make_app, log: Path):
    if not hasattr(resource, "RLIMIT_FSIZE") or not hasattr(signal, "SIGXFSZ"):
        pytest.skip("this platform has no file-size limit to fill the disk with")
    app = make_app(last_member="Alex", scan_mode="auto", loops_before_rest=10)
    _open_now(app)
    tile = _keyword_tile(app)
    before = _counts(app)
    db = Path(app.store.engine.url.database)
    wal = db.with_name(db.name + "-wal")
    with app.store.engine.connect() as conn:  # the WAL back in the file: nothing more may grow
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    assert not wal.exists() or wal.stat().st_size == 0
    limit = 4096  # the WAL, where the next change goes, can hold less than one change
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        choose_key(app, tile)
        app.qtbot.waitUntil(lambda: app.window.status.text() in (
            guard_module.DISK_FULL, guard_module.IO_ERROR), timeout=15000)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old_handler)
    assert app.window.status.text() in app.speaker.texts
    assert _counts(app) == before
    app.store.engine.dispose()  # a connection that met an I/O error is not used again
    choose_key(app, tile)
    app.qtbot.waitUntil(lambda: app.window.status.text().startswith("Me too"), timeout=10000)
    assert _counts(app)[1] == before[1] + 1


# --- a read-only database ----------------------------------------------------------------------


@pytest.fixture
def read_only(tmp_path: Path):
    """Turns the data folder read-only and back. File modes do it for an ordinary user; root,
    whom modes do not stop (CI runs as root), gets a small tmpfs mounted on the folder and
    remounted read-only, as a disk that turned read-only mid-session would be."""
    if os.geteuid() != 0:
        def by_modes(on: bool) -> None:
            for p in tmp_path.glob("canvas.db*"):
                p.chmod(0o400 if on else 0o600)
            tmp_path.chmod(0o500 if on else 0o700)
        yield by_modes
        tmp_path.chmod(0o700)
        return
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m,mode=0700", "tmpfs", str(tmp_path)],
                           capture_output=True, text=True)
    if mount.returncode != 0:
        pytest.skip(f"root, and no file system can be mounted read-only here: {mount.stderr.strip()}")

    def by_remount(on: bool) -> None:
        subprocess.run(["mount", "-o", "remount," + ("ro" if on else "rw"), str(tmp_path)], check=True)
    try:
        yield by_remount
    finally:
        subprocess.run(["umount", "-l", str(tmp_path)], check=False)


def test_a_read_only_database_is_told(read_only, make_app, tmp_path: Path, log: Path):
    app = make_app(last_member="Alex", scan_mode="auto", loops_before_rest=10)
    _open_now(app)
    tile = _keyword_tile(app)
    before = _counts(app)
    app.store.engine.dispose()
    close_log()  # a file open for writing keeps a mount from turning read-only
    read_only(True)
    try:
        choose_key(app, tile)
        app.qtbot.waitUntil(lambda: app.window.status.text() in (
            guard_module.READ_ONLY, guard_module.IO_ERROR), timeout=15000)
        assert app.window.status.text() in app.speaker.texts
    finally:
        read_only(False)
    app.store.engine.dispose()
    assert _counts(app) == before
    choose_key(app, tile)
    app.qtbot.waitUntil(lambda: app.window.status.text().startswith("Me too"), timeout=10000)


# --- this computer's unsaved-text file ---------------------------------------------------------


def _open_add_keyword(app) -> WriteScreen:
    _open_now(app)
    choose(app, "Actions")
    choose(app, "✚ Add keyword")
    assert isinstance(app.window.current, WriteScreen)
    return app.window.current


def test_a_damaged_unsaved_text_file_is_set_aside_and_told(make_app, tmp_path: Path):
    damaged = b'{"format": 2, "texts": {"someone": {"contribution:x": {"text": "their wor'
    (tmp_path / "unsaved.json").write_bytes(damaged)
    app = make_app(last_member="Alex", scan_mode="auto", loops_before_rest=10)
    screen = _open_add_keyword(app)
    aside = list(tmp_path.glob("unsaved.json.damaged-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == damaged  # kept exactly, never overwritten
    app.qtbot.waitUntil(lambda: "set aside" in app.window.status.text(), timeout=5000)
    assert any("set aside" in t for t in app.speaker.texts)
    for letter in "ok":  # the next keys are kept as ever
        choose_key(app, letter)
    alex = app.members()["Alex"]
    app.qtbot.waitUntil(lambda: (app.services.inprogress.load(alex, screen.request.target) or
                                 app.services.inprogress.load(alex, "x")) is not None
                        and app.services.inprogress.load(alex, screen.request.target).text == "Ok")


def test_an_older_local_copy_never_replaces_a_newer_database_copy(make_app, tmp_path: Path):
    app = make_app(last_member="Alex", scan_mode="auto", loops_before_rest=10)
    alex = app.members()["Alex"]
    prompt = next(p for p in app.services.projects.list_prompts(app.project_id) if p.text == NOW)
    target = f"contribution:{prompt.id}"
    # Left by a session long ago, in the old format (no time): older than anything since.
    (tmp_path / "unsaved.json").write_text(json.dumps({alex: {target: ["old words", 9]}}))
    app.services.inprogress.save(alex, target, "newer words", 11)
    screen = _open_add_keyword(app)
    assert screen.panel.text == "newer words"
    assert EARLIER_OFFER in app.window.status.text()
    choose(app, "Actions")
    choose(app, EARLIER_OFFER)
    assert screen.panel.text == "old words"
    app.qtbot.waitUntil(lambda: app.services.inprogress.load(alex, target).text == "old words"
                        and app.services.inprogress.load(alex, target).earlier.text == "newer words")
    saved = app.services.inprogress.load(alex, target)
    assert saved.earlier is not None and saved.earlier.text == "newer words"  # nothing dropped
    choose(app, "Actions")
    choose(app, EARLIER_OFFER)  # and back again
    assert screen.panel.text == "newer words"
    with app.store.read() as s:
        row = s.scalar(select(InProgressText).where(InProgressText.target == target))
        assert row is not None


WRITER = """
import sys, time
from pathlib import Path
from app.store.local_drafts import LocalDrafts
drafts = LocalDrafts(Path(sys.argv[1]), computer=sys.argv[2])
deadline = time.monotonic() + float(sys.argv[3])
n = 0
while time.monotonic() < deadline:
    n += 1
    drafts.keep(sys.argv[2], f"target-{n % 5}", f"{sys.argv[2]} text {n}", 0)
print(n)
"""


def test_two_app_processes_saving_unsaved_text_at_once_lose_nothing(tmp_path: Path):
    path = tmp_path / "unsaved-text.json"
    seconds = os.environ.get("CANVAS_FAULT_SECONDS", "3")  # the 30 s: set it to 30
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), who, seconds], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True) for who in ("first", "second")]
    counts = [int(p.communicate(timeout=120)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs) and min(counts) > 0
    drafts = LocalDrafts(path, computer="reader")
    for who, n in zip(("first", "second"), counts, strict=True):
        kept = {target: kept.text for target, kept, _e in drafts.waiting(who)}
        assert kept[f"target-{n % 5}"] == f"{who} text {n}"  # each one's last write is there
        assert len(kept) == min(n, 5)
    assert not list(tmp_path.glob("*.damaged-*"))


# --- the facilitator's screens -------------------------------------------------------------------


def test_a_full_disk_during_the_facilitators_export_is_told_in_plain_words(make_app, monkeypatch,
                                                                           tmp_path: Path, log: Path):
    import errno

    from PySide6.QtCore import Qt

    from tests.ui.test_facilitator import _tab_to, _unlock

    app = make_app()
    app.window.exports_folder = tmp_path / "exports"
    _unlock(app)
    _tab_to(app, "Export for the research")
    app.key(Qt.Key.Key_Return)
    real = app.services.exports.docx

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(app.services.exports, "docx", full)
    _tab_to(app, "Word report (DOCX)")
    app.key(Qt.Key.Key_Return)
    _told(app, guard_module.DISK_FULL)
    assert _logged(log, "No space left on device")
    monkeypatch.setattr(app.services.exports, "docx", real)
    app.key(Qt.Key.Key_Return)  # space again: the same tile works
    assert "Exported 1 file, canvas-" in app.window.status.text()
