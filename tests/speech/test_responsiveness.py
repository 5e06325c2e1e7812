"""The GUI thread stays responsive while the real backend speaks a long utterance."""

from __future__ import annotations

import os
import threading
import time

import pytest
from PySide6.QtCore import QTimer

from app.speech import Pyttsx3Speaker, RecordingSpeaker, SpeechKind, make_speaker
from app.ui.speech_bridge import SpeechBridge
from tests.speech import (
    install_fake_aplay,
    process_alive,
    read_player_log,
    require_speech_engine,
)

# About 30 seconds of speech at the default rate.
THIRTY_SECONDS = " ".join(
    f"Sentence {n} is here to keep the speech engine talking for quite a while." for n in range(9)
)


@pytest.fixture
def player_log(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    install_fake_aplay(bin_dir)
    log = tmp_path / "aplay.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("CANVAS_FAKE_APLAY_LOG", str(log))
    return log


def test_bridge_delivers_notices_in_gui_thread(qtbot):
    speaker = RecordingSpeaker()
    bridge = SpeechBridge(speaker)
    seen: list[tuple[str, bool]] = []
    bridge.started.connect(lambda *_: seen.append(("start", is_gui_thread())))
    bridge.ended.connect(lambda *_: seen.append(("end", is_gui_thread())))

    def speak_elsewhere() -> None:
        speaker.say("from a worker thread", SpeechKind.CUE)
        speaker.stop()

    with qtbot.waitSignal(bridge.ended, timeout=2000) as blocker:
        thread = threading.Thread(target=speak_elsewhere)
        thread.start()
    thread.join()
    assert blocker.args == [1, False]
    assert seen == [("start", True), ("end", True)]


def is_gui_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@pytest.mark.speech
def test_gui_timer_keeps_ticking_during_long_speech(qtbot, player_log):
    require_speech_engine()
    speaker = make_speaker(require=True)
    assert isinstance(speaker, Pyttsx3Speaker)
    bridge = SpeechBridge(speaker)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    try:
        with qtbot.waitSignal(bridge.started, timeout=5000) as started:
            speaker.say(THIRTY_SECONDS)
        assert started.args[1] == THIRTY_SECONDS
        qtbot.waitUntil(lambda: read_player_log(player_log) != [], timeout=5000)
        _start, pid, seconds = read_player_log(player_log)[0]
        timer.start()
        qtbot.waitUntil(lambda: len(ticks) >= 61, timeout=10_000)  # ~3 s of ticks
        timer.stop()
        assert process_alive(pid), "the utterance should still be playing"
        gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
        assert max(gaps) <= 0.1, f"GUI thread blocked for {max(gaps) * 1000:.0f} ms"
        with qtbot.waitSignal(bridge.ended, timeout=1000) as ended:
            speaker.stop()
        assert ended.args[1] is False
        qtbot.waitUntil(lambda: not process_alive(pid), timeout=1000)
    finally:
        timer.stop()
        speaker.close()
    assert seconds > 5  # the first chunk alone is long speech
