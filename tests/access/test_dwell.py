"""The dwell engine on a manual clock: progress, leaving, the re-choice guard, edges,
magnetic targets, the pause tile and "point, then press a switch"."""

from __future__ import annotations

import dataclasses

import pytest

from app.access.dwell import PAUSE_KEY, DwellEngine, DwellListener, Target, pick_target
from app.access.pointer_filter import OneEuroFilter
from app.access.profile import AccessProfile, DwellSettings
from app.access.switches import Switch

# Two tiles side by side with a 14 px gap, one below, and the pause tile in a corner.
A = Target("a", 100, 100, 200, 80, "alpha")
B = Target("b", 314, 100, 200, 80, "beta")
C = Target("c", 100, 204, 200, 80, "gamma")
PAUSE = Target(PAUSE_KEY, 1100, 700, 160, 64, "pause")
TARGETS = [A, B, C, PAUSE]


class Log(DwellListener):
    def __init__(self) -> None:
        self.pointed: list[tuple[str | None, bool]] = []
        self.chosen: list[str] = []
        self.paused: list[bool] = []

    def on_point(self, target, spent):
        self.pointed.append((target.key if target else None, spent))

    def on_choose(self, target):
        self.chosen.append(target.key)

    def on_pause(self, paused):
        self.paused.append(paused)


class Rig:
    """An engine, a manual time and a pointer that is sampled 60 times a second."""

    def __init__(self, **settings: object) -> None:
        self.log = Log()
        self.engine = DwellEngine(DwellSettings(**settings), self.log)
        self.now = 1000.0
        self.engine.set_targets(TARGETS, self.now, fresh=True)

    def rest(self, x: float, y: float, seconds: float) -> None:
        """Hold the pointer at (x, y) for `seconds`, sampling at 60 Hz and ticking on time."""
        end = self.now + seconds
        while self.now < end - 1e-9:
            self.engine.move(x, y, self.now)
            step = min(1 / 60, end - self.now)
            self._run_until(self.now + step)

    def wait(self, seconds: float) -> None:
        """No samples (a still mouse): only the engine's own deadlines fire."""
        self._run_until(self.now + seconds)

    def _run_until(self, end: float) -> None:
        while (due := self.engine.next_deadline()) is not None and due <= end:
            self.now = max(self.now, due)
            self.engine.tick(self.now)
        self.now = end


def test_resting_on_a_target_chooses_it_after_the_dwell_time():
    rig = Rig(dwell_time=1.0)
    rig.rest(200, 140, 0.5)
    assert rig.engine.current == A and rig.log.chosen == []
    assert rig.engine.progress(rig.now) == pytest.approx(0.5, abs=0.02)
    rig.rest(200, 140, 0.45)
    assert rig.log.chosen == []
    rig.rest(200, 140, 0.1)
    assert rig.log.chosen == ["a"]


def test_a_still_pointer_is_chosen_on_the_clock_alone():
    rig = Rig(dwell_time=1.0)
    rig.engine.move(200, 140, rig.now)  # one sample (as xdotool gives), then nothing
    rig.wait(0.99)
    assert rig.log.chosen == []
    rig.wait(0.02)
    assert rig.log.chosen == ["a"]


def test_leaving_starts_the_dwell_again_and_re_entering_counts_from_then():
    rig = Rig(dwell_time=1.0)
    rig.rest(200, 140, 0.8)
    rig.rest(200, 400, 0.3)  # off every target
    assert rig.engine.current is None and rig.engine.progress(rig.now) == 0.0
    rig.rest(200, 140, 0.8)
    assert rig.log.chosen == []
    rig.rest(200, 140, 0.4)
    assert rig.log.chosen == ["a"]


def test_moving_to_another_target_moves_the_dwell_with_it():
    rig = Rig(dwell_time=1.0)
    rig.rest(200, 140, 0.8)
    rig.rest(414, 140, 0.8)
    assert rig.log.chosen == [] and rig.engine.current == B
    rig.rest(414, 140, 0.4)
    assert rig.log.chosen == ["b"]


