"""One guard around every action: nothing a member does fails in silence.

Every tile activation, key action and timer callback of the window runs through
:meth:`ActionGuard.run` (at a few choke points: :class:`~app.ui.widgets.Tile`, the input
router, the scan clock, the window's timers). A domain error (bad input) is shown and spoken as
it always was. Anything else (a busy database, a lost connection, a full disk, a read-only file,
a bug) is shown in the status line and spoken once, in plain words; written with its traceback
to ``canvas.log``; and the screen stays as it was, with the member's place kept. The service's
transaction has already been rolled back by then (``Store.transaction`` rolls back on any error),
so nothing is half-saved.

Uncaught exceptions elsewhere (the main loop, another thread) reach the same log and the same
plain message through :func:`install_hooks`.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from app.services.errors import DomainError, StoreUnavailable
from app.store.database import StoreBusy

T = TypeVar("T")
DRAIN_MS = 200
log = logging.getLogger("canvas.guard")

BUSY = "That was not saved: the database is busy. Try again."
GONE = "That was not saved: the shared database cannot be reached. Try again when it is back."
DISK_FULL = "That was not saved: the disk is full. Ask for help to free some space."
IO_ERROR = ("That was not saved: the project file could not be written (the disk may be full or "
            "read-only). Ask for help.")
READ_ONLY = "That was not saved: the project file cannot be written to. Ask for help."
# A rebuild after others' changes reads, it never writes: "That was not saved" would be untrue.
NOT_REFRESHED = ("What others changed cannot be shown just now: the project could not be read. "
                 "Your screen is as it was, and nothing of yours was lost.")
UNEXPECTED = "That did not work: something went wrong in the app. It was written down in the log. Try again."

# (what to look for in the error's text, lower case) -> what the member hears; first match wins.
_TEXT_RULES: tuple[tuple[str, str], ...] = (
    ("database is locked", BUSY),
    ("database is busy", BUSY),
    ("stayed busy", BUSY),
    ("disk is full", DISK_FULL),
    ("disk i/o error", IO_ERROR),
    ("no space left", DISK_FULL),
    ("readonly database", READ_ONLY),
    ("read-only", READ_ONLY),
    ("unable to open database", READ_ONLY),
    ("server closed the connection", GONE),
    ("connection refused", GONE),
    ("could not connect", GONE),
    ("connection is closed", GONE),
    ("terminating connection", GONE),
    ("consuming input failed", GONE),
)
_ERRNO_RULES: dict[int, str] = {
    errno.ENOSPC: DISK_FULL,
    errno.EDQUOT: DISK_FULL,
    errno.EFBIG: DISK_FULL,
    errno.EROFS: READ_ONLY,
    errno.EACCES: READ_ONLY,
    errno.EPERM: READ_ONLY,
}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def plain_message(exc: BaseException) -> str:
    """What the member hears for an error that is not their doing (busy, gone, full, read-only)."""
    for link in _chain(exc):
        if isinstance(link, StoreBusy):
            return BUSY
        if isinstance(link, OSError) and link.errno in _ERRNO_RULES:
            return _ERRNO_RULES[link.errno]
        text = str(link).lower()
        for needle, message in _TEXT_RULES:
            if needle in text:
                return message
        if getattr(link, "connection_invalidated", False):
            return GONE
    if any(isinstance(link, StoreUnavailable) for link in _chain(exc)):
        return GONE
    return UNEXPECTED


class ActionGuard(QObject):
    """Runs actions, tells the member about any failure, logs what was not their doing."""

    def __init__(self, announce: Callable[[str], None], show: Callable[[str], None],
                 parent: QObject | None = None) -> None:
        """`announce` shows and speaks a message; `show` only shows it (a repeat, unspoken)."""
        super().__init__(parent)
        self._announce = announce
        self._show = show
        self.last_failure: str | None = None
        # Messages from other threads wait here: no Qt call is made from those threads (one
        # during shutdown could abort the process); a timer in the GUI thread tells them.
        self._pending: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._drain = QTimer(self)
        self._drain.setInterval(DRAIN_MS)
        self._drain.timeout.connect(self._tell_pending)
        self._drain.start()

    def run(self, action: Callable[[], T], timer: bool = False) -> T | None:
        """Run `action`; on failure tell the member and return None. A `timer` callback that keeps
        failing the same way is spoken once, not at every tick."""
        try:
            return action()
        except DomainError as exc:
            self._announce(exc.message)
        except Exception as exc:  # noqa: BLE001 - this is the one place every failure is heard
            message = plain_message(exc)
            log.error("%s failed: %s", getattr(action, "__qualname__", "an action"), message,
                      exc_info=(type(exc), exc, exc.__traceback__))
            self.tell(message, repeat=not timer)
        return None

    def wrap(self, action: Callable[[], object], timer: bool = False) -> Callable[[], None]:
        """`action` as a callback that runs through the guard."""

        def guarded(*_args: object) -> None:
            self.run(action, timer=timer)

        return guarded

    def tell(self, message: str, repeat: bool = True) -> None:
        """Show and speak a failure; a repeat of the last one is only shown unless `repeat`."""
        if repeat or message != self.last_failure:
            self._announce(message)
        else:
            self._show(message)
        self.last_failure = message

    def tell_later(self, message: str) -> None:
        """Show and speak `message` soon, in the GUI thread (callable from any thread)."""
        self._pending.put(message)

    def settled(self, message: str) -> None:
        """The trouble behind `message` is over: say it again if it comes back."""
        if self.last_failure == message:
            self.last_failure = None

    def report_uncaught(self, exc_type: type[BaseException], exc: BaseException,
                        tb: TracebackType | None, where: str = "the main loop") -> None:
        """An exception nobody caught (from the hooks): logged, then told in the GUI thread."""
        log.error("Uncaught exception in %s", where, exc_info=(exc_type, exc, tb))
        self._pending.put(plain_message(exc))

    def _tell_pending(self) -> None:
        while not self._pending.empty():
            self.tell(self._pending.get(), repeat=False)


def run_action(widget: QWidget, action: Callable[[], T], timer: bool = False) -> T | None:
    """Run a widget's action through its window's guard (the window has one as `guard`); a widget
    outside such a window runs it plainly, and an error reaches the uncaught-exception hook."""
    guard = getattr(widget.window(), "guard", None)
    if isinstance(guard, ActionGuard):
        return guard.run(action, timer=timer)
    return action()


def guarded(widget: QWidget, action: Callable[..., object], timer: bool = False) -> Callable[..., None]:
    """A slot for `widget`'s signal that runs `action` (with the signal's arguments) guarded."""

    def slot(*args: object) -> None:
        run_action(widget, lambda: action(*args), timer=timer)

    return slot


def install_hooks(guard: ActionGuard) -> Callable[[], None]:
    """Send uncaught exceptions (main loop and threads) to the log and the member; returns a
    function that puts the previous hooks back."""
    previous_sys, previous_thread = sys.excepthook, threading.excepthook

    def sys_hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous_sys(exc_type, exc, tb)
            return
        with contextlib.suppress(Exception):  # a hook must never raise
            guard.report_uncaught(exc_type, exc, tb)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "a thread"
        with contextlib.suppress(Exception):
            guard.report_uncaught(args.exc_type, args.exc_value, args.exc_traceback, f"thread {name}")

    sys.excepthook, threading.excepthook = sys_hook, thread_hook

    def restore() -> None:
        sys.excepthook, threading.excepthook = previous_sys, previous_thread

    return restore
