"""Child-process side of voice input: the microphone (or WAV files) and the recogniser.

Started by :class:`app.voice.listener.VoiceListener` in its own session. One loop takes, in order,
commands from stdin and blocks of audio (from the microphone's callback, or from a file), so a
"pause" sent before a file is fed is always in force for it.

Commands on stdin (JSON lines)::

    {"op": "listen", "mode": "words" | "sound" | "off", "level": -30.0}
    {"op": "phrases", "id": 3, "phrases": ["me too", "agree", ...]}
    {"op": "pause"}                  (the app speaks: audio is dropped)
    {"op": "resume", "hold": 0.4}    (listen again after that much more audio)
    {"op": "meter", "on": true}      (send the level ten times a second)
    {"op": "feed", "path": "a.wav", "realtime": false}   (a file instead of / as well as the mic)
    {"op": "quit"}

Notices on stdout::

    {"ev": "ready", "source": "microphone" | "files"}
    {"ev": "error", "reason": "Voice is off: ..."}
    {"ev": "heard", "text": "me too", "grammar": 3, "end": 12.3, "compute_ms": 14.0, "sent": <monotonic>}
    {"ev": "sound", "down": true, "at": 1.2} / {"ev": "sound", "down": false, "length": 0.4}
    {"ev": "level", "db": -41.5}
    {"ev": "fed", "path": "a.wav"}
"""

from __future__ import annotations

import json
import os
import queue
import sys
import threading
import time
from typing import Any

from app.child_process import Notifier, child_command
from app.voice.audio import RATE, Resampler, wav_at_16k
from app.voice.endpoint import FRAME_BYTES, FRAME_SECONDS
from app.voice.recogniser import Recogniser, RecogniserError
from app.voice.sound_switch import SoundSwitch

NO_MICROPHONE = "Voice is off: no microphone was found."
NO_SOUNDDEVICE = ("Voice is off: the sounddevice package or PortAudio is missing. Install them with: "
                  "pip install sounddevice and sudo apt install libportaudio2")
METER_EVERY = 3  # frames (0.09 s)


def worker_command(*args: str) -> list[str]:
    """The command line that runs this module's :func:`main` in a new process."""
    return child_command("voice", *args)


class Microphone:
    """The default input device at 16 kHz (resampled when it will only give its own rate)."""

    def __init__(self, items: queue.Queue[tuple[str, Any]]) -> None:
        try:
            import sounddevice
        except (ImportError, OSError) as error:  # OSError: PortAudio itself is missing
            raise RecogniserError(NO_SOUNDDEVICE) from error
        self._items = items
        try:
            device = sounddevice.query_devices(kind="input")
        except (sounddevice.PortAudioError, ValueError) as error:
            raise RecogniserError(NO_MICROPHONE) from error
        rates = [RATE, int(device["default_samplerate"])]
        last: Exception | None = None
        for rate in dict.fromkeys(rates):
            try:
                self._resampler = Resampler(rate)
                self.stream = sounddevice.RawInputStream(
                    samplerate=rate, channels=1, dtype="int16", blocksize=int(rate * FRAME_SECONDS),
                    callback=self._callback)
                self.stream.start()
                return
            except (sounddevice.PortAudioError, ValueError) as error:
                last = error
        raise RecogniserError(f"{NO_MICROPHONE[:-1]} that could be opened ({last}).")

    def _callback(self, data: Any, _frames: int, _time: Any, _status: Any) -> None:
        samples = memoryview(bytes(data)).cast("h").tolist()
        self._items.put(("audio", self._resampler.process(samples).tobytes()))


