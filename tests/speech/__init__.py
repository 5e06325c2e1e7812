"""Shared helpers for the speech tests (fake player, waiting, engine detection)."""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

FAKE_APLAY = Path(__file__).with_name("fake_aplay")


def speech_engine_present() -> bool:
    """True when pyttsx3 and the espeak-ng library can be loaded."""
    if importlib.util.find_spec("pyttsx3") is None:
        return False
    for name in ("libespeak-ng.so.1", ctypes.util.find_library("espeak-ng")):
        if not name:
            continue
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return True
    return False


def speech_required() -> bool:
    """True when CANVAS_REQUIRE_SPEECH asks for a hard failure instead of a skip."""
    return os.environ.get("CANVAS_REQUIRE_SPEECH", "") not in ("", "0")


def require_speech_engine() -> None:
    """Skip the test when there is no engine, or fail if CANVAS_REQUIRE_SPEECH is set."""
    if speech_engine_present():
        return
    message = "espeak-ng / pyttsx3 not available (sudo apt install espeak-ng)"
    if speech_required():
        pytest.fail(f"CANVAS_REQUIRE_SPEECH is set but {message}")
    pytest.skip(message)


def install_fake_aplay(directory: Path) -> Path:
    """Copy the stand-in player to ``directory/aplay`` using this interpreter."""
    script = FAKE_APLAY.read_text(encoding="utf-8").splitlines(keepends=True)
    if " " not in sys.executable:
        script[0] = f"#!{sys.executable} -IS\n"
    target = directory / "aplay"
    target.write_text("".join(script), encoding="utf-8")
    target.chmod(0o755)
    return target


def read_player_log(path: Path) -> list[tuple[float, int, float]]:
    """Lines of the fake player log as (start time, pid, audio seconds)."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            rows.append((float(parts[0]), int(parts[1]), float(parts[2])))
    return rows


def process_alive(pid: int) -> bool:
    """True if ``pid`` is running (zombies count as gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    return state not in ("Z", "X")


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0, step: float = 0.002) -> bool:
    """Poll ``predicate`` until true or ``timeout`` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)


class Recorder:
    """A SpeechListener that records notices and lets tests wait for them."""

    def __init__(self) -> None:
        self.events: list[tuple] = []
        self._cond = threading.Condition()

    def on_start(self, utterance_id, text, kind) -> None:
        with self._cond:
            self.events.append(("start", utterance_id, text, kind))
            self._cond.notify_all()

    def on_end(self, utterance_id, completed) -> None:
        with self._cond:
            self.events.append(("end", utterance_id, completed))
            self._cond.notify_all()

    def starts(self) -> list[tuple]:
        with self._cond:
            return [e for e in self.events if e[0] == "start"]

    def ends(self) -> list[tuple]:
        with self._cond:
            return [e for e in self.events if e[0] == "end"]

    def wait(self, predicate: Callable[[Recorder], bool], timeout: float = 5.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self), timeout)
