"""Voice control driven only by WAV files made with espeak-ng, through the real recogniser."""

from __future__ import annotations

import math
from array import array
from pathlib import Path

import pytest
from sqlalchemy import select

from app.access.profile import AccessProfile
from app.store.models import Contribution, Endorsement, Stance
from app.ui.screens.definition import DefinitionScreen
from app.ui.screens.home import HomeScreen
from app.ui.screens.prompt import PromptScreen
from app.ui.screens.switch_test import SwitchTestScreen
from app.ui.screens.write import WriteScreen
from app.voice.audio import write_wav
from app.voice.listener import make_listener
from app.voice.phrases import HOMOPHONES, SPELLING_ALPHABET
from tests.voice import require_recogniser, say

pytestmark = pytest.mark.voice


@pytest.fixture
def voice_app(make_app, tmp_path):
    """The demo window for Alex, who uses voice, hearing files instead of a microphone."""
    require_recogniser()

    def build(**profile):
        app = make_app(last_member="Alex", voice_on=True, **profile)
        app.window.voice.use(lambda on_notice: make_listener(on_notice, files_only=True))
        assert app.window.voice.listener.wait_ready(), app.window.voice.reason
        return app

    return build


def hear(app, path: Path, timeout: int = 15000) -> None:
    """The member says what is in `path` (once the app has finished speaking)."""
    app.speaker.finish()
    with app.qtbot.waitSignal(app.window.voice.fed, timeout=timeout):
        app.window.voice.feed(str(path), realtime=False)


def speak(app, text: str, folder: Path) -> str:
    """Say `text`; returns what the window heard. Not understood, the member says it again,
    more slowly (as people do), then once more in another voice."""
    for voice, speed in (("en-gb", 150), ("en-gb", 120), ("en-gb-x-rp", 130)):
        app.speaker.finish()
        with app.qtbot.waitSignal(app.window.voice.heard, timeout=15000) as heard:
            app.window.voice.feed(str(say(text, folder, voice=voice, speed=speed)), realtime=False)
        if heard.args[0]:
            break
    return heard.args[0]


def test_a_member_takes_part_by_voice(voice_app, tmp_path):
    app = voice_app()
    window = app.window
    assert speak(app, "Alex", tmp_path) == "alex"
    assert isinstance(window.current, HomeScreen)
    assert speak(app, "what does social care mean", tmp_path) == "what does social care mean"
    assert isinstance(window.current, PromptScreen)
    assert speak(app, "patronising", tmp_path) == "patronising"  # me too
    assert speak(app, "add keyword", tmp_path) == "add keyword"
    assert isinstance(window.current, WriteScreen)
    for letter in ("tango", "alpha", "papa"):
        assert speak(app, letter, tmp_path) == letter
    assert window.current.panel.text.lower() == "tap"
    assert "t." not in window.voice.targets  # letter names are the member's choice, off at first
    assert speak(app, "finished", tmp_path) == "finished"  # the keyword is sent by voice too
    assert isinstance(window.current, PromptScreen)
    assert speak(app, "our definition", tmp_path) == "our definition"
    assert isinstance(window.current, DefinitionScreen)
    assert speak(app, "agree", tmp_path) == "agree"

    alex = app.members()["Alex"]
    with app.store.read() as s:
        patronising = s.scalar(select(Contribution).where(Contribution.text == "patronising"))
        endorsed = s.scalar(select(Endorsement).where(Endorsement.contribution_id == patronising.id,
                                                      Endorsement.member_id == alex))
        added = s.scalar(select(Contribution).where(Contribution.member_id == alex,
                                                    Contribution.text.ilike("tap")))
        stance = s.scalar(select(Stance).where(Stance.member_id == alex))
    assert endorsed is not None and endorsed.active
    assert added is not None
    assert stance is not None and stance.position == "agree"


