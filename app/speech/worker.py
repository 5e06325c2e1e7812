"""Child-process side of the pyttsx3 backend.

Started by :mod:`app.speech.pyttsx3_backend` with :func:`worker_command` in
its own session (so the parent can kill it together with the ``aplay`` it runs).
It speaks with pyttsx3's espeak driver, which synthesises each utterance into a
temporary WAV and plays it with ``os.system("aplay <wav> -q")``.

Protocol: JSON lines. Commands on stdin::

    {"op": "say", "id": 7, "chunks": ["Hello."], "interrupt": true, "settings": {...}}
    {"op": "stop"}     (a queued "say" followed by "stop" or an interrupting "say"
                        is skipped, reported as {"ev": "skipped", "id": 7})
    {"op": "quit"}

Notices on (the original) stdout::

    {"ev": "ready", "pid": 123, "voices": [{"id":..., "name":..., "languages": [...]}]}
    {"ev": "error", "reason": "Speech is off: ..."}
    {"ev": "start", "id": 7}
    {"ev": "end", "id": 7, "completed": true}

``worker_command("render")`` instead reads one JSON object
``{"text":..., "path":..., "settings": {...}}`` from stdin and writes a WAV file;
:func:`render_to_wav` wraps that for the parent.

pyttsx3 2.99 quirks handled here: the first ``runAndWait()`` of a process returns
before the audio is produced, so completion is taken from the
'finished-utterance' callback; and a new utterance is only queued once espeak
is idle, because the driver cancels synthesis that overlaps its ``stop()``.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from typing import Any, BinaryIO

from app.child_process import Notifier, child_command, child_env
from app.speech.speaker import VoiceSettings, failure_reason, sanitise_text


def worker_command(*args: str) -> list[str]:
    """The command line that runs this module's :func:`main` in a new process (a fresh
    interpreter, or the frozen app started again as its speech worker)."""
    return child_command("speech", *args)


def worker_env() -> dict[str, str]:
    """The environment for a worker: ours, with this project importable."""
    return child_env()


def render_to_wav(text: str, path: str | os.PathLike[str], settings: VoiceSettings) -> None:
    """Render ``text`` to a WAV file at ``path`` in a fresh process (blocking).

    Raises :class:`RuntimeError` with a human reason if the engine is missing or fails.
    """
    clean = sanitise_text(text)
    if not clean:
        raise ValueError("nothing to render: the text is empty")
    request = {"text": clean, "path": os.fspath(path), "settings": asdict(settings.clamped())}
    try:
        result = subprocess.run(
            worker_command("render"),
            input=json.dumps(request).encode("utf-8"),
            capture_output=True,
            env=worker_env(),
            timeout=30.0 + len(clean) * 0.1,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise RuntimeError("Speech rendering timed out.") from error
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"rendering failed ({result.returncode})")


class Engine:
    """A pyttsx3 engine with blocking, callback-confirmed speak/save calls."""

    def __init__(self) -> None:
        import pyttsx3

        self._engine = pyttsx3.init()
        self._done = threading.Event()
        self._completed = False
        self._engine.connect("finished-utterance", self._on_finished)
        self.default_voice = str(self._engine.getProperty("voice") or "")
        self._applied: VoiceSettings | None = None
        self._is_playing = None
        if getattr(self._engine, "driver_name", "") == "espeak":
            from pyttsx3.drivers import _espeak

            self._is_playing = getattr(_espeak, "IsPlaying", None)

    def _on_finished(self, name: object = None, completed: bool = True) -> None:
        self._completed = bool(completed)
        self._done.set()

    def voices(self) -> list[dict[str, Any]]:
        """The engine's voices as plain dicts."""
        found = []
        for voice in self._engine.getProperty("voices") or []:
            languages = [str(lang) for lang in (getattr(voice, "languages", None) or [])]
            found.append({"id": str(voice.id), "name": str(voice.name), "languages": languages})
        return found

    def apply(self, settings: VoiceSettings) -> None:
        """Use ``settings`` for the next utterances (only changed values are set)."""
        settings = settings.clamped()
        if settings == self._applied:
            return
        self._engine.setProperty("voice", settings.voice or self.default_voice)
        self._engine.setProperty("rate", settings.rate)
        self._engine.setProperty("volume", settings.volume)
        self._applied = settings

    def _wait_idle(self) -> None:
        if self._is_playing is None:
            return
        deadline = time.monotonic() + 0.5
        while self._is_playing() and time.monotonic() < deadline:
            time.sleep(0.001)

    def _run(self, timeout: float) -> bool:
        self._engine.runAndWait()
        finished = self._done.wait(timeout)
        self._clear_stale_stop()
        return finished and self._completed

    def _clear_stale_stop(self) -> None:
        # pyttsx3's espeak driver ends each runAndWait with stop(), which, while espeak still
        # reports itself playing, sets a stop flag that nothing clears: the next utterance is
        # then cancelled at once and reported unfinished. Our own stops kill the process instead.
        driver = getattr(getattr(self._engine, "proxy", None), "_driver", None)
        if getattr(driver, "_stopping", False):
            driver._stopping = False

    def speak(self, text: str) -> bool:
        """Speak ``text`` and return once playback has finished (True if completed)."""
        self._wait_idle()
        self._done.clear()
        self._engine.say(text)
        return self._run(timeout=10.0 + len(text) * 0.3)

    def save(self, text: str, path: str) -> bool:
        """Render ``text`` to the WAV file ``path`` (use a fresh process per call)."""
        self._wait_idle()
        self._done.clear()
        self._engine.save_to_file(text, path)
        return self._run(timeout=10.0 + len(text) * 0.3)


