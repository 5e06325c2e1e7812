"""Tests for the scanner engine (app.access.scanner); the clock is plain floats.

Structure and modes live here; timing options are in test_scanner_timing.py.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.access.profile import AccessProfile, ScanSettings
from app.access.scanner import Scanner
from tests.access.scan_helpers import (
    BASE,
    ONE,
    TWO,
    Recorder,
    click,
    group,
    item,
    key,
    make,
    make_tree,
    run_until_rest,
)


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
