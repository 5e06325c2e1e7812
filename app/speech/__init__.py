"""Speech output for the canvas: a :class:`Speaker` interface and its backends.

Build the app's speaker with :func:`make_speaker`; it returns a working
:class:`Pyttsx3Speaker` or a :class:`NullSpeaker` whose ``reason`` tells the
member why speech is off and how to turn it on. No Qt is imported here.
"""

from app.speech.pyttsx3_backend import Pyttsx3Speaker, make_speaker
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
from app.speech.worker import render_to_wav

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
