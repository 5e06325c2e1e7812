"""Tests for the scanner engine (app.access.scanner); the clock is plain floats."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.access.profile import AccessProfile, ScanSettings
from app.access.scan_tree import ScanListener, ScanNode
from app.access.scanner import Scanner
from app.access.switches import Switch

ONE, TWO = Switch.ONE, Switch.TWO
item, group = ScanNode.item, ScanNode.group


class Recorder(ScanListener):
    """Records every listener call as a tuple."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def on_highlight(self, node, is_group, path):
        self.events.append(("highlight", node.key, is_group, path))

    def on_select(self, node):
        self.events.append(("select", node.key))

    def on_enter_group(self, node):
        self.events.append(("enter", node.key))

    def on_rest(self):
        self.events.append(("rest",))

    def on_wake(self):
        self.events.append(("wake",))

    def on_stop(self):
        self.events.append(("stop",))

    def kinds(self) -> list[str]:
        return [e[0] for e in self.events]

    def selected(self) -> list[str]:
        return [e[1] for e in self.events if e[0] == "select"]


def make_tree() -> list[ScanNode]:
    return [
        group("r1", "Row one", [item("a", "A"), item("b", "B")]),
        group("r2", "Row two", [item("c", "C"), group("g", "G", [item("d", "D")])]),
        item("x", "X"),
    ]


# Binary-exact timings so most deadlines can be compared with ==.
BASE = dict(
    mode="auto", step_time=1.0, first_item_extra=0.5, acceptance_time=0.0,
    ignore_repeat=0.0, pause_after_select=0.0, loops_before_rest=10,
)


def make(now: float = 0.0, tree: list[ScanNode] | None = None, **kw) -> tuple[Scanner, Recorder]:
    rec = Recorder()
    scanner = Scanner(ScanSettings(**{**BASE, **kw}), rec)
    scanner.set_tree(make_tree() if tree is None else tree, now)
    return scanner, rec


def key(scanner: Scanner) -> str | None:
    node = scanner.highlighted
    return None if node is None else node.key


def click(scanner: Scanner, switch: Switch, t: float, length: float = 0.0625) -> None:
    scanner.press(switch, t)
    scanner.release(switch, t + length)


# ------------------------------------------------------------------ auto mode
def test_auto_steps_with_exact_deadlines_and_wraps():
    s, rec = make()
    assert rec.events == [("highlight", "r1", True, ("r1",))]
    assert s.next_deadline() == 1.5  # first item: step_time + first_item_extra
    s.tick(1.4)
    assert key(s) == "r1"
    s.tick(1.5)
    assert key(s) == "r2" and s.next_deadline() == 2.5
    s.tick(2.5)
    assert key(s) == "x" and s.next_deadline() == 3.5
    assert rec.events[-1] == ("highlight", "x", False, ("x",))
    s.tick(3.5)
    assert key(s) == "r1" and s.next_deadline() == 5.0  # wrapped, extra again


def test_auto_enter_group_back_returns_to_group():
    s, rec = make()
    click(s, ONE, 0.25)
    assert rec.events[-2:] == [("enter", "r1"), ("highlight", "a", False, ("r1", "a"))]
    assert [n.key for n in s.level] == ["a", "b", "r1/back"]
    assert s.next_deadline() == 1.75
    s.tick(1.75)
    s.tick(2.75)
    assert key(s) == "r1/back" and s.highlighted.is_back
    assert s.highlighted.label == "Back"
    assert s.highlighted_path == ("r1", "r1/back")
    click(s, ONE, 3.0)
    assert key(s) == "r1" and s.highlighted_path == ("r1",)
    assert "select" not in rec.kinds()
    assert s.next_deadline() == 4.5


def test_nested_group_back_highlights_inner_group():
    s, rec = make()
    s.tick(1.5)
    click(s, ONE, 2.0)  # enter r2 -> c
    s.tick(3.5)  # g
    click(s, ONE, 4.0)  # enter g -> d
    assert s.highlighted_path == ("r2", "g", "d")
    s.tick(5.5)  # g/back
    click(s, ONE, 6.0)
    assert key(s) == "g" and s.highlighted_path == ("r2", "g")
    assert rec.events[-1] == ("highlight", "g", True, ("r2", "g"))


def test_selecting_item_calls_on_select_and_restarts_top():
    s, rec = make()
    click(s, ONE, 0.0)  # enter r1
    s.tick(1.5)  # b
    click(s, ONE, 2.0)
    assert rec.selected() == ["b"]
    assert rec.events[-2:] == [("select", "b"), ("highlight", "r1", True, ("r1",))]
    assert s.next_deadline() == 3.5


