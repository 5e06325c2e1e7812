"""Parent side of the pyttsx3 backend: a :class:`Speaker` driving worker processes.

The engine runs in a child :mod:`app.speech.worker` (a fresh interpreter: no Qt state
is inherited), leading its own process group. Commands go down its stdin, notices
come back on its stdout as JSON lines, read by a daemon thread. ``stop()`` kills the
whole group (worker, shell, ``aplay``) at once, and the next ``say()`` goes to a
prestarted, already warm spare worker. A worker still booting has spoken nothing,
so it is not killed but told to skip what it has queued (no spawn storm when
``say()`` is called many times a second).
"""

from __future__ import annotations

import atexit
import importlib.util
import queue
import shutil
import sys
import threading
import weakref
from dataclasses import asdict
from typing import Any

from app.speech.speaker import (
    APLAY_MISSING,
    PYTTSX3_MISSING,
    NullSpeaker,
    Speaker,
    SpeechKind,
    Voice,
    VoiceSettings,
    _ListenerMixin,
    sanitise_text,
    split_into_chunks,
)
from app.speech.worker_process import Worker

_LIVE: weakref.WeakSet[Pyttsx3Speaker] = weakref.WeakSet()


def _precheck() -> str:
    """A reason why the engine cannot work, found without starting it; "" if none."""
    if importlib.util.find_spec("pyttsx3") is None:
        return PYTTSX3_MISSING
    if sys.platform.startswith("linux") and shutil.which("aplay") is None:
        return APLAY_MISSING
    return ""