def test_the_same_target_is_not_chosen_again_until_the_pointer_has_left_it():
    rig = Rig(dwell_time=1.0, pause_after_choice=0.5)
    rig.rest(200, 140, 1.1)
    assert rig.log.chosen == ["a"] and rig.engine.spent
    rig.rest(200, 140, 5.0)
    assert rig.log.chosen == ["a"]
    rig.rest(200, 400, 0.3)
    rig.rest(200, 140, 1.1)
    assert rig.log.chosen == ["a", "a"]


def test_no_new_dwell_starts_within_the_pause_after_a_choice():
    rig = Rig(dwell_time=1.0, pause_after_choice=0.5)
    rig.rest(200, 140, 1.01)
    chosen_at = rig.now
    rig.rest(414, 140, 0.3)  # already on B, but its dwell counts from the end of the pause
    assert rig.engine.progress(rig.now) == 0.0
    rig.rest(414, 140, 1.1)
    assert rig.log.chosen == ["a"]
    rig.rest(414, 140, 0.15)
    assert rig.log.chosen == ["a", "b"]
    assert rig.now >= chosen_at + 1.5 - 0.02


def test_a_new_screen_under_a_still_pointer_is_not_chosen():
    rig = Rig(dwell_time=1.0)
    rig.rest(200, 140, 1.05)
    assert rig.log.chosen == ["a"]
    other = Target("keyboard.0", 90, 90, 250, 100, "t")  # the choice opened a new screen
    rig.engine.set_targets([other, PAUSE], rig.now, fresh=True)
    assert rig.engine.current == other and rig.engine.spent
    rig.rest(200, 140, 3.0)
    assert rig.log.chosen == ["a"]
    rig.rest(600, 500, 0.3)
    rig.rest(200, 140, 1.1)
    assert rig.log.chosen == ["a", "keyboard.0"]


def test_a_target_that_is_gone_is_let_go():
    rig = Rig(dwell_time=1.0)
    rig.rest(200, 140, 0.4)
    rig.engine.set_targets([B, C, PAUSE], rig.now, fresh=True)  # a new screen, nothing there
    assert rig.engine.current is None and rig.log.pointed[-1] == (None, False)


def test_a_refresh_keeps_a_dwell_under_way_but_a_changed_label_starts_again():
    rig = Rig(dwell_time=1.0)
    rig.rest(200, 140, 0.6)
    rig.engine.set_targets(TARGETS, rig.now, fresh=True)  # rebuilt, the same tiles
    assert rig.engine.progress(rig.now) == pytest.approx(0.6, abs=0.03)
    relabelled = dataclasses.replace(A, label="alpha, 3 me too")
    rig.engine.set_targets([relabelled, B, C, PAUSE], rig.now, fresh=True)
    assert rig.engine.progress(rig.now) == 0.0


def test_the_edge_tolerance_keeps_a_dwell_going_just_outside_the_target():
    rig = Rig(dwell_time=1.0, magnetic=False, edge_tolerance=6)
    rig.rest(150, 170, 0.5)
    rig.rest(150, 184, 0.6)  # 4 px below A's bottom edge
    assert rig.log.chosen == ["a"]
    rig2 = Rig(dwell_time=1.0, magnetic=False, edge_tolerance=6)
    rig2.rest(150, 170, 0.5)
    rig2.rest(150, 192, 0.6)  # 12 px below: it has left A
    assert rig2.log.chosen == []


def test_magnetic_targets_take_a_point_near_them_but_not_one_half_way():
    s = DwellSettings(snap_distance=30)
    assert pick_target(TARGETS, 150, 90, None, s) == A  # 10 px above A, nothing else near
    assert pick_target(TARGETS, 302, 140, None, s) == A  # in the gap, 2 px from A, 12 from B
    assert pick_target(TARGETS, 307, 140, None, s) is None  # half-way: neither
    assert pick_target(TARGETS, 150, 60, None, s) is None  # 40 px away: beyond the distance
    off = DwellSettings(magnetic=False)
    assert pick_target(TARGETS, 150, 90, None, off) is None


def test_snapping_lets_a_dwell_complete_from_beside_the_target():
    rig = Rig(dwell_time=1.0, snap_distance=30)
    rig.rest(150, 85, 1.05)  # 15 px above A: a gaze that lands short
    assert rig.log.chosen == ["a"]