def test_speech_output_does_not_trigger_recognition(voice_app, tmp_path):
    app = voice_app()
    window = app.window
    assert speak(app, "Alex", tmp_path) == "alex"
    heard: list[str] = []
    window.voice.heard.connect(heard.append)
    # The app reads out the first question while its own audio comes back into the microphone.
    question = "what does social care mean"
    app.window.ctx.speak(question)
    window.voice.feed(str(say(question, tmp_path)), realtime=False)
    with app.qtbot.waitSignal(window.voice.fed, timeout=15000):
        pass
    assert heard == [] and isinstance(window.current, HomeScreen)
    # Once it has finished (and a moment more), the member is heard again.
    assert speak(app, question, tmp_path) == question
    assert isinstance(window.current, PromptScreen)


def test_with_confirm_a_spoken_choice_waits_for_choose(voice_app, tmp_path):
    app = voice_app(voice_confirm=True)
    assert speak(app, "Sam", tmp_path) == "sam"
    assert app.focus_name() == "Sam" and app.window.state.member is None  # shown, not chosen
    assert speak(app, "choose", tmp_path) == "choose"
    assert app.window.state.member.display_name == "Sam"


def tone_file(folder: Path, parts: list[tuple[float, int]]) -> Path:
    samples = array("h")
    for seconds, amplitude in parts:
        count = int(seconds * 16000)
        samples.extend(int(amplitude * math.sin(2 * math.pi * 300 * i / 16000)) for i in range(count))
    path = folder / "tones.wav"
    write_wav(path, samples)
    return path


def test_the_sound_switch_presses_switch_one_and_a_long_sound_switch_two(voice_app, tmp_path):
    app = voice_app(voice_mode="sound", scan_mode="step", voice_long=0.6)
    app.window.show_switch_test()
    screen = app.window.current
    assert isinstance(screen, SwitchTestScreen)
    presses: list[tuple[int, bool]] = []
    router = app.window.router
    original = router.voice_press
    router.voice_press = lambda switch, pressed: (presses.append((int(switch), pressed)),
                                                 original(switch, pressed))[-1]
    short_then_long = tone_file(tmp_path, [(0.5, 0), (0.25, 8000), (0.8, 0), (1.2, 8000), (0.6, 0)])
    hear(app, short_then_long)
    app.qtbot.waitUntil(lambda: len(presses) == 4, timeout=5000)
    assert presses == [(1, True), (1, False), (2, True), (2, False)]
    assert "Voice switch 2 released" in screen.log.text()


def test_silence_presses_nothing_and_settings_show_a_level_meter(voice_app, tmp_path):
    app = voice_app(voice_mode="sound")
    pressed: list[object] = []
    app.window.router.voice_press = lambda switch, down: pressed.append(switch)
    hear(app, tone_file(tmp_path, [(1.5, 0)]))
    assert pressed == []
    app.window.show_settings("voice")
    meters = [w for w in app.window.current.findChildren(object) if type(w).__name__ == "LevelMeter"]
    assert len(meters) == 1
    assert AccessProfile.stored(app.services.projects.get_member(app.members()["Alex"]).profile).voice_on


def test_letters_are_typed_by_their_names_on_the_keyboard(voice_app, tmp_path):
    app = voice_app(voice_letter_names=True)
    window = app.window
    assert speak(app, "Alex", tmp_path) == "alex"
    assert speak(app, "what does social care mean", tmp_path) == "what does social care mean"
    assert speak(app, "add keyword", tmp_path) == "add keyword"
    assert isinstance(window.current, WriteScreen)
    # "why" and "cue" (said by espeak-ng for the letters "y" and "q") type those keys.
    assert speak(app, "y", tmp_path) == "y."
    assert speak(app, "q", tmp_path) == "q."
    assert window.current.panel.text.lower() == "yq"
    # A letter's name said the same way as a word on show is that word's: the keys' names are
    # offered only where no prediction sounds the same, and the letter still has its code word.
    targets = window.voice.targets
    words = {phrase for phrase, tiles in targets.items()
             if str(tiles[0].property("key_id")).startswith("prediction:")}
    for letter in "abcdefghijklmnopqrstuvwxyz":
        key = [t for t in targets.get(SPELLING_ALPHABET[letter], [])]
        assert key, letter
        name = f"{letter}."
        assert (name in targets) == (not words & {letter, *HOMOPHONES.get(letter, ())}), letter
        if name in targets:
            assert targets[name] == key
