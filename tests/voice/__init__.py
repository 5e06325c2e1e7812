"""Voice tests: the real recogniser (PocketSphinx) on audio made by espeak-ng."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from array import array
from pathlib import Path

import pytest

from app.voice.audio import wav_at_16k, write_wav


def recognition_required() -> bool:
    """In CI (CANVAS_REQUIRE_SPEECH or CANVAS_REQUIRE_VOICE set) a missing recogniser fails."""
    return any(os.environ.get(name, "") not in ("", "0")
               for name in ("CANVAS_REQUIRE_SPEECH", "CANVAS_REQUIRE_VOICE"))


def require_recogniser() -> None:
    """Skip without PocketSphinx or espeak-ng, or fail when they are required."""
    missing = [name for name, ok in (
        ("pocketsphinx", importlib.util.find_spec("pocketsphinx") is not None),
        ("espeak-ng", shutil.which("espeak-ng") is not None),
    ) if not ok]
    if not missing:
        return
    message = f"{' and '.join(missing)} not available (pip install pocketsphinx; apt install espeak-ng)"
    if recognition_required():
        pytest.fail(f"recognition is required here but {message}")
    pytest.skip(message)


def say(text: str, folder: Path, voice: str = "en-gb", speed: int = 150, lead: float = 0.6,
        tail: float = 0.9) -> Path:
    """A 16 kHz WAV of espeak-ng saying `text` between pauses (each file named after its text)."""
    raw = folder / "espeak-raw.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text], check=True)
    samples = array("h", bytes(int(lead * 32000))) + wav_at_16k(raw) + array("h", bytes(int(tail * 32000)))
    path = folder / f"{'_'.join(text.split()) or 'silence'}-{voice}-{speed}.wav"
    write_wav(path, samples)
    return path
