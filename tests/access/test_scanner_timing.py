"""Timing tests for the scanner engine: acceptance, repeats, pauses, rest, drift, cues, live settings."""

from __future__ import annotations

import random

import pytest

from app.access.profile import AccessProfile, ScanSettings
from app.access.scanner import Scanner
from tests.access.scan_helpers import (
    BASE,
    ONE,
    TWO,
    Recorder,
    click,
    item,
    key,
    make,
    make_tree,
    run_until_rest,
)


# -------------------------------------------------------- timing options
def test_acceptance_short_press_ignored_long_press_acts_via_tick():
    s, rec = make(acceptance_time=0.25)
    s.press(ONE, 0.5)
    assert s.next_deadline() == 0.75
    s.release(ONE, 0.7)
    assert key(s) == "r1" and s.next_deadline() == 1.5
    s.press(ONE, 1.0)
    s.tick(1.2)
    assert key(s) == "r1"
    s.tick(1.25)
    assert key(s) == "a" and ("enter", "r1") in rec.events
    assert s.next_deadline() == 2.75  # anchored at the acceptance moment
    s.release(ONE, 2.0)
    assert key(s) == "a"


def test_acceptance_late_tick_release_still_accepts():
    s, rec = make(acceptance_time=0.25)
    s.press(ONE, 0.5)
    s.release(ONE, 0.8)  # held long enough; the timer never fired
    assert key(s) == "a" and s.next_deadline() == 0.75 + 1.5


def test_pending_press_holds_back_auto_step():
    s, rec = make(acceptance_time=0.25)
    s.press(ONE, 1.4)
    assert s.next_deadline() == 1.65
    s.tick(1.5)
    assert key(s) == "r1"  # step held back while the press is judged
    s.release(ONE, 1.6)  # too short
    assert s.next_deadline() == 1.5  # overdue: tick at once
    s.tick(1.6)
    assert key(s) == "r2" and s.next_deadline() == 2.5  # still on schedule


def test_ignore_repeat_ignores_press_and_its_release():
    s, rec = make(ignore_repeat=0.5)
    click(s, ONE, 0.0)  # enter r1
    click(s, ONE, 0.3)  # bounce: ignored
    assert key(s) == "a" and rec.selected() == []
    click(s, ONE, 0.6)
    assert rec.selected() == ["a"]


def test_ignore_repeat_release_ignored_in_hold_mode():
    s, rec = make(mode="hold", ignore_repeat=0.5)
    click(s, ONE, 0.0)  # enter r1
    s.press(ONE, 0.2)
    assert not s.holding
    s.release(ONE, 0.3)
    assert key(s) == "a" and rec.selected() == []


def test_ignore_repeat_is_per_switch_in_step_mode():
    s, rec = make(mode="step", ignore_repeat=0.5)
    click(s, ONE, 0.0)
    click(s, TWO, 0.1)
    assert key(s) == "c"
    click(s, TWO, 0.3)  # repeat of TWO
    assert key(s) == "c"


def test_pause_after_select():
    s, rec = make(pause_after_select=0.25)
    click(s, ONE, 0.75)  # enter r1 -> a (first item)
    assert s.next_deadline() == 0.75 + 0.25 + 1.5
    s.tick(2.5)
    assert key(s) == "b" and s.next_deadline() == 3.5
    click(s, ONE, 3.0)  # select b, restart top
    assert s.next_deadline() == 3.0 + 0.25 + 1.5


def test_pause_after_select_stay_uses_plain_interval():
    s, rec = make(pause_after_select=0.25, restart_after_select="stay")
    click(s, ONE, 0.0)
    s.tick(1.75)
    click(s, ONE, 2.0)
    assert key(s) == "b" and s.next_deadline() == 2.0 + 0.25 + 1.0


def test_loops_before_rest_and_wake_without_select():
    s, rec = make(loops_before_rest=2)
    times = run_until_rest(s)
    assert times == [1.5, 2.5, 3.5, 5.0, 6.0, 7.0]  # two loops of 3, rest at 7.0
    assert s.resting and s.highlighted is None and s.highlighted_path == ()
    assert rec.kinds().count("rest") == 1 and s.next_deadline() is None
    s.tick(50.0)
    assert s.resting
    n = len(rec.events)
    click(s, ONE, 60.0)
    assert rec.events[n:] == [("wake",), ("highlight", "r1", True, ("r1",))]
    assert not s.resting and rec.selected() == [] and "enter" not in rec.kinds()
    assert s.next_deadline() == 61.5


def test_press_resets_loop_count():
    s, rec = make(loops_before_rest=1)
    s.tick(1.5)
    click(s, ONE, 2.0)  # enter r2: c, g, back
    assert run_until_rest(s) == [3.5, 4.5, 5.5]
    assert s.resting


def test_wake_with_stay_restarts_current_level():
    s, rec = make(loops_before_rest=1, restart_after_select="stay")
    click(s, ONE, 0.0)
    run_until_rest(s)
    s.wake(20.0)
    assert key(s) == "a" and s.highlighted_path == ("r1", "a")


