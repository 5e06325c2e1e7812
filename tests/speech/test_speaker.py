"""Speaker interface, fakes, text sanitising and the pyttsx3 backend (with a fake aplay)."""

from __future__ import annotations

import os
import signal
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.speech import (
    NullSpeaker,
    Pyttsx3Speaker,
    RecordingSpeaker,
    SpeechKind,
    Voice,
    VoiceSettings,
    make_speaker,
    sanitise_text,
    split_into_chunks,
)
from app.speech.speaker import MAX_CHUNK_CHARS
from tests.speech import (
    Recorder,
    install_fake_aplay,
    process_alive,
    read_player_log,
    require_speech_engine,
    wait_for,
)

LONG_TEXT = " ".join(["This sentence keeps the player busy for a good while."] * 12)


# -- sanitising -------------------------------------------------------------
def test_sanitise_collapses_whitespace_and_drops_control_chars():
    assert sanitise_text("  Hello\t\tthere\n\nfriend  ") == "Hello there friend"
    assert sanitise_text("bell\x07 and\x00null\x1b[0m") == "bell andnull[0m"


def test_sanitise_keeps_emoji_and_accents():
    assert sanitise_text("Great job 👍🏽 café 👨‍👩‍👧") == "Great job 👍🏽 café 👨‍👩‍👧"


def test_sanitise_empty_and_blank():
    assert sanitise_text("") == ""
    assert sanitise_text(" \n\t\x00\x7f ") == ""


def test_sanitise_drops_lone_surrogates():
    assert sanitise_text("a\ud800b") == "ab"


def test_chunks_of_very_long_text():
    text = sanitise_text("Word " * 4000)  # 20,000 characters, no sentence ends
    assert len(text) >= 19_999
    chunks = split_into_chunks(text)
    assert all(0 < len(c) <= MAX_CHUNK_CHARS for c in chunks)
    assert " ".join(chunks) == text


def test_chunks_prefer_sentence_ends_and_pack_short_ones():
    text = "Yes. No. " + "A much longer sentence that goes on. " * 8
    chunks = split_into_chunks(sanitise_text(text))
    assert chunks[0].startswith("Yes. No.")
    assert all(c.endswith(".") for c in chunks)
    assert split_into_chunks("") == []
    assert split_into_chunks("x" * 450) == ["x" * 200, "x" * 200, "x" * 50]


@given(st.text(max_size=600))
def test_sanitise_and_chunk_never_lose_words(raw):
    clean = sanitise_text(raw)
    assert clean == clean.strip()
    assert "  " not in clean
    chunks = split_into_chunks(clean)
    assert all(0 < len(c) <= MAX_CHUNK_CHARS for c in chunks)
    assert "".join(clean.split()) == "".join("".join(chunks).split())


def test_voice_settings_clamped():
    assert VoiceSettings(rate=5, volume=3).clamped() == VoiceSettings(rate=80, volume=1.0)


# -- fakes ------------------------------------------------------------------
def test_null_speaker_is_silent_with_reason():
    speaker = NullSpeaker("Speech is off: espeak-ng is not installed.")
    speaker.add_listener(Recorder())
    speaker.say("hello")
    speaker.stop()
    speaker.configure(SpeechKind.CUE, VoiceSettings(rate=300))
    speaker.set_enabled(False)
    speaker.close()
    assert not speaker.available
    assert speaker.reason.startswith("Speech is off")
    assert speaker.voices() == []


def test_recording_speaker_records_and_notifies():
    speaker = RecordingSpeaker()
    recorder = Recorder()
    speaker.add_listener(recorder)
    speaker.say("  One\n")
    speaker.say("Two", SpeechKind.CUE, interrupt=False)
    speaker.say("   ")
    speaker.stop()
    assert speaker.said == [("One", SpeechKind.SPEECH, True), ("Two", SpeechKind.CUE, False)]
    assert [call[0] for call in speaker.calls] == ["  One\n", "Two", "   "]
    assert speaker.stops == 1
    assert recorder.events == [
        ("start", 1, "One", SpeechKind.SPEECH),
        ("end", 1, True),
        ("start", 2, "Two", SpeechKind.CUE),
        ("end", 2, False),
    ]


def test_recording_speaker_disabled_and_closed():
    speaker = RecordingSpeaker(voices=[Voice("v1", "Voice one", ("en",))])
    speaker.set_enabled(False)
    speaker.say("ignored")
    speaker.set_enabled(True)
    speaker.configure(SpeechKind.CUE, VoiceSettings(voice="v1", rate=250))
    speaker.say("spoken")
    speaker.finish()
    speaker.close()
    speaker.say("after close")
    assert speaker.texts == ["spoken"]
    assert speaker.settings[SpeechKind.CUE].rate == 250
    assert speaker.voices()[0].id == "v1"