def test_restart_stay_keeps_item():
    s, rec = make(restart_after_select="stay")
    s.tick(1.5)
    click(s, ONE, 2.0)  # r2 -> c
    s.tick(3.5)
    click(s, ONE, 4.0)  # g -> d
    click(s, ONE, 5.0)  # select d
    assert rec.selected() == ["d"]
    assert key(s) == "d" and s.highlighted_path == ("r2", "g", "d")
    assert rec.events[-1] == ("highlight", "d", False, ("r2", "g", "d"))
    assert s.next_deadline() == 6.5


def test_top_level_leaf_is_selected_directly():
    s, rec = make()
    s.tick(1.5)
    s.tick(2.5)
    click(s, ONE, 3.0)
    assert rec.selected() == ["x"] and key(s) == "r1"


def test_switch_two_ignored_in_auto():
    s, rec = make()
    click(s, TWO, 0.5)
    assert key(s) == "r1" and len(rec.events) == 1 and s.next_deadline() == 1.5


def test_key_autorepeat_down_is_ignored():
    s, rec = make()
    s.press(ONE, 0.0)  # enters r1
    s.press(ONE, 0.03)  # OS auto-repeat: no second select
    s.release(ONE, 0.5)
    assert key(s) == "a" and rec.kinds().count("enter") == 1


def test_linear_layout_walks_all_leaves():
    s, rec = make(layout="linear")
    assert [n.key for n in s.level] == ["a", "b", "c", "d", "x"]
    assert rec.events == [("highlight", "a", False, ("r1", "a"))]
    for t in (1.5, 2.5, 3.5):
        s.tick(t)
    assert key(s) == "d" and s.highlighted_path == ("r2", "g", "d")
    click(s, ONE, 4.0)
    assert rec.selected() == ["d"] and key(s) == "a"
    assert not any(n.is_back for n in s.level)


def test_empty_tree_and_empty_group():
    s, rec = make(tree=[])
    assert s.highlighted is None and s.next_deadline() is None and s.level == []
    click(s, ONE, 0.0)
    s.tick(5.0)
    assert rec.events == []
    s.set_tree([group("e", "Empty", [])], 6.0)
    click(s, ONE, 6.5)
    assert [n.key for n in s.level] == ["e/back"]


# ---------------------------------------------------------- step and hold
def test_step_mode_moves_and_selects_without_deadlines():
    s, rec = make(mode="step")
    assert s.next_deadline() is None
    s.tick(100.0)
    assert key(s) == "r1"
    click(s, ONE, 1.0)
    assert key(s) == "r2" and s.next_deadline() is None
    click(s, ONE, 2.0)
    click(s, ONE, 3.0)
    assert key(s) == "r1"  # wrapped
    click(s, TWO, 4.0)
    assert key(s) == "a" and ("enter", "r1") in rec.events
    click(s, ONE, 5.0)
    click(s, TWO, 6.0)
    assert rec.selected() == ["b"] and key(s) == "r1"
    s.tick(1000.0)
    assert not s.resting and key(s) == "r1"


def test_hold_mode_moves_while_held_and_selects_on_release():
    s, rec = make(mode="hold")
    assert s.next_deadline() is None
    s.press(ONE, 1.0)
    assert s.holding and key(s) == "r1"  # stays put on press
    assert s.next_deadline() == 2.5
    s.tick(2.5)
    assert key(s) == "r2" and s.next_deadline() == 3.5
    s.release(ONE, 3.25)
    assert not s.holding and key(s) == "c" and ("enter", "r2") in rec.events
    assert s.next_deadline() is None
    s.press(ONE, 5.0)
    s.tick(6.5)  # d's group g
    s.release(ONE, 6.75)
    s.press(ONE, 7.0)
    s.release(ONE, 7.125)  # short hold (acceptance 0) selects at once
    assert rec.selected() == ["d"] and key(s) == "r1"


def test_hold_mode_short_hold_ignored_and_two_ignored():
    s, rec = make(mode="hold", acceptance_time=0.25)
    s.press(ONE, 1.0)
    assert s.next_deadline() == 1.25
    s.release(ONE, 1.2)
    assert key(s) == "r1" and not s.holding and len(rec.events) == 1
    assert s.next_deadline() is None
    click(s, TWO, 2.0, length=1.0)
    assert len(rec.events) == 1
    s.press(ONE, 3.0)
    s.tick(3.25)
    assert s.holding and s.next_deadline() == 4.75  # first move one interval after acceptance
    s.release(ONE, 3.5)
    assert key(s) == "a"


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