def test_no_rest_in_step_or_hold():
    for mode in ("step", "hold"):
        s, _ = make(mode=mode, loops_before_rest=1)
        s.tick(1000.0)
        assert not s.resting and key(s) == "r1"


# ------------------------------------------------------------------ no drift
def test_late_tick_keeps_schedule():
    s, _ = make()
    s.tick(1.54)  # 40 ms late
    assert key(s) == "r2" and s.next_deadline() == 2.5


def test_very_late_tick_does_one_step_and_reanchors():
    s, _ = make()
    s.tick(2.7)  # r2 would have been due at 1.5 and x at 2.5
    assert key(s) == "r2"
    assert s.next_deadline() == pytest.approx(3.7)


def test_long_run_with_random_late_ticks_has_no_drift():
    tree = [item(f"k{i}", str(i)) for i in range(25)]
    s, _ = make(tree=tree, step_time=0.7, first_item_extra=0.3)
    rng = random.Random(1234)
    expected = 0.0
    for step in range(200):
        expected += 0.7 + (0.3 if step % 25 == 0 else 0.0)
        assert s.next_deadline() == pytest.approx(expected, abs=1e-9)
        s.tick(expected + rng.uniform(0.0, 0.35))  # up to 50% of the interval late
        assert key(s) == f"k{(step + 1) % 25}"


# ------------------------------------------------------------ wait for cue
def test_wait_for_cue():
    s, _ = make(wait_for_cue=True)
    assert s.cue_pending and s.next_deadline() is None
    s.tick(5.0)
    assert key(s) == "r1"
    s, _ = make(wait_for_cue=True)
    s.cue_finished(0.8)
    assert s.next_deadline() == 1.5
    s.tick(1.5)
    assert key(s) == "r2" and s.next_deadline() is None
    s.cue_finished(3.0, key="r1")  # stale cue: ignored
    assert s.cue_pending
    s.cue_finished(3.0, key="r2")  # cue ran past the 2.5 deadline
    assert s.next_deadline() == 3.0
    s.tick(3.0)
    assert key(s) == "x" and s.next_deadline() is None
    s.cue_finished(3.25)
    assert s.next_deadline() == 4.0  # anchored at the real move time


def test_wait_for_cue_finished_inside_on_highlight():
    class Silent(Recorder):
        def __init__(self) -> None:
            super().__init__()
            self.scanner: Scanner | None = None

        def on_highlight(self, node, is_group, path):
            super().on_highlight(node, is_group, path)
            if self.scanner is not None:
                self.scanner.cue_finished(0.0)

    rec = Silent()
    s = Scanner(ScanSettings(**{**BASE, "wait_for_cue": True}), rec)
    rec.scanner = s
    s.set_tree(make_tree(), 0.0)
    assert not s.cue_pending and s.next_deadline() == 1.5


# ---------------------------------------------------------- live settings
def test_update_settings_reanchors_timings():
    s, rec = make()
    s.update_settings(ScanSettings(**{**BASE, "step_time": 2.0}), 0.5)
    assert s.next_deadline() == 2.5
    s.update_settings(ScanSettings(**{**BASE, "step_time": 0.5}), 1.25)
    assert s.next_deadline() == 1.25  # would be 1.0: never earlier than now
    assert len(rec.events) == 1  # no restart for timing changes


def test_update_settings_mode_changes():
    s, rec = make()
    s.press(ONE, 0.0)  # enters r1; still held
    s.update_settings(ScanSettings(**{**BASE, "mode": "step"}), 1.0)
    assert s.mode == "step" and key(s) == "r1" and s.next_deadline() is None
    assert rec.events[-1] == ("highlight", "r1", True, ("r1",))
    s.release(ONE, 1.1)  # cancelled press
    assert key(s) == "r1"
    s.update_settings(ScanSettings(**{**BASE, "mode": "off"}), 2.0)
    assert rec.events[-1] == ("stop",) and s.highlighted is None
    s.update_settings(AccessProfile(scan_mode="auto"), 3.0)
    assert key(s) == "r1" and s.next_deadline() == 3.0 + 1.0 + 0.7


def test_update_settings_layout_keeps_key():
    s, _ = make()
    click(s, ONE, 0.0)
    s.tick(1.5)  # b
    s.update_settings(ScanSettings(**{**BASE, "layout": "linear"}), 2.0)
    assert key(s) == "b" and [n.key for n in s.level][:2] == ["a", "b"]


def test_wait_for_cue_turned_off_releases_step():
    s, _ = make(wait_for_cue=True)
    s.update_settings(ScanSettings(**BASE), 1.0)
    assert not s.cue_pending and s.next_deadline() == 1.5
    s, _ = make(wait_for_cue=True)
    s.update_settings(ScanSettings(**BASE), 2.0)
    assert s.next_deadline() == 2.0  # overdue: step at once
