"""Voice as a switch, on generated tones and silence: presses and their lengths."""

from __future__ import annotations

import math
from array import array

from app.voice.endpoint import FRAME_BYTES
from app.voice.sound_switch import SoundSwitch


def tone(seconds: float, amplitude: int = 8000, hz: int = 300) -> array:
    count = int(seconds * 16000)
    return array("h", (int(amplitude * math.sin(2 * math.pi * hz * i / 16000)) for i in range(count)))


def silence(seconds: float) -> array:
    return array("h", bytes(int(seconds * 16000) * 2))


def events(samples: array, level: float = -30.0):
    switch = SoundSwitch(level=level)
    data = samples.tobytes()
    found = []
    for offset in range(0, len(data) - FRAME_BYTES + 1, FRAME_BYTES):
        found.extend(switch.process(data[offset : offset + FRAME_BYTES]))
    return found


def test_a_short_and_a_long_sound_are_two_presses_with_their_lengths():
    found = events(silence(0.5) + tone(0.3) + silence(0.6) + tone(1.2) + silence(0.5))
    assert [e.down for e in found] == [True, False, True, False]
    assert abs(found[0].at - 0.5) < 0.04 and abs(found[1].length - 0.3) < 0.04
    assert abs(found[2].at - 1.4) < 0.04 and abs(found[3].length - 1.2) < 0.04


def test_silence_and_sound_below_the_level_press_nothing():
    assert events(silence(2.0)) == []
    assert events(tone(1.0, amplitude=300)) == []  # about -43 dBFS, under a -30 dB level
    assert len(events(tone(1.0, amplitude=300), level=-50.0)) == 1  # a member who sets it lower


def test_a_blip_shorter_than_a_press_is_ignored_and_a_gap_within_a_sound_does_not_split_it():
    assert events(silence(0.3) + tone(0.05) + silence(0.3)) == []
    found = events(silence(0.3) + tone(0.4) + silence(0.06) + tone(0.4) + silence(0.5))
    assert [e.down for e in found] == [True, False] and abs(found[1].length - 0.86) < 0.05
