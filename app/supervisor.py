"""The supervisor: a small parent process that keeps the window running.

A member who uses one switch cannot start the app again when it stops, so `main.py
--supervised` (the default for `make run`, the built app and the start-on-login entry) runs
the window as a child process and starts it again at once if it dies (a crash, SIGKILL, out of
memory), with --resume, so that it opens on the member's own screen with their unfinished
text. A deliberate end — a confirmed Quit — ends both. Five failures within a minute stop the
loop with a plain message naming the log file. No Qt here: the supervisor must keep running
whatever went wrong in the window.

To be back within 3 s even on a busy computer, a standby window process waits beside the
running one with Qt, SQLAlchemy and the screens already imported (most of a start's time),
and is told to go on when the window dies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

QUIT = 0  # the window ended on purpose (a confirmed Quit, a screenshot run): stop
CANNOT_START = 2  # a damaged or newer database, bad arguments: starting again cannot help
GAVE_UP = 3  # what the supervisor returns after too many failures
RESUME = "--resume"  # added to the command of every start after the first
CHILD_ENV = "CANVAS_SUPERVISED_CHILD"  # set in the child, so that it never supervises itself
STANDBY_ENV = "CANVAS_STANDBY"  # set in a standby: import, then wait for GO on stdin
GO = b"go\n"
STANDBY_AFTER_S = 2.0  # the standby starts once the window has had this long to start itself
MAX_FAILURES = 5
WINDOW_S = 60.0


def window_command(argv: Sequence[str], main_py: Path) -> list[str]:
    """The command that starts the window itself: this interpreter with main.py, or the built
    app's own executable, with the same arguments but --supervised."""
    rest = [a for a in argv if a != "--supervised"]
    if getattr(sys, "frozen", False):  # PyInstaller: the executable is the app
        return [sys.executable, *rest]
    return [sys.executable, str(main_py), *rest]


def gave_up_message(failures: int, log: Path) -> str:
    """What the member's helper reads when the loop stops."""
    where = (f"is written in {log}" if log.exists()
             else f"is written in the log in the data folder, {log.parent}")
    return (f"Co-production Canvas stopped: its window closed unexpectedly {failures} times within a "
            f"minute, so it was not started again. Nothing written has been lost. What went wrong "
            f"{where}. Start the app again once someone has looked.")


@dataclass
class Supervisor:
    """Starts `command` and starts it again after each failure, until a deliberate end."""

    command: list[str]
    tell: Callable[[str], None]  # how the last message is given (stderr, and a window if possible)
    log: Path  # named in that message
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    clock: Callable[[], float] = time.monotonic
    standby: bool = False  # keep a warm standby window process (main.py's window does)
    failures: deque[float] = field(default_factory=deque)
    starts: int = 0
    _child: subprocess.Popen[bytes] | None = None
    _waiting: subprocess.Popen[bytes] | None = None  # the standby
    _stopping: bool = False

    def run(self) -> int:
        """Run until the window ends on purpose (its code), is stopped (0), or fails too often."""
        previous = {sig: signal.signal(sig, self._stop) for sig in _STOP_SIGNALS}
        try:
            while True:
                code = self._run_once()
                if self._stopping:
                    return QUIT
                if code in (QUIT, CANNOT_START):
                    return code
                now = self.clock()
                self.failures.append(now)
                while self.failures and now - self.failures[0] > WINDOW_S:
                    self.failures.popleft()
                if len(self.failures) >= MAX_FAILURES:
                    self.tell(gave_up_message(len(self.failures), self.log))
                    return GAVE_UP
                print(f"canvas: the window stopped unexpectedly ({_describe(code)}); starting it "
                      "again", file=sys.stderr, flush=True)
        finally:
            self._dismiss_standby()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _run_once(self) -> int:
        child = self._child = self._start()
        try:
            if self.standby:
                try:
                    return child.wait(timeout=STANDBY_AFTER_S)
                except subprocess.TimeoutExpired:
                    if self._waiting is None and not self._stopping:
                        self._waiting = self._spawn([*self.command, RESUME], standby=True)
            return child.wait()
        finally:
            self._child = None

    def _start(self) -> subprocess.Popen[bytes]:
        """The next window: the standby told to go on, else a new process."""
        self.starts += 1
        waiting, self._waiting = self._waiting, None
        if waiting is not None and waiting.poll() is None and waiting.stdin is not None:
            try:
                waiting.stdin.write(GO)
                waiting.stdin.close()
                return waiting
            except OSError:
                waiting.kill()
                waiting.wait()
        command = self.command if self.starts == 1 else [*self.command, RESUME]
        return self._spawn(command, standby=False)

    def _spawn(self, command: list[str], standby: bool) -> subprocess.Popen[bytes]:
        env = {**self.env, CHILD_ENV: "1"}
        if standby:
            env[STANDBY_ENV] = "1"
        return subprocess.Popen(command, env=env,  # noqa: S603 - our own interpreter and main.py
                                stdin=subprocess.PIPE if standby else None)

    def _dismiss_standby(self) -> None:
        """No window will be needed again: the standby ends (its stdin closes unread)."""
        waiting, self._waiting = self._waiting, None
        if waiting is None:
            return
        if waiting.stdin is not None:
            waiting.stdin.close()
        try:
            waiting.wait(timeout=5)
        except subprocess.TimeoutExpired:
            waiting.kill()
            waiting.wait()

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        """The supervisor itself is asked to stop (logging out, Ctrl+C): stop the window too,
        and do not start it again."""
        self._stopping = True
        child = self._child
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM if signum != signal.SIGINT else signal.SIGINT)


_STOP_SIGNALS = tuple(s for s in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGHUP", None)) if s)


def _describe(code: int) -> str:
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"
