"""Tests for app.access.profile."""

from __future__ import annotations

import dataclasses
import json

import pytest

from app.access.profile import (
    SCAN_MODES,
    AccessProfile,
    ProfileError,
    ScanSettings,
)


def test_defaults():
    p = AccessProfile()
    assert p.scan_mode == "off"
    assert SCAN_MODES == ("auto", "step", "hold", "off", "dwell")
    assert p.layout == "row-column"
    assert (p.step_time, p.first_item_extra, p.acceptance_time) == (1.0, 0.7, 0.0)
    assert (p.ignore_repeat, p.pause_after_select, p.loops_before_rest) == (0.1, 0.5, 2)
    assert p.restart_after_select == "top" and p.wait_for_cue is False
    assert (p.switch1, p.switch2) == ("Space", "Return")
    assert (p.highlight_colour, p.highlight_thickness) == ("", 8)  # "": the theme's colour
    assert (p.theme, p.size_percent, p.speech_on) == ("high-contrast", 100, True)
    assert (p.cue_voice, p.cue_rate, p.cue_volume) == ("", 220, 0.8)
    assert (p.main_voice, p.main_rate, p.main_volume) == ("", 170, 1.0)
    assert (p.predictions, p.keyboard_layout) == (5, "frequency")


def test_round_trip_through_json():
    p = AccessProfile(
        scan_mode="step", layout="linear", step_time=1.75, switch1="F1", switch2="F2",
        highlight_colour="#00ff00", theme="dark", size_percent=150, speech_on=False,
        cue_voice="en-gb", predictions=0, keyboard_layout="qwerty", wait_for_cue=True,
    )
    data = json.loads(json.dumps(p.to_dict()))
    assert AccessProfile.from_dict(data) == p
    assert data["highlight_colour"] == "#00FF00"  # normalised to upper case


def test_from_dict_missing_and_unknown_keys():
    p = AccessProfile.from_dict({"step_time": 2.0, "future_setting": 42})
    assert p.step_time == 2.0
    assert p == dataclasses.replace(AccessProfile(), step_time=2.0)
    assert AccessProfile.from_dict({}) == AccessProfile()


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("step_time", 10, 5.0),
        ("step_time", 0.01, 0.3),
        ("first_item_extra", -1, 0.0),
        ("acceptance_time", 3.0, 2.0),
        ("ignore_repeat", 2, 1.0),
        ("pause_after_select", 9.0, 5.0),
        ("loops_before_rest", 0, 1),
        ("loops_before_rest", 99, 10),
        ("highlight_thickness", 2, 6),
        ("highlight_thickness", 50, 24),
        ("size_percent", 1000, 300),
        ("size_percent", 50, 100),
        ("cue_volume", 1.5, 1.0),
        ("main_volume", -0.5, 0.0),
        ("cue_rate", 5, 80),
        ("predictions", 7, 6),
        ("predictions", -2, 0),
        ("size_percent", 149.6, 150),  # ints accept floats, rounded
    ],
)
def test_numbers_are_clamped(key, value, expected):
    p = AccessProfile.from_dict({key: value})
    assert getattr(p, key) == expected
    assert type(getattr(p, key)) is type(expected)


def test_int_becomes_float():
    p = AccessProfile.from_dict({"step_time": 2})
    assert p.step_time == 2.0 and isinstance(p.step_time, float)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("step_time", "fast", "step_time must be a number"),
        ("step_time", True, "step_time must be a number"),
        ("step_time", None, "step_time must be a number"),
        ("step_time", float("nan"), "finite"),
        ("loops_before_rest", "2", "loops_before_rest must be a number"),
        ("speech_on", 1, "speech_on must be true or false"),
        ("wait_for_cue", "yes", "wait_for_cue must be true or false"),
        ("scan_mode", "scan", "scan_mode must be one of"),
        ("layout", "grid", "layout must be one of"),
        ("restart_after_select", "bottom", "restart_after_select"),
        ("theme", "pink", "theme must be one of"),
        ("keyboard_layout", "dvorak", "keyboard_layout"),
        ("highlight_colour", "gold", "colour"),
        ("highlight_colour", "#GGGGGG", "colour"),
        ("highlight_colour", "#FFF", "colour"),
        ("highlight_colour", 0xFFD700, "highlight_colour must be text"),
        ("switch1", "Spacebar", "switch1"),
        ("switch1", "", "switch1"),
        ("switch2", "F99", "switch2"),
        ("cue_voice", 3, "cue_voice must be text"),
    ],
)
def test_wrong_types_raise(key, value, message):
    with pytest.raises(ProfileError, match=message):
        AccessProfile.from_dict({key: value})


def test_profile_error_is_value_error():
    assert issubclass(ProfileError, ValueError)


def test_from_dict_needs_mapping():
    with pytest.raises(ProfileError, match="mapping"):
        AccessProfile.from_dict(["step_time", 1.0])  # type: ignore[arg-type]


def test_switch_rules():
    assert AccessProfile(switch1="space", switch2="f2").switch1 == "Space"
    assert AccessProfile(switch2="").switch2 == ""  # one-switch member
    with pytest.raises(ProfileError, match="different"):
        AccessProfile(switch1="Space", switch2="space")
    with pytest.raises(ProfileError, match="two switches"):
        AccessProfile(scan_mode="step", switch2="")
    assert AccessProfile(scan_mode="auto", switch2="").switch2 == ""


def test_frozen_and_replace_validates():
    p = AccessProfile()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.step_time = 2.0  # type: ignore[misc]
    assert dataclasses.replace(p, step_time=99).step_time == 5.0
    with pytest.raises(ProfileError):
        dataclasses.replace(p, theme="neon")


def test_scan_settings_from_profile():
    p = AccessProfile(
        scan_mode="hold", layout="linear", step_time=2.0, first_item_extra=0.0,
        acceptance_time=0.3, ignore_repeat=0.2, pause_after_select=1.0,
        loops_before_rest=4, restart_after_select="stay", wait_for_cue=True,
    )
    s = p.scan_settings()
    assert s == ScanSettings(
        mode="hold", layout="linear", step_time=2.0, first_item_extra=0.0,
        acceptance_time=0.3, ignore_repeat=0.2, pause_after_select=1.0,
        loops_before_rest=4, restart_after_select="stay", wait_for_cue=True,
    )


def test_scan_settings_defaults_and_validation():
    s = ScanSettings()
    assert s.mode == "auto" and s.step_time == 1.0 and s.loops_before_rest == 2
    assert ScanSettings(step_time=0).step_time == 0.3
    assert ScanSettings.from_dict({"mode": "step", "x": 1}).mode == "step"
    assert ScanSettings.from_dict(s.to_dict()) == s
    with pytest.raises(ProfileError):
        ScanSettings(mode="sideways")
