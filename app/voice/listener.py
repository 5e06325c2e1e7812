"""Voice input as the app sees it: a child process that listens, and the notices it sends.

:class:`VoiceListener` never blocks its caller: commands are queued to a writer thread and
notices arrive on a reader thread (the UI turns them into Qt signals). :class:`NullListener`
stands in when voice cannot work, with the reason in one line, as the null speaker does.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Callable
from typing import Any

from app.child_process import write_json_lines
from app.speech.worker import worker_env
from app.voice.worker import worker_command

Notice = dict[str, Any]
NO_POCKETSPHINX = ("Voice is off: the pocketsphinx package is not installed. "
                   "Install it with: pip install pocketsphinx")


class Listener:
    """What the UI may ask of voice input; every call returns at once."""

    available = False
    reason = "Voice is off."

    def listen(self, mode: str, level: float) -> None:
        """Listen for words, for sounds (the sound switch), or not at all ("off")."""

    def set_phrases(self, grammar: int, phrases: list[str]) -> None:
        """Listen for exactly these phrases; ``grammar`` comes back with what is heard."""

    def pause(self) -> None:
        """Stop hearing (the app is speaking)."""

    def resume(self, hold: float) -> None:
        """Hear again after ``hold`` seconds more of audio."""

    def meter(self, on: bool) -> None:
        """Send the sound level ten times a second (for the level meter)."""

    def feed(self, path: str, realtime: bool = False) -> None:
        """Hear a WAV file (as if it came from the microphone, when ``realtime``)."""

    def close(self) -> None:
        """Stop listening for good."""


class NullListener(Listener):
    """No voice input; ``reason`` says why."""

    def __init__(self, reason: str = "Voice is off.") -> None:
        self.reason = reason


class VoiceListener(Listener):
    """The recogniser in its own process. ``on_notice`` is called on a background thread with
    each notice (a dict with "ev"), and with ``None`` when the process has gone."""

    def __init__(self, on_notice: Callable[[Notice | None], None], files_only: bool = False) -> None:
        self._on_notice = on_notice
        self.available = False
        self.reason = "Voice is starting."
        self.ready = threading.Event()
        self.proc = subprocess.Popen(
            worker_command("files" if files_only else "microphone"), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, env=worker_env(), start_new_session=True, close_fds=True,
        )
        self._outbox: queue.SimpleQueue[Notice | None] = queue.SimpleQueue()
        threading.Thread(target=self._write_loop, name="voice-writer", daemon=True).start()
        threading.Thread(target=self._read_loop, name="voice-reader", daemon=True).start()

    # ------------------------------------------------------------------ commands
    def listen(self, mode: str, level: float) -> None:
        """Listen for words, for sounds, or not at all."""
        self._send({"op": "listen", "mode": mode, "level": level})

    def set_phrases(self, grammar: int, phrases: list[str]) -> None:
        """Listen for exactly these phrases."""
        self._send({"op": "phrases", "id": grammar, "phrases": list(phrases)})

    def pause(self) -> None:
        """Stop hearing."""
        self._send({"op": "pause"})

    def resume(self, hold: float) -> None:
        """Hear again after ``hold`` seconds more of audio."""
        self._send({"op": "resume", "hold": hold})

    def meter(self, on: bool) -> None:
        """Send the level ten times a second, or stop."""
        self._send({"op": "meter", "on": on})

    def feed(self, path: str, realtime: bool = False) -> None:
        """Hear a WAV file."""
        self._send({"op": "feed", "path": os.fspath(path), "realtime": realtime})

    def close(self) -> None:
        """Ask the process to quit, then make sure it has."""
        self._send({"op": "quit"})
        self._outbox.put(None)
        try:
            self.proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError, AttributeError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=1.0)

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Block until the recogniser is ready or has failed (for tests and benchmarks)."""
        self.ready.wait(timeout)
        return self.available

    # ----------------------------------------------------------------- internals
    def _send(self, message: Notice) -> None:
        self._outbox.put(message)

    def _write_loop(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        write_json_lines(stdin, self._outbox)

    def _read_loop(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        with contextlib.suppress(OSError, ValueError):
            for line in stdout:
                try:
                    notice = json.loads(line)
                except ValueError:
                    continue
                if notice.get("ev") == "ready":
                    self.available, self.reason = True, ""
                    self.ready.set()
                elif notice.get("ev") == "error":
                    self.available, self.reason = False, str(notice.get("reason") or "Voice is off.")
                    self.ready.set()
                self._on_notice(notice)
        if self.available or not self.ready.is_set():  # gone, without an error notice
            self.available, self.reason = False, "Voice is off: the recogniser stopped."
        self.ready.set()
        self._on_notice(None)


def make_listener(on_notice: Callable[[Notice | None], None], files_only: bool = False) -> Listener:
    """A listening process, or a :class:`NullListener` saying why there can be none."""
    if importlib.util.find_spec("pocketsphinx") is None:
        return NullListener(NO_POCKETSPHINX)
    try:
        return VoiceListener(on_notice, files_only=files_only)
    except OSError as error:
        return NullListener(f"Voice is off: the recogniser could not start ({error}).")