class Pyttsx3Speaker(_ListenerMixin, Speaker):
    """Speaks through pyttsx3/espeak-ng in a child process. Use :meth:`create`."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._settings = {kind: VoiceSettings() for kind in SpeechKind}
        self._settings[SpeechKind.CUE] = VoiceSettings(rate=200)
        self._enabled = True
        self._closed = False
        self._reason = ""
        self._voices: list[Voice] = []
        self._next_id = 1
        self.spawned = 0  # worker processes started (for tests)
        self._notices: queue.SimpleQueue[tuple[str, tuple[Any, ...]] | None] = queue.SimpleQueue()
        self._dispatcher = threading.Thread(
            target=self._dispatch_loop, name="speech-notices", daemon=True
        )
        self._dispatcher.start()
        self._active: Worker | None = self._spawn()
        self._spare: Worker | None = None  # started once the first is ready: one at a time
        _LIVE.add(self)

    @classmethod
    def create(cls, timeout: float = 5.0, wait: bool = True) -> Speaker:
        """Start the engine; return it, or a :class:`NullSpeaker` saying why not.

        With ``wait=False`` it is returned while its worker starts (what it is asked to say is
        queued), so the window need not wait; a failed start turns it off with the reason.
        """
        reason = _precheck()
        if reason:
            return NullSpeaker(reason)
        try:
            speaker = cls()
        except OSError as error:
            return NullSpeaker(f"Speech is off: the speech engine could not start ({error}).")
        if not wait:
            threading.Thread(target=speaker._watch_start, args=(timeout,), name="speech-start",
                             daemon=True).start()
            return speaker
        if not speaker.wait_ready(timeout):
            reason = speaker._reason or (
                f"Speech is off: the speech engine did not start within {timeout:g} seconds."
            )
            speaker.close()
            return NullSpeaker(reason)
        return speaker

    def _watch_start(self, timeout: float) -> None:
        """Turn speech off with the reason when the first worker fails or does not start."""
        if self.wait_ready(timeout) or self._closed:
            return
        with self._lock:
            self._reason = self._reason or (
                f"Speech is off: the speech engine did not start within {timeout:g} seconds.")
            self._silence_locked()

    @property
    def available(self) -> bool:
        """True until closed or the engine reported a start-up failure."""
        return not self._closed and not self._reason

    @property
    def reason(self) -> str:
        """"" when available, else why speech is off."""
        return "Speech is off: the speech engine was closed." if self._closed else self._reason

    def say(self, text: str, kind: SpeechKind = SpeechKind.SPEECH, interrupt: bool = True) -> None:
        """Hand the text to a worker (non-blocking); see :class:`Speaker`."""
        if self._closed or not self._enabled or self._reason:
            return
        clean = sanitise_text(text)
        if not clean:
            return
        kind = SpeechKind(kind)
        chunks = split_into_chunks(clean)
        with self._lock:
            if self._closed:
                return
            if interrupt:
                self._silence_locked()
            worker = self._ensure_active_locked()
            utterance_id = self._next_id
            self._next_id += 1
            command = {"op": "say", "id": utterance_id, "chunks": chunks, "interrupt": interrupt,
                       "settings": asdict(self._settings[kind])}
            worker.outstanding[utterance_id] = (clean, kind, command)
            worker.send(command)

    def stop(self) -> None:
        """Kill the speaking worker (and its player); the spare takes over."""
        with self._lock:
            self._silence_locked()

    def voices(self) -> list[Voice]:
        """Voices reported by the engine (empty until a worker is ready)."""
        return list(self._voices)

    def configure(self, kind: SpeechKind, settings: VoiceSettings) -> None:
        """Use ``settings`` for later utterances of ``kind``."""
        self._settings[SpeechKind(kind)] = settings.clamped()  # atomic dict store

    def set_enabled(self, on: bool) -> None:
        """Turn speech on or off; off stops current speech and ignores ``say``."""
        self._enabled = bool(on)
        if not on:
            self.stop()

    def close(self) -> None:
        """Stop speaking and end all worker processes. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = [w for w in (self._active, self._spare) if w is not None]
            self._silence_locked()
            self._active = self._spare = None
        for worker in workers:
            worker.retired = True
            worker.kill()
        for worker in workers:
            worker.reap()
        self._notices.put(None)
        _LIVE.discard(self)

    def wait_ready(self, timeout: float = 5.0) -> bool:
        """Block until the active worker is ready; False on error or timeout."""
        with self._lock:
            worker = self._ensure_active_locked() if not self._closed else None
        return worker is not None and worker.ready.wait(timeout) and not worker.error

    def wait_spare_ready(self, timeout: float = 5.0) -> bool:
        """Block until the prestarted spare worker is ready (if there is one)."""
        with self._lock:
            spare = self._spare
        return spare is None or spare.ready.wait(timeout)

    @property
    def worker_pids(self) -> list[int]:
        """Process ids of the running active and spare workers."""
        with self._lock:
            return [w.pid for w in (self._active, self._spare) if w is not None and w.alive]

    @property
    def active_pid(self) -> int | None:
        """Process id of the worker that speaks next, if one is running."""
        with self._lock:
            worker = self._active
        return worker.pid if worker is not None and worker.alive else None

    def _spawn(self) -> Worker:
        self.spawned += 1
        return Worker(self._on_event)

    def _silence_locked(self) -> None:
        worker = self._active
        if worker is None or not worker.outstanding:  # idle: nothing to silence
            return
        if worker.booted:
            self._kill_locked(worker, notify_end=True)
        else:  # booting: nothing said yet; it skips commands followed by "stop"
            worker.cancel_below = self._next_id
            worker.send({"op": "stop"})

    def _kill_locked(self, worker: Worker, notify_end: bool) -> None:
        worker.retired = True
        worker.kill()
        self._drop_locked(worker, notify_end)

    def _drop_locked(self, worker: Worker, notify_end: bool) -> None:
        """Forget a worker's utterances (ending the current one) and its slot."""
        if notify_end and worker.current is not None:
            self._notices.put(("end", (worker.current, False)))
        worker.outstanding.clear()
        worker.current = None
        if self._active is worker:
            self._active = None
        if self._spare is worker:
            self._spare = None

    def _ensure_active_locked(self) -> Worker:
        if self._active is not None and self._active.alive and not self._active.error:
            return self._active
        spare = self._spare
        if spare is not None and spare.alive and not spare.error:
            self._active, self._spare = spare, None
        else:
            self._active = self._spawn()
        if self._spare is None or not self._spare.alive:
            self._spare = self._spawn()
        return self._active

    def _on_event(self, worker: Worker, event: dict[str, Any] | None) -> None:
        with self._lock:
            if event is None:
                self._worker_gone_locked(worker)
                return
            kind = event.get("ev")
            if kind == "ready":
                if not self._voices:
                    self._voices = [
                        Voice(str(v["id"]), str(v["name"]), tuple(v.get("languages") or ()))
                        for v in event.get("voices") or []
                    ]
                worker.booted = True
                if worker is self._active and self._spare is None and not self._closed:
                    self._spare = self._spawn()
                worker.ready.set()
            elif kind == "error":
                worker.error = str(event.get("reason") or "Speech is off.")
                if not self._voices:  # never worked: report it
                    self._reason = worker.error
                worker.ready.set()
            elif worker.retired:
                return
            elif kind == "start" and int(event["id"]) < worker.cancel_below:
                self._restart_locked(worker)  # it began a cancelled utterance: race lost
            elif kind == "start" and int(event["id"]) in worker.outstanding:
                worker.current = utterance_id = int(event["id"])
                text, speech_kind, _command = worker.outstanding[utterance_id]
                self._notices.put(("start", (utterance_id, text, speech_kind)))
            elif kind in ("end", "skipped"):
                utterance_id = int(event["id"])
                worker.outstanding.pop(utterance_id, None)
                worker.current = None
                if kind == "end":
                    self._notices.put(("end", (utterance_id, bool(event.get("completed")))))

    def _restart_locked(self, worker: Worker) -> None:
        """Kill ``worker`` and hand its still-wanted utterances to a fresh one."""
        keep = {i: e for i, e in worker.outstanding.items() if i >= worker.cancel_below}
        self._kill_locked(worker, notify_end=False)
        if keep and not self._closed:
            active = self._ensure_active_locked()
            for utterance_id, entry in keep.items():
                active.outstanding[utterance_id] = entry
                active.send(entry[2])

    def _worker_gone_locked(self, worker: Worker) -> None:
        worker.alive = False
        if not worker.booted and not worker.retired and not worker.error:
            # An "error" it sent before exiting says why better than its exit does; the
            # exit may be read after it, so it must not overwrite that reason.
            worker.error = "Speech is off: the speech engine stopped while starting."
            if not self._voices:
                self._reason = worker.error
        worker.ready.set()
        self._drop_locked(worker, notify_end=not worker.retired)

    def _dispatch_loop(self) -> None:
        while True:
            notice = self._notices.get()
            if notice is None:
                return
            name, args = notice
            (self._emit_start if name == "start" else self._emit_end)(*args)


def make_speaker(require: bool = False, timeout: float = 5.0, wait: bool = True) -> Speaker:
    """Return a working :class:`Pyttsx3Speaker`, or a :class:`NullSpeaker` with a reason.

    With ``require=True`` a missing engine raises :class:`RuntimeError` instead; with
    ``wait=False`` the engine may still be starting (see :meth:`Pyttsx3Speaker.create`).
    """
    speaker = Pyttsx3Speaker.create(timeout=timeout, wait=wait or require)
    if require and not speaker.available:
        raise RuntimeError(speaker.reason)
    return speaker


@atexit.register
def _close_all() -> None:
    for speaker in list(_LIVE):
        speaker.close()
