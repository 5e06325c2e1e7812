"""One speech worker process as the parent sees it: the child, its pipes and the threads
that write commands to it and read its notices (used by :mod:`app.speech.pyttsx3_backend`)."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable
from typing import Any

from app.child_process import write_json_lines
from app.speech.speaker import SpeechKind
from app.speech.worker import worker_command, worker_env

TMP_PREFIX = "canvas-speech-"  # + parent pid: the worker removes dirs of dead parents
Entry = tuple[str, SpeechKind, dict[str, Any]]  # clean text, kind, "say" command


class Worker:
    """One worker process plus its reader and writer threads."""

    def __init__(self, on_event: Callable[[Worker, dict[str, Any] | None], None]) -> None:
        self.tmpdir = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-")
        env = worker_env()
        env["CANVAS_SPEECH_TMPDIR"] = self.tmpdir
        try:
            self.proc = subprocess.Popen(
                worker_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                start_new_session=True, close_fds=True,
            )
        except OSError:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            raise
        self.pid = self.proc.pid
        self.ready = threading.Event()  # set on "ready", error or exit
        self.booted = False  # got "ready": it may be speaking
        self.error = ""
        self.alive = True
        self.retired = False
        self.cancel_below = 0  # ids below this were cancelled while booting
        self.outstanding: dict[int, Entry] = {}  # queued or speaking, in order
        self.current: int | None = None
        self._outbox: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self._on_event = on_event
        threading.Thread(target=self._write_loop, name="speech-writer", daemon=True).start()
        threading.Thread(target=self._read_loop, name="speech-reader", daemon=True).start()

    def send(self, message: dict[str, Any]) -> None:
        """Queue a command; never blocks."""
        self._outbox.put(message)

    def kill(self) -> None:
        """Kill the worker's whole process group (worker, shell, player)."""
        self._outbox.put(None)
        if self.proc.returncode is not None:
            return  # already reaped: the pid may belong to someone else now
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, AttributeError):  # AttributeError: Windows
            with contextlib.suppress(OSError):
                self.proc.kill()

    def reap(self, timeout: float | None = 1.0) -> None:
        """Wait for the killed process to exit and remove its temporary files."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout)
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def _write_loop(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        write_json_lines(stdin, self._outbox)

    def _read_loop(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        with contextlib.suppress(OSError, ValueError):
            for line in stdout:
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    self._on_event(self, json.loads(line))
        self.kill()  # the worker is gone; make sure no orphaned player keeps talking
        self.reap(timeout=None)
        stdout.close()
        self._on_event(self, None)
