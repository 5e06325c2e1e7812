"""The one guard: what the member hears for each kind of failure, the log, the hooks, and
"What happened?"."""

from __future__ import annotations

import errno
import logging
import threading
from pathlib import Path

from sqlalchemy.exc import OperationalError

from app.services.errors import DomainError, StoreUnavailable
from app.store.database import StoreBusy
from app.store.log_file import close_log, open_log
from app.ui import guard as guard_module
from app.ui.guard import ActionGuard, install_hooks, plain_message
from tests.ui.conftest import choose


def test_each_failure_has_plain_words():
    locked = OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))
    assert plain_message(StoreBusy("busy")) == guard_module.BUSY
    try:
        try:
            raise locked
        except OperationalError as exc:
            raise StoreUnavailable(str(exc)) from exc
    except StoreUnavailable as wrapped:
        assert plain_message(wrapped) == guard_module.BUSY
    full = OperationalError("INSERT", {}, Exception("database or disk is full"))
    assert plain_message(full) == guard_module.DISK_FULL
    assert plain_message(OSError(errno.ENOSPC, "No space left on device")) == guard_module.DISK_FULL
    ro = OperationalError("INSERT", {}, Exception("attempt to write a readonly database"))
    assert plain_message(ro) == guard_module.READ_ONLY
    gone = OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))
    assert plain_message(gone) == guard_module.GONE
    assert plain_message(KeyError("x")) == guard_module.UNEXPECTED


def test_the_guard_tells_logs_and_keeps_going(qtbot, tmp_path: Path):
    log_path = open_log(tmp_path / "canvas.log")
    told: list[str] = []
    shown: list[str] = []
    guard = ActionGuard(told.append, shown.append)
    try:
        assert guard.run(lambda: 7) == 7
        assert guard.run(lambda: (_ for _ in ()).throw(DomainError("Write something first."))) is None
        assert told == ["Write something first."]

        def broken() -> None:
            raise StoreBusy("kept busy")

        guard.run(broken)
        guard.run(broken, timer=True)  # a timer failing the same way again is shown, not spoken
        assert told[1:] == [guard_module.BUSY] and shown == [guard_module.BUSY]
        for handler in logging.getLogger("canvas").handlers:
            handler.flush()
        text = log_path.read_text(encoding="utf-8")
        assert "Traceback" in text and "StoreBusy: kept busy" in text
        assert log_path.stat().st_mode & 0o777 == 0o600
    finally:
        close_log()


def test_uncaught_exceptions_in_a_thread_reach_the_log_and_the_member(qtbot, tmp_path: Path):
    log_path = open_log(tmp_path / "canvas.log")
    told: list[str] = []
    guard = ActionGuard(told.append, told.append)
    restore = install_hooks(guard)
    try:
        def worker() -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        thread = threading.Thread(target=worker, name="exporter")
        thread.start()
        thread.join()
        qtbot.waitUntil(lambda: told == [guard_module.DISK_FULL], timeout=2000)
        for handler in logging.getLogger("canvas").handlers:
            handler.flush()
        assert "thread exporter" in log_path.read_text(encoding="utf-8")
    finally:
        restore()
        close_log()


def test_what_happened_says_the_last_message_again(make_app):
    app = make_app(last_member="Alex", scan_mode="auto")
    app.window.ctx.announce("Keyword added: tickbox")
    choose(app, "Actions")
    before = len(app.speaker.texts)
    choose(app, "What happened?")
    assert "Keyword added: tickbox" in app.speaker.texts[before:]
