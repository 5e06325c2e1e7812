"""Speech interface used by the UI, plus the no-op and recording implementations.

Nothing here imports Qt or a speech engine: the real backend lives in
:mod:`app.speech.pyttsx3_backend` and runs the engine in a child process.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

log = logging.getLogger(__name__)

#: Longest piece of text handed to the engine in one go. Long texts are cut at
#: sentence (then word) boundaries so the first audio starts quickly.
MAX_CHUNK_CHARS = 200

_SENTENCE_END = re.compile(r"(?<=[.!?;:\u2026\u3002])\s+")

ESPEAK_MISSING = (
    "Speech is off: espeak-ng is not installed. Install it with: sudo apt install espeak-ng"
)
PYTTSX3_MISSING = (
    "Speech is off: the pyttsx3 package is not installed. Install it with: pip install pyttsx3"
)
APLAY_MISSING = (
    "Speech is off: aplay is not installed. Install it with: sudo apt install alsa-utils"
)


class SpeechKind(str, Enum):
    """What an utterance is for; each kind has its own voice settings."""

    CUE = "cue"
    SPEECH = "speech"


@dataclass(frozen=True)
class VoiceSettings:
    """How to speak: ``voice`` is an engine voice id ("" = engine default)."""

    voice: str = ""
    rate: int = 175
    volume: float = 1.0

    def clamped(self) -> VoiceSettings:
        """Return a copy with rate in 80..450 words/min and volume in 0..1."""
        rate = min(450, max(80, int(self.rate)))
        volume = min(1.0, max(0.0, float(self.volume)))
        return VoiceSettings(voice=self.voice, rate=rate, volume=volume)


@dataclass(frozen=True)
class Voice:
    """A voice the engine offers."""

    id: str
    name: str
    languages: tuple[str, ...] = ()


class SpeechListener(Protocol):
    """Receives start/end notices; may be called from a background thread."""

    def on_start(self, utterance_id: int, text: str, kind: SpeechKind) -> None:
        """An utterance began (it was sanitised; ``text`` is what is spoken)."""

    def on_end(self, utterance_id: int, completed: bool) -> None:
        """An utterance that started has ended; ``completed`` is False if cut off."""


def failure_reason(error: BaseException) -> str:
    """Turn an engine start-up exception into one human sentence."""
    text = str(error)
    if isinstance(error, ModuleNotFoundError) and "pyttsx3" in text:
        return PYTTSX3_MISSING
    if "espeak" in text.lower():
        return ESPEAK_MISSING
    return f"Speech is off: the speech engine could not start ({text or type(error).__name__})."


def sanitise_text(text: str) -> str:
    """Make ``text`` safe to speak: drop control characters, collapse whitespace.

    Returns "" when nothing speakable is left. Emoji and other symbols are kept.
    """
    if not text:
        return ""
    kept = []
    for char in str(text):
        category = unicodedata.category(char)
        if category == "Cs":
            continue  # lone surrogate: cannot be encoded
        if category == "Cc" and not char.isspace():
            continue
        kept.append(char)
    return " ".join("".join(kept).split())


def split_into_chunks(text: str, limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """Split sanitised ``text`` into pieces of at most ``limit`` characters.

    Cuts at sentence ends when possible, then at spaces, and only as a last
    resort inside a word. Short sentences are packed together.
    """
    text = text.strip()
    if not text:
        return []
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        pieces.extend(_split_long(sentence, limit))
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + 1 + len(piece) <= limit:
            chunks[-1] = f"{chunks[-1]} {piece}"
        else:
            chunks.append(piece)
    return chunks


def _split_long(sentence: str, limit: int) -> list[str]:
    out: list[str] = []
    rest = sentence.strip()
    while len(rest) > limit:
        cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        out.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        out.append(rest)
    return out


class Speaker(ABC):
    """Speaks text for the UI. Implementations must never block the caller."""

    @property
    @abstractmethod
    def available(self) -> bool:
        """True when speech can actually be produced."""

    @property
    @abstractmethod
    def reason(self) -> str:
        """"" when available, else one human sentence: why speech is off and the fix."""

    @abstractmethod
    def say(self, text: str, kind: SpeechKind = SpeechKind.SPEECH, interrupt: bool = True) -> None:
        """Speak ``text``; ``interrupt`` cuts off what is playing, else it is queued."""

    @abstractmethod
    def stop(self) -> None:
        """Silence the current utterance and drop queued ones."""

    @abstractmethod
    def voices(self) -> list[Voice]:
        """Voices that can be used in :class:`VoiceSettings`."""

    @abstractmethod
    def configure(self, kind: SpeechKind, settings: VoiceSettings) -> None:
        """Set the voice settings used for utterances of ``kind``."""

    @abstractmethod
    def set_enabled(self, on: bool) -> None:
        """Member preference: when off, ``say`` does nothing (and speech stops)."""

    @abstractmethod
    def add_listener(self, listener: SpeechListener) -> None:
        """Register a listener for start/end notices (called from any thread)."""

    @abstractmethod
    def close(self) -> None:
        """Release the engine; the speaker is silent afterwards."""


class _ListenerMixin:
    """Thread-safe listener list with exception-safe dispatch."""

    def __init__(self) -> None:
        self._listeners: list[SpeechListener] = []
        self._listeners_lock = threading.Lock()

    def add_listener(self, listener: SpeechListener) -> None:
        """Register a listener for start/end notices."""
        with self._listeners_lock:
            self._listeners.append(listener)

    def _emit_start(self, utterance_id: int, text: str, kind: SpeechKind) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener.on_start(utterance_id, text, kind)
            except Exception:
                log.exception("speech listener on_start failed")

    def _emit_end(self, utterance_id: int, completed: bool) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener.on_end(utterance_id, completed)
            except Exception:
                log.exception("speech listener on_end failed")


class NullSpeaker(_ListenerMixin, Speaker):
    """A silent speaker used when no engine is available; every call is a no-op."""

    def __init__(self, reason: str = "Speech is off.") -> None:
        super().__init__()
        self._reason = reason or "Speech is off."

    @property
    def available(self) -> bool:
        """Always False."""
        return False

    @property
    def reason(self) -> str:
        """Why speech is off and how to turn it on."""
        return self._reason

    def say(self, text: str, kind: SpeechKind = SpeechKind.SPEECH, interrupt: bool = True) -> None:
        """Do nothing."""

    def stop(self) -> None:
        """Do nothing."""

    def voices(self) -> list[Voice]:
        """No voices."""
        return []

    def configure(self, kind: SpeechKind, settings: VoiceSettings) -> None:
        """Do nothing."""

    def set_enabled(self, on: bool) -> None:
        """Do nothing."""

    def close(self) -> None:
        """Do nothing."""


class RecordingSpeaker(_ListenerMixin, Speaker):
    """Test double: records calls and notifies listeners synchronously.

    ``calls`` holds ``(text, kind, interrupt)`` for every ``say`` call as made;
    ``said`` only those that were spoken (sanitised text, non-empty, enabled);
    ``stops`` counts ``stop()`` calls. Each ``say``
    immediately ends the previous utterance (completed=False when it interrupts,
    True when queued) and starts the new one; :meth:`finish` ends it as completed.
    """

    def __init__(self, voices: list[Voice] | None = None) -> None:
        super().__init__()
        self.calls: list[tuple[str, SpeechKind, bool]] = []
        self.said: list[tuple[str, SpeechKind, bool]] = []
        self.stops = 0
        self.settings: dict[SpeechKind, VoiceSettings] = {
            kind: VoiceSettings() for kind in SpeechKind
        }
        self.enabled = True
        self.closed = False
        self._voices = list(voices or [Voice("default", "Default", ("en",))])
        self._current: int | None = None
        self._next_id = 1

    @property
    def available(self) -> bool:
        """Always True."""
        return True

    @property
    def reason(self) -> str:
        """Always ""."""
        return ""

    @property
    def texts(self) -> list[str]:
        """Just the spoken texts, in order."""
        return [text for text, _kind, _interrupt in self.said]

    def say(self, text: str, kind: SpeechKind = SpeechKind.SPEECH, interrupt: bool = True) -> None:
        """Record the call and emit on_end (previous) and on_start (this one)."""
        self.calls.append((text, SpeechKind(kind), interrupt))
        clean = sanitise_text(text)
        if not clean or not self.enabled or self.closed:
            return
        self.said.append((clean, SpeechKind(kind), interrupt))
        self.finish(completed=not interrupt)
        utterance_id = self._next_id
        self._next_id += 1
        self._current = utterance_id
        self._emit_start(utterance_id, clean, SpeechKind(kind))

    def finish(self, completed: bool = True) -> None:
        """End the current utterance, if any, notifying listeners."""
        if self._current is not None:
            utterance_id, self._current = self._current, None
            self._emit_end(utterance_id, completed)

    def stop(self) -> None:
        """Count the stop and end the current utterance as not completed."""
        self.stops += 1
        self.finish(completed=False)

    def voices(self) -> list[Voice]:
        """The voices given at construction."""
        return list(self._voices)

    def configure(self, kind: SpeechKind, settings: VoiceSettings) -> None:
        """Remember the settings per kind."""
        self.settings[SpeechKind(kind)] = settings

    def set_enabled(self, on: bool) -> None:
        """Turn recording of ``say`` on or off (off also ends the current utterance)."""
        self.enabled = bool(on)
        if not on:
            self.finish(completed=False)

    def close(self) -> None:
        """Mark closed; later calls to ``say`` are ignored."""
        self.finish(completed=False)
        self.closed = True
