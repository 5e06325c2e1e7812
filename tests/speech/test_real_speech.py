"""pyttsx3 + espeak-ng really produce audio (rendered to a WAV file, no sound card needed)."""

from __future__ import annotations

import wave

import pytest

from app.speech import VoiceSettings, render_to_wav
from tests.speech import require_speech_engine

SENTENCE = "Welcome to the co-production canvas. Press your switch to choose a keyword."


def _seconds(path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


@pytest.mark.speech
def test_render_sentence_has_real_duration_and_rate_matters(tmp_path):
    require_speech_engine()
    normal = tmp_path / "normal.wav"
    fast = tmp_path / "fast.wav"
    render_to_wav(SENTENCE, normal, VoiceSettings(rate=160))
    render_to_wav(SENTENCE, fast, VoiceSettings(rate=320))
    normal_s, fast_s = _seconds(normal), _seconds(fast)
    assert normal_s > 0.5
    assert fast_s > 0.5 * 0.5
    assert fast_s < normal_s * 0.8, (normal_s, fast_s)


@pytest.mark.speech
def test_render_with_a_named_voice_and_empty_text(tmp_path):
    require_speech_engine()
    path = tmp_path / "us.wav"
    render_to_wav("Hello 👋 friends", path, VoiceSettings(voice="gmw/en-us", volume=0.5))
    assert _seconds(path) > 0.5
    with pytest.raises(ValueError):
        render_to_wav(" \n ", tmp_path / "empty.wav", VoiceSettings())