# -- pyttsx3 backend with the fake player -------------------------------------
@pytest.fixture
def player_log(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    install_fake_aplay(bin_dir)
    log = tmp_path / "aplay.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("CANVAS_FAKE_APLAY_LOG", str(log))
    return log


@pytest.fixture
def speaker(player_log):
    require_speech_engine()
    made = make_speaker(require=True)
    assert isinstance(made, Pyttsx3Speaker)
    yield made
    made.close()


@pytest.fixture
def recorder(speaker):
    rec = Recorder()
    speaker.add_listener(rec)
    return rec


def _player_started(player_log, count: int = 1) -> bool:
    return wait_for(lambda: len(read_player_log(player_log)) >= count, timeout=5)


@pytest.mark.speech
def test_backend_reports_voices_and_start_end(speaker, recorder, player_log):
    assert speaker.available and speaker.reason == ""
    assert any(v.id for v in speaker.voices())
    speaker.configure(SpeechKind.CUE, VoiceSettings(rate=400))
    speaker.say("Hi 👋 there.", SpeechKind.CUE)
    assert recorder.wait(lambda r: len(r.ends()) == 1, timeout=10)
    start, end = recorder.events
    assert start[0] == "start" and start[2] == "Hi 👋 there." and start[3] == SpeechKind.CUE
    assert end == ("end", start[1], True)
    assert len(read_player_log(player_log)) == 1


@pytest.mark.speech
def test_backend_queues_without_interrupt(speaker, recorder, player_log):
    speaker.say("First.")
    speaker.say("Second.", interrupt=False)
    assert recorder.wait(lambda r: len(r.ends()) == 2, timeout=10)
    assert [e[0] for e in recorder.events] == ["start", "end", "start", "end"]
    assert all(e[2] for e in recorder.ends())


@pytest.mark.speech
def test_stop_silences_within_100ms(speaker, recorder, player_log):
    speaker.say(LONG_TEXT)
    assert _player_started(player_log)
    pid = read_player_log(player_log)[0][1]
    assert process_alive(pid)
    began = time.monotonic()
    speaker.stop()
    assert wait_for(lambda: not process_alive(pid), timeout=1.0, step=0.001)
    elapsed = time.monotonic() - began
    assert elapsed < 0.1, f"player still running {elapsed * 1000:.0f} ms after stop()"
    assert recorder.wait(lambda r: r.ends() != [], timeout=1)
    assert recorder.ends()[0][2] is False


@pytest.mark.speech
def test_interrupting_say_replaces_current_speech(speaker, recorder, player_log):
    speaker.say(LONG_TEXT)
    assert _player_started(player_log)
    first_pid = read_player_log(player_log)[0][1]
    speaker.say("Something new.")
    assert wait_for(lambda: not process_alive(first_pid), timeout=1.0)
    assert recorder.wait(lambda r: len(r.ends()) == 2, timeout=10)
    assert [e[0] for e in recorder.events] == ["start", "end", "start", "end"]
    assert recorder.events[1][2] is False and recorder.events[3][2] is True


@pytest.mark.speech
def test_killed_worker_is_restarted_on_next_say(speaker, recorder, player_log):
    speaker.say(LONG_TEXT)
    assert _player_started(player_log)
    player_pid = read_player_log(player_log)[0][1]
    worker_pid = speaker.active_pid
    assert worker_pid is not None
    os.kill(worker_pid, signal.SIGKILL)  # a crash: only the worker, not its player
    assert recorder.wait(lambda r: r.ends() != [], timeout=5)
    assert recorder.ends()[0][2] is False
    assert wait_for(lambda: not process_alive(player_pid), timeout=2)  # orphan cleaned up
    speaker.say("I am back.")
    assert recorder.wait(lambda r: len(r.ends()) == 2, timeout=10)
    assert recorder.starts()[-1][2] == "I am back."
    assert speaker.active_pid not in (None, worker_pid)


@pytest.mark.speech
def test_close_ends_worker_processes(speaker, player_log):
    speaker.say(LONG_TEXT)
    assert _player_started(player_log)
    pids = [*speaker.worker_pids, read_player_log(player_log)[0][1]]
    assert len(pids) == 3 and all(process_alive(pid) for pid in pids)
    speaker.close()
    speaker.close()
    assert wait_for(lambda: not any(process_alive(pid) for pid in pids), timeout=2)
    assert not speaker.available and speaker.reason
    speaker.say("ignored")
    assert speaker.worker_pids == []


@pytest.mark.speech
def test_disabled_speaker_says_nothing(speaker, recorder, player_log):
    speaker.set_enabled(False)
    speaker.say("Not for me.")
    speaker.set_enabled(True)
    speaker.say("For me.", interrupt=False)
    assert recorder.wait(lambda r: len(r.ends()) == 1, timeout=10)
    assert [e[2] for e in recorder.starts()] == ["For me."]
    assert len(read_player_log(player_log)) == 1


@pytest.mark.speech
def test_empty_and_huge_texts(speaker, recorder, player_log):
    speaker.say("")
    speaker.say(" \x00\n ")
    huge = "Sentence number one goes here. " * 650  # ~20,000 characters
    began = time.monotonic()
    speaker.say(huge)
    assert time.monotonic() - began < 0.05  # say() must not block
    assert _player_started(player_log)
    assert [e[0] for e in recorder.events] == ["start"]
    assert len(recorder.starts()[0][2]) > 19_000
    speaker.stop()
    assert recorder.wait(lambda r: len(r.ends()) == 1, timeout=2)


def test_make_speaker_without_player_gives_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no aplay anywhere
    speaker = make_speaker()
    assert isinstance(speaker, NullSpeaker)
    assert "aplay" in speaker.reason and "apt install" in speaker.reason
    with pytest.raises(RuntimeError, match="aplay"):
        make_speaker(require=True)


def _shadow_pyttsx3(tmp_path, monkeypatch, body: str) -> None:
    package = tmp_path / "shadow" / "pyttsx3"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(body, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(package.parent))  # seen by the worker only


def test_missing_espeak_gives_install_hint(tmp_path, monkeypatch, player_log):
    _shadow_pyttsx3(
        tmp_path,
        monkeypatch,
        "def init(*args, **kwargs):\n"
        "    raise RuntimeError('This means you probably do not have eSpeak or eSpeak-ng"
        " installed!')\n",
    )
    speaker = make_speaker()
    assert isinstance(speaker, NullSpeaker)
    assert speaker.reason == (
        "Speech is off: espeak-ng is not installed. Install it with: sudo apt install espeak-ng"
    )
    with pytest.raises(RuntimeError, match="espeak-ng"):
        make_speaker(require=True)


def test_worker_dying_at_start_gives_reason(tmp_path, monkeypatch, player_log):
    _shadow_pyttsx3(tmp_path, monkeypatch, "import os\nos._exit(3)\n")
    speaker = make_speaker(timeout=10)
    assert isinstance(speaker, NullSpeaker)
    assert speaker.reason.startswith("Speech is off: the speech engine stopped")


@pytest.mark.speech
def test_rapid_interrupting_says_do_not_spawn_a_worker_each(speaker, recorder, player_log):
    texts = [f"Item {n}." for n in range(40)]
    for text in texts:  # like key-repeat moving the focus: ~100 interrupting says a second
        speaker.say(text)
        time.sleep(0.01)
    assert recorder.wait(lambda r: any(e[2] == texts[-1] for e in r.starts()), timeout=10)
    assert recorder.wait(lambda r: len(r.ends()) == len(r.starts()), timeout=10)
    assert speaker.spawned <= len(texts) // 2, f"{speaker.spawned} workers for {len(texts)} says"
    assert len(recorder.starts()) < len(texts)
    assert recorder.ends()[-1][2] is True
    started = [e[1] for e in recorder.starts()]
    assert started == sorted(started)


@pytest.mark.speech
def test_a_speaker_not_waited_for_speaks_what_it_was_given_while_starting(player_log):
    require_speech_engine()
    speaker = make_speaker(wait=False)  # as main.py starts it: the window does not wait
    try:
        assert isinstance(speaker, Pyttsx3Speaker)
        rec = Recorder()
        speaker.add_listener(rec)
        speaker.say("Who is taking part?")
        assert rec.wait(lambda r: any(e[2] == "Who is taking part?" for e in r.starts()), timeout=10)
        assert _player_started(player_log)
        assert speaker.available
    finally:
        speaker.close()


def test_a_speaker_not_waited_for_turns_itself_off_with_the_reason(tmp_path, monkeypatch, player_log):
    _shadow_pyttsx3(tmp_path, monkeypatch, "import os\nos._exit(3)\n")
    speaker = make_speaker(timeout=10, wait=False)
    try:
        assert wait_for(lambda: not speaker.available, timeout=10)
        assert speaker.reason.startswith("Speech is off: the speech engine stopped")
        speaker.say("nothing comes of this")  # refused quietly, never blocks
    finally:
        speaker.close()