def run_until_rest(s: Scanner, limit: int = 100) -> list[float]:
    times = []
    for _ in range(limit):
        if s.resting:
            break
        t = s.next_deadline()
        times.append(t)
        s.tick(t)
    return times


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


# ---------------------------------------------------------------- set_tree
def test_set_tree_keep_key():
    s, rec = make()
    s.set_tree(make_tree(), 5.0, keep_key="b")
    assert key(s) == "b" and s.highlighted_path == ("r1", "b")
    assert [n.key for n in s.level] == ["a", "b", "r1/back"]
    assert s.next_deadline() == 6.0
    s.set_tree(make_tree(), 6.0, keep_key="g/back")
    assert s.highlighted_path == ("r2", "g", "g/back")
    s.set_tree(make_tree(), 7.0, keep_key="missing")
    assert key(s) == "r1"
    assert rec.events[-1] == ("highlight", "r1", True, ("r1",))


def test_set_tree_refresh_in_place_keeps_schedule():
    s, rec = make()
    s.tick(1.5)
    for t in (1.75, 2.0, 2.25):
        s.set_tree(make_tree(), t, keep_key="r2")
    assert key(s) == "r2" and s.next_deadline() == 2.5


def test_set_tree_rejects_bad_keys():
    s, _ = make()
    with pytest.raises(ValueError, match="used twice"):
        s.set_tree([item("a", "A"), item("a", "A again")], 0.0)
    with pytest.raises(ValueError, match="reserved"):
        s.set_tree([group("g", "G", [item("g/back", "Oops")])], 0.0)


def test_listener_may_replace_tree_from_on_select():
    class Navigator(Recorder):
        def on_select(self, node):
            super().on_select(node)
            scanner.set_tree([item("new1", "N1"), item("new2", "N2")], 9.0)

    rec = Navigator()
    scanner = Scanner(ScanSettings(**{**BASE, "pause_after_select": 0.25}), rec)
    scanner.set_tree(make_tree(), 0.0)
    scanner.tick(1.5)
    scanner.tick(2.5)
    click(scanner, ONE, 9.0)  # select x
    assert key(scanner) == "new1"
    assert rec.events[-2:] == [("select", "x"), ("highlight", "new1", False, ("new1",))]
    assert scanner.next_deadline() == 9.0 + 0.25 + 1.5  # pause still applies


def test_resting_scan_stays_resting_on_new_tree():
    s, rec = make(loops_before_rest=1)
    run_until_rest(s)
    s.set_tree(make_tree(), 10.0)
    assert s.resting and s.highlighted is None


# --------------------------------------------------------------------- off
def test_mode_off_is_inactive():
    s, rec = make(mode="off")
    assert s.highlighted is None and s.level == [] and s.highlighted_path == ()
    assert s.next_deadline() is None and rec.events == []
    click(s, ONE, 1.0)
    click(s, TWO, 2.0)
    s.tick(10.0)
    assert rec.events == [] and s.highlighted is None


def test_default_settings_and_profile_accepted():
    assert Scanner().mode == "auto"
    assert Scanner(AccessProfile()).mode == "off"
    with pytest.raises(TypeError):
        Scanner({"mode": "auto"})  # type: ignore[arg-type]


# ------------------------------------------------------------ property test
@settings(max_examples=300, deadline=None)
@given(
    mode=st.sampled_from(["auto", "step", "hold"]),
    layout=st.sampled_from(["row-column", "linear"]),
    acceptance=st.sampled_from([0.0, 0.25]),
    restart=st.sampled_from(["top", "stay"]),
    cue=st.booleans(),
    ops=st.lists(
        st.tuples(st.sampled_from(["press", "release", "tick", "cue"]),
                  st.sampled_from([ONE, TWO]), st.floats(0.0, 2.0)),
        max_size=60,
    ),
)
def test_random_operations_keep_invariants(mode, layout, acceptance, restart, cue, ops):
    s, rec = make(mode=mode, layout=layout, acceptance_time=acceptance,
                  restart_after_select=restart, wait_for_cue=cue, loops_before_rest=1)
    now = 0.0
    for op, switch, dt in ops:
        now += dt
        deadline = s.next_deadline()
        if op == "tick" and deadline is not None:
            now = max(now, deadline)
        if op in ("press", "release"):
            getattr(s, op)(switch, now)
        else:
            (s.tick if op == "tick" else s.cue_finished)(now)
        node = s.highlighted
        if s.resting:
            assert node is None and s.highlighted_path == ()
        else:
            assert node is not None and any(n is node for n in s.level)
            assert s.highlighted_path[-1] == node.key
    tree_leaves = {"a", "b", "c", "d", "x"}
    assert set(rec.selected()) <= tree_leaves