def test_the_pause_tile_stops_and_resumes_dwelling():
    rig = Rig(dwell_time=1.0)
    rig.rest(1180, 732, 1.05)
    assert rig.engine.paused and rig.log.paused == [True] and rig.log.chosen == ["pause"]
    rig.rest(1180, 732, 3.0)  # resting on it again does not resume: it must be left first
    assert rig.engine.paused
    rig.rest(200, 140, 3.0)
    assert rig.log.chosen == ["pause"] and rig.engine.current is None  # nothing is pointed at
    rig.rest(1180, 732, 1.05)
    assert not rig.engine.paused and rig.log.paused == [True, False]
    rig.rest(200, 140, 1.6)  # the pause after a choice, then the dwell
    assert rig.log.chosen == ["pause", "pause", "a"]


def test_a_switch_pauses_and_resumes_while_dwelling():
    rig = Rig(dwell_time=1.0)
    rig.engine.press(Switch.ONE, rig.now)
    rig.engine.release(Switch.ONE, rig.now + 0.1)
    assert rig.engine.paused
    rig.rest(200, 140, 2.0)
    assert rig.log.chosen == []
    rig.engine.press(Switch.ONE, rig.now)
    rig.engine.release(Switch.ONE, rig.now + 0.1)
    assert not rig.engine.paused


def test_point_then_switch_chooses_with_the_switch_only():
    rig = Rig(point_then_switch=True)
    rig.rest(200, 140, 3.0)
    assert rig.log.chosen == [] and rig.engine.progress(rig.now) == 0.0
    rig.engine.press(Switch.ONE, rig.now)
    rig.engine.release(Switch.ONE, rig.now + 0.05)
    assert rig.log.chosen == ["a"]
    rig.now += 0.5
    rig.engine.press(Switch.ONE, rig.now)  # again on the same key: a press is deliberate
    assert rig.log.chosen == ["a", "a"]
    rig.engine.release(Switch.ONE, rig.now)
    rig.engine.press(Switch.TWO, rig.now + 0.2)  # switch 2 pauses
    assert rig.engine.paused


def test_point_then_switch_keeps_the_acceptance_time_and_ignores_repeats():
    rig = Rig(point_then_switch=True, acceptance_time=0.3, ignore_repeat=0.2)
    rig.rest(200, 140, 0.2)
    rig.engine.press(Switch.ONE, rig.now)
    rig.engine.release(Switch.ONE, rig.now + 0.1)  # too short
    assert rig.log.chosen == []
    rig.engine.press(Switch.ONE, rig.now + 0.5)
    rig.now += 0.5
    rig.wait(0.31)
    assert rig.log.chosen == ["a"]


def test_leaving_the_window_forgets_the_target():
    rig = Rig(dwell_time=1.0)
    rig.rest(200, 140, 0.5)
    rig.engine.leave(rig.now)
    assert rig.engine.current is None and rig.engine.next_deadline() is None
    rig.wait(2.0)
    assert rig.log.chosen == []


def test_jitter_is_smoothed_and_a_jump_is_followed():
    smooth = OneEuroFilter()
    import random

    rnd = random.Random(1)
    t = 0.0
    points = []
    for _ in range(240):
        t += 1 / 60
        points.append(smooth(200 + rnd.gauss(0, 40), 140 + rnd.gauss(0, 40), t))
    spread = max(abs(x - 200) for x, _ in points[60:])
    assert spread < 40  # raw samples stray beyond 100 px
    for _ in range(30):  # half a second after a jump of 600 px
        t += 1 / 60
        x, _ = smooth(800, 140, t)
    assert abs(x - 800) < 15


def test_the_profile_gives_the_dwell_settings_and_old_profiles_still_load():
    old = {"scan_mode": "auto", "step_time": 1.2}  # saved before pointing existed
    profile = AccessProfile.from_dict(old)
    assert (profile.dwell_time, profile.point_then_switch, profile.magnetic_targets) == (1.0, False, True)
    assert (profile.snap_distance, profile.hide_pointer) == (30, False)
    dwelling = AccessProfile(scan_mode="dwell", dwell_time=9, pause_after_select=0.7)
    assert dwelling.dwell_time == 3.0  # clamped into 0.5-3 s
    assert dwelling.scan_settings().mode == "off"  # the scanner rests while pointing
    settings = dwelling.dwell_settings()
    assert (settings.dwell_time, settings.pause_after_choice) == (3.0, 0.7)
