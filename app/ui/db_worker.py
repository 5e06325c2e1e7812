"""Database work off the window's thread: a shared server that is slow or gone must never keep
the window from answering a switch.

One worker thread runs the jobs in order; each job's result (or the exception it raised) comes
back to the window's thread through a queued Qt signal, and only there does anything touch a
widget. A job is skipped while an earlier one with the same key is still waiting, so a poll
every second does not pile up behind a server that takes five seconds to refuse.

A member's action (a "me too", a stance, a keyword) goes through :meth:`DatabaseWorker.call`:
the window waits a moment (GRACE_S) for it, so that in the usual case its result is told at
once, in order, as if it had run in place; a database that is locked or slow leaves the window
scanning, and the result (or the failure) is told when it comes.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

Done = Callable[[Any, BaseException | None], None]
GRACE_S = 0.3  # how long a member's action may hold the window before it goes on scanning


@dataclass(eq=False)
class _Job:
    key: str
    work: Callable[[], Any]
    done: Done
    result: Any = None
    error: BaseException | None = None
    finished: threading.Event = field(default_factory=threading.Event)
    delivered: bool = False  # told already (within the grace): the queued signal is ignored


class DatabaseWorker(QObject):
    """Runs `submit`ted callables on one background thread; `done` runs on the window's thread."""

    _finished = Signal(object)  # the _Job

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._waiting: set[str] = set()
        self.grace = GRACE_S  # tests on a loaded machine wait longer, for a result told in order
        self._finished.connect(self._deliver)
        self._thread = threading.Thread(target=self._run, name="database-worker", daemon=True)
        self._thread.start()

    def submit(self, key: str, job: Callable[[], Any], done: Done) -> bool:
        """Queue `job`; False (and nothing queued) if one with this key is still waiting."""
        if key in self._waiting:
            return False
        self._waiting.add(key)
        self._jobs.put(_Job(key, job, done))
        return True

    def call(self, key: str, job: Callable[[], Any], done: Done, grace: float | None = None) -> bool | None:
        """Queue `job` and wait up to `grace` seconds for it: True when `done` has already run
        (here, in the window's thread), None when it will run later, False when a job with this
        key is still waiting (nothing queued)."""
        if key in self._waiting:
            return False
        grace = self.grace if grace is None else grace
        item = _Job(key, job, done)
        self._waiting.add(key)
        self._jobs.put(item)
        if not item.finished.wait(grace):
            return None
        item.delivered = True
        self._waiting.discard(key)
        done(item.result, item.error)
        return True

    def busy(self, key: str) -> bool:
        """Whether a job with this key is queued or running."""
        return key in self._waiting

    def stop(self, wait: float = 0.0) -> None:
        """Let the thread end after the job it is running, waiting up to `wait` seconds for it.
        At exit the app waits: a daemon thread still emitting when Python shuts down is ended
        inside Qt's C++ code, which aborts the process ("terminate called without an active
        exception")."""
        self._jobs.put(None)
        if wait > 0 and self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(wait)

    def _run(self) -> None:
        while (item := self._jobs.get()) is not None:
            try:
                item.result = item.work()
            except Exception as exc:  # noqa: BLE001 - every failure goes back to the window
                item.error = exc
            item.finished.set()
            self._finished.emit(item)

    @Slot(object)
    def _deliver(self, item: _Job) -> None:
        if item.delivered:
            return
        self._waiting.discard(item.key)
        item.done(item.result, item.error)
