"""Speech output for the canvas: a :class:`Speaker` interface and its backends.

Build the app's speaker with :func:`make_speaker`; it returns a working
:class:`Pyttsx3Speaker` or a :class:`NullSpeaker` whose ``reason`` tells the
member why speech is off and how to turn it on. No Qt is imported here.
"""

from typing import TYPE_CHECKING, Any

from app.speech.speaker import (
    NullSpeaker,
    RecordingSpeaker,
    Speaker,
    SpeechKind,
    SpeechListener,
    Voice,
    VoiceSettings,
    sanitise_text,
    split_into_chunks,
)

if TYPE_CHECKING:
    from app.speech.pyttsx3_backend import Pyttsx3Speaker, make_speaker
    from app.speech.worker import render_to_wav

# The engine's side is imported when first asked for: the window imports the speaker
# interface at start-up, and a start without speech never needs the engine.
_LAZY = {"Pyttsx3Speaker": "app.speech.pyttsx3_backend", "make_speaker": "app.speech.pyttsx3_backend",
         "render_to_wav": "app.speech.worker"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "NullSpeaker",
    "Pyttsx3Speaker",
    "RecordingSpeaker",
    "Speaker",
    "SpeechKind",
    "SpeechListener",
    "Voice",
    "VoiceSettings",
    "make_speaker",
    "render_to_wav",
    "sanitise_text",
    "split_into_chunks",
]