class Listener:
    """The loop's state: mode, pause, grammar, and what the audio meant."""

    def __init__(self, notifier: Notifier, recogniser: Recogniser) -> None:
        self.notify = notifier.send
        self.recogniser = recogniser
        self.sound = SoundSwitch()
        self.mode = "words"
        self.grammar = 0
        self.paused = False
        self.hold_frames = 0
        self.meter = False
        self._pending = b""
        self._frames = 0

    def command(self, command: dict[str, Any]) -> None:
        op = command.get("op")
        if op == "listen":
            self.mode = str(command.get("mode", "words"))
            self.sound.level = float(command.get("level", self.sound.level))
            self.recogniser.reset()
            self.sound.reset()
        elif op == "phrases":
            self.grammar = int(command.get("id", 0))
            self.recogniser.set_phrases([str(p) for p in command.get("phrases") or []])
        elif op == "pause":
            self.paused = True
            self.recogniser.reset()
            self.sound.reset()
        elif op == "resume":
            self.paused = False
            self.hold_frames = round(float(command.get("hold", 0.0)) / FRAME_SECONDS)
        elif op == "meter":
            self.meter = bool(command.get("on"))

    def audio(self, pcm: bytes) -> None:
        data = self._pending + pcm
        usable = len(data) - len(data) % FRAME_BYTES
        for offset in range(0, usable, FRAME_BYTES):
            self._frame(data[offset : offset + FRAME_BYTES])
        self._pending = data[usable:]

    def end_of_audio(self) -> None:
        """A file has ended: what was being said is finished."""
        if self.mode == "words" and not self.paused:
            for heard in self.recogniser.flush():
                self._heard(heard)
        elif self.mode == "sound" and self.sound.down:
            for event in self.sound.process(bytes(FRAME_BYTES * 20)):
                self._sound(event)

    def _frame(self, frame: bytes) -> None:
        self._frames += 1
        if self.paused or self.hold_frames > 0 or self.mode == "off":
            self.hold_frames = max(0, self.hold_frames - 1)
            self.recogniser.skip(len(frame) // 2)
            self.sound.frames += 1
            return
        if self.mode == "sound" or self.meter:
            events = self.sound.process(frame)
            if self.mode == "sound":
                for event in events:
                    self._sound(event)
            if self._frames % METER_EVERY == 0:
                self.notify(ev="level", db=round(self.sound.last_db, 1))
        if self.mode == "words":
            for heard in self.recogniser.feed(frame):
                self._heard(heard)
        else:
            self.recogniser.skip(len(frame) // 2)

    def _heard(self, heard: Any) -> None:
        self.notify(ev="heard", text=heard.text, grammar=self.grammar, start=round(heard.start, 3),
                    end=round(heard.end, 3), compute_ms=round(heard.compute_ms, 2),
                    rejected=heard.rejected, margin=round(heard.margin, 2),
                    sent=time.monotonic())

    def _sound(self, event: Any) -> None:
        self.notify(ev="sound", down=event.down, at=round(event.at, 3), length=round(event.length, 3))


def _feed_realtime(path: str, items: queue.Queue[tuple[str, Any]]) -> None:
    """Put a file's audio on the loop at the pace it would come from a microphone."""
    try:
        pcm = wav_at_16k(path).tobytes()
    except (OSError, ValueError) as error:
        items.put(("bad-file", f"{path}: {error}"))
        return
    began = time.monotonic()
    for n, offset in enumerate(range(0, len(pcm), FRAME_BYTES)):
        delay = began + n * FRAME_SECONDS - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        items.put(("audio", pcm[offset : offset + FRAME_BYTES]))
    items.put(("fed", path))


def _read_commands(stream: Any, items: queue.Queue[tuple[str, Any]]) -> None:
    for line in stream:
        try:
            items.put(("command", json.loads(line)))
        except ValueError:
            continue
    items.put(("command", {"op": "quit"}))  # the parent closed our stdin or went away


def serve(source: str) -> int:
    """Run until told to quit. ``source`` is "microphone" or "files"."""
    notice = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything a library prints must stay off the notice pipe
    sys.stdout = sys.stderr
    notifier = Notifier(notice)
    items: queue.Queue[tuple[str, Any]] = queue.Queue()
    threading.Thread(target=_read_commands, args=(sys.stdin.buffer, items), daemon=True).start()
    try:
        listener = Listener(notifier, Recogniser())
        microphone = Microphone(items) if source == "microphone" else None
    except RecogniserError as error:
        notifier.send(ev="error", reason=str(error))
        return 1
    notifier.send(ev="ready", source=source)
    while True:
        kind, value = items.get()
        if kind == "audio":
            listener.audio(value)
        elif kind == "fed":
            listener.end_of_audio()
            notifier.send(ev="fed", path=value)
        elif kind == "bad-file":
            notifier.send(ev="fed", path="", error=value)
        elif value.get("op") == "quit":
            if microphone is not None:
                microphone.stream.close()
            return 0
        elif value.get("op") == "feed":
            _feed(listener, notifier, items, str(value.get("path")), bool(value.get("realtime")))
        else:
            listener.command(value)


def _feed(listener: Listener, notifier: Notifier, items: queue.Queue[tuple[str, Any]], path: str,
          realtime: bool) -> None:
    if realtime:
        threading.Thread(target=_feed_realtime, args=(path, items), daemon=True).start()
        return
    try:
        pcm = wav_at_16k(path).tobytes()
    except (OSError, ValueError) as error:
        notifier.send(ev="fed", path=path, error=str(error))
        return
    listener.audio(pcm)
    listener.end_of_audio()
    notifier.send(ev="fed", path=path)


def main(argv: list[str]) -> int:
    """Entry point: ``files`` listens to fed WAV files only, anything else to the microphone."""
    return serve("files" if argv[:1] == ["files"] else "microphone")


if __name__ == "__main__":
    os._exit(main(sys.argv[1:]))