def _settings_from(data: dict[str, Any] | None) -> VoiceSettings:
    data = data or {}
    return VoiceSettings(
        voice=str(data.get("voice", "")),
        rate=int(data.get("rate", VoiceSettings.rate)),
        volume=float(data.get("volume", VoiceSettings.volume)),
    )


def _remove_stale_dirs(own_dir: str) -> None:
    """Remove temp dirs left by crashed apps (named ``canvas-speech-<pid>-*``)."""
    parent = os.path.dirname(own_dir)
    for name in os.listdir(parent):
        pid_text = name.removeprefix("canvas-speech-").split("-", 1)[0]
        if not name.startswith("canvas-speech-") or not pid_text.isdigit():
            continue
        try:
            os.kill(int(pid_text), 0)  # raises if that app is gone
        except ProcessLookupError:
            shutil.rmtree(os.path.join(parent, name), ignore_errors=True)
        except OSError:
            continue  # another user's app that is still running


def _die() -> None:
    """Exit at once, taking any running player with us (we lead our process group)."""
    if hasattr(os, "getpgrp") and os.getpgrp() == os.getpid():
        os.killpg(os.getpid(), signal.SIGKILL)
    os._exit(0)


def _read_commands(stream: BinaryIO, commands: queue.Queue[dict[str, Any]]) -> None:
    for line in stream:
        try:
            commands.put(json.loads(line))
        except ValueError:
            continue
    _die()  # the parent closed our stdin or went away


def serve() -> int:
    """Run the speaking loop until told to quit or the parent goes away."""
    command_fd = os.dup(0)
    notice_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # aplay and friends must not read our commands
    os.dup2(2, 1)  # pyttsx3 prints to stdout; keep it off the notice pipe
    sys.stdout = sys.stderr
    notifier = Notifier(os.fdopen(notice_fd, "w", encoding="utf-8"))
    commands: queue.Queue[dict[str, Any]] = queue.Queue()
    reader = threading.Thread(
        target=_read_commands, args=(os.fdopen(command_fd, "rb"), commands), daemon=True
    )
    reader.start()
    private_tmp = os.environ.get("CANVAS_SPEECH_TMPDIR")
    if private_tmp and os.path.isdir(private_tmp):
        tempfile.tempdir = private_tmp  # the driver's temp WAVs; parent removes the dir
    try:
        engine = Engine()
        voices = engine.voices()
    except Exception as error:  # any failure means "no speech"
        notifier.send(ev="error", reason=failure_reason(error))
        return 1
    notifier.send(ev="ready", pid=os.getpid(), voices=voices)
    if tempfile.tempdir == private_tmp and private_tmp:
        _remove_stale_dirs(private_tmp)
    pending: list[dict[str, Any]] = []
    while True:
        if not pending:
            pending.append(commands.get())
        while not commands.empty():
            pending.append(commands.get_nowait())
        command = pending.pop(0)
        op = command.get("op")
        if op == "quit":
            return 0
        if op != "say":
            continue
        utterance_id = int(command["id"])
        if any(c.get("op") == "stop" or c.get("interrupt") for c in pending):
            notifier.send(ev="skipped", id=utterance_id)  # cut off before it began
            continue
        engine.apply(_settings_from(command.get("settings")))
        notifier.send(ev="start", id=utterance_id)
        completed = True
        for chunk in command.get("chunks") or []:
            completed = engine.speak(str(chunk)) and completed
        notifier.send(ev="end", id=utterance_id, completed=completed)


def render() -> int:
    """Render one utterance described on stdin to a WAV file."""
    request = json.loads(sys.stdin.read() or "{}")
    sys.stdout = sys.stderr
    try:
        engine = Engine()
    except Exception as error:
        print(failure_reason(error), file=sys.stderr)
        return 2
    engine.apply(_settings_from(request.get("settings")))
    if not engine.save(str(request["text"]), str(request["path"])):
        print("Speech rendering did not finish.", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str]) -> int:
    """Entry point: ``render`` renders a file, anything else serves the parent."""
    if argv[:1] == ["render"]:
        return render()
    return serve()


if __name__ == "__main__":
    os._exit(main(sys.argv[1:]))
