"""Database work off the window's thread: a shared server that is slow or gone must never keep
the window from answering a switch.

One worker thread runs the jobs in order; each job's result (or the exception it raised) comes
back to the window's thread through a queued Qt signal, and only there does anything touch a
widget. A job is skipped while an earlier one with the same key is still waiting, so a poll
every second does not pile up behind a server that takes five seconds to refuse.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

Done = Callable[[Any, BaseException | None], None]


class DatabaseWorker(QObject):
    """Runs `submit`ted callables on one background thread; `done` runs on the window's thread."""

    _finished = Signal(object, object, object, object)  # key, done, result, error

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: queue.Queue[tuple[str, Callable[[], Any], Done] | None] = queue.Queue()
        self._waiting: set[str] = set()
        self._finished.connect(self._deliver)
        self._thread = threading.Thread(target=self._run, name="database-worker", daemon=True)
        self._thread.start()

    def submit(self, key: str, job: Callable[[], Any], done: Done) -> bool:
        """Queue `job`; False (and nothing queued) if one with this key is still waiting."""
        if key in self._waiting:
            return False
        self._waiting.add(key)
        self._jobs.put((key, job, done))
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
            key, job, done = item
            try:
                result, error = job(), None
            except Exception as exc:  # noqa: BLE001 - every failure goes back to the window
                result, error = None, exc
            self._finished.emit(key, done, result, error)

    @Slot(object, object, object, object)
    def _deliver(self, key: str, done: Done, result: Any, error: BaseException | None) -> None:
        self._waiting.discard(key)
        done(result, error)
