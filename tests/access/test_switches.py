"""Tests for app.access.switches."""

from __future__ import annotations

import pytest

from app.access.profile import AccessProfile
from app.access.switches import (
    KEY_NAMES,
    PressFilter,
    PressState,
    Switch,
    SwitchError,
    SwitchMap,
    is_key_name,
    normalise_key_name,
)


def test_switch_values():
    assert Switch.ONE == 1
    assert Switch.TWO == 2
    assert Switch(1) is Switch.ONE


def test_key_names_cover_the_documented_set():
    for name in ["Space", "Return", "Enter", "Tab", "F1", "F12", "0", "9", "A", "Z"]:
        assert name in KEY_NAMES
    assert {"Mouse:Left", "Mouse:Right", "Mouse:Middle"} <= set(KEY_NAMES)
    assert "F13" not in KEY_NAMES
    assert len(KEY_NAMES) == len(set(KEY_NAMES))


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [("space", "Space"), (" RETURN ", "Return"), ("f5", "F5"), ("q", "Q"),
     ("mouse:left", "Mouse:Left"), ("7", "7")],
)
def test_normalise_key_name(raw, canonical):
    assert normalise_key_name(raw) == canonical
    assert is_key_name(raw)


@pytest.mark.parametrize("bad", ["", "Spacebar", "F13", "Mouse:Back", "AA"])
def test_unknown_key_names(bad):
    assert not is_key_name(bad)
    with pytest.raises(SwitchError, match="unknown switch key"):
        normalise_key_name(bad)


def test_non_text_key_name():
    assert not is_key_name(3)
    with pytest.raises(SwitchError, match="must be text"):
        normalise_key_name(3)  # type: ignore[arg-type]


def test_switch_map_lookup():
    sm = SwitchMap("Space", "Return")
    assert sm.switch_for("Space") is Switch.ONE
    assert sm.switch_for("space") is Switch.ONE
    assert sm.switch_for("Return") is Switch.TWO
    assert sm.switch_for("Enter") is None  # keypad Enter is a different key
    assert sm.switch_for("nonsense") is None
    assert sm.key_for(Switch.ONE) == "Space"
    assert sm.key_for(Switch.TWO) == "Return"
    assert sm.has_two_switches


def test_switch_map_normalises_and_single_switch():
    sm = SwitchMap("mouse:left")
    assert sm.switch1 == "Mouse:Left"
    assert sm.switch2 is None
    assert not sm.has_two_switches
    assert sm.switch_for("Mouse:Left") is Switch.ONE
    assert sm.key_for(Switch.TWO) is None
    assert SwitchMap("F1", "").switch2 is None


def test_switch_map_rejects_same_or_unknown():
    with pytest.raises(SwitchError, match="different"):
        SwitchMap("Space", "space")
    with pytest.raises(SwitchError):
        SwitchMap("Nope", "Space")
    assert issubclass(SwitchError, ValueError)


def test_switch_map_from_profile():
    sm = SwitchMap.from_profile(AccessProfile(switch1="F1", switch2="F2"))
    assert (sm.switch1, sm.switch2) == ("F1", "F2")
    single = SwitchMap.from_profile(AccessProfile(switch1="1", switch2=""))
    assert single.switch2 is None


def test_press_filter_repeat_and_acceptance():
    pf = PressFilter()
    p = pf.press(Switch.ONE, 0.0, ignore_repeat=0.5)
    assert p is not None and p.state is PressState.PENDING
    assert pf.press(Switch.ONE, 0.01, 0.5) is None  # already down (auto-repeat)
    assert pf.has_pending
    assert pf.pending_deadline(0.25) == 0.25
    assert pf.due(0.2, 0.25) == []
    assert pf.due(0.25, 0.25) == [p]
    pf.accept(p)
    assert not pf.has_pending and pf.pending_deadline(0.25) is None
    assert pf.release(Switch.ONE) is p
    assert pf.release(Switch.ONE) is None
    repeat = pf.press(Switch.ONE, 0.4, 0.5)
    assert repeat is not None and repeat.state is PressState.IGNORED
    pf.release(Switch.ONE)
    other = pf.press(Switch.TWO, 0.4, 0.5)  # repeats are per switch
    assert other is not None and other.state is PressState.PENDING
    pf.cancel_all()
    assert other.state is PressState.IGNORED
