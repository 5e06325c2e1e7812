"""Adaptive (Huffman) scanning with switch timing, on a manual clock."""

from __future__ import annotations

from app.access.adaptive import MORE, AdaptiveScan
from app.access.huffman import huffman_code
from app.access.profile import ScanSettings
from app.access.switches import Switch

ODDS = {"e": 0.4, "t": 0.2, "a": 0.15, "o": 0.1, "space": 0.15}


class Recorder:
    def __init__(self):
        self.shown: list[frozenset[str]] = []
        self.chosen: list[str] = []


def _scan(**settings) -> tuple[AdaptiveScan, Recorder]:
    rec = Recorder()
    base = {"mode": "auto", "step_time": 1.0, "first_item_extra": 0.5, "ignore_repeat": 0.1}
    scan = AdaptiveScan(ScanSettings(**{**base, **settings}), rec.shown.append, rec.chosen.append)
    return scan, rec


def _select(scan: AdaptiveScan, rec: Recorder, key: str, now: float) -> tuple[float, int, int]:
    """Wait or press until `key` is chosen; returns the time, steps waited and presses."""
    steps = presses = 0
    while not rec.chosen:
        if key in scan.highlighted:
            now += 0.2
            scan.press(Switch.ONE, now)
            scan.release(Switch.ONE, now + 0.05)
            presses += 1
        else:
            now = scan.next_deadline()
            scan.tick(now)
            steps += 1
    return now, steps, presses


def test_every_key_can_be_chosen_with_one_switch():
    keys = [*ODDS, MORE]
    for key in keys:
        scan, rec = _scan()
        scan.start(ODDS, 0.0)
        _select(scan, rec, key, 0.0)
        assert rec.chosen == [key]
        assert not scan.active


def test_likely_keys_cost_less():
    code = huffman_code({**ODDS, MORE: 0.01})
    costs = {}
    for key in ODDS:
        scan, rec = _scan()
        scan.start(ODDS, 0.0)
        _, steps, presses = _select(scan, rec, key, 0.0)
        costs[key] = steps + presses
    assert costs["e"] <= min(costs.values())
    assert costs["o"] >= costs["e"]
    assert len(code["e"]) <= len(code["o"])


def test_steps_are_absolute_and_the_first_set_gets_extra_time():
    scan, rec = _scan()
    scan.start(ODDS, 10.0)
    assert scan.next_deadline() == 11.5
    scan.tick(11.54)  # a late tick
    assert scan.next_deadline() == 12.5  # counted from when it was due, not from the tick


def test_two_switches_say_no_and_yes_without_waiting():
    scan, rec = _scan(mode="step")
    scan.start(ODDS, 0.0)
    assert scan.next_deadline() is None
    now = 0.0
    while not rec.chosen:
        now += 0.3
        switch = Switch.TWO if "o" in scan.highlighted else Switch.ONE
        scan.press(switch, now)
        scan.release(switch, now + 0.05)
    assert rec.chosen == ["o"]


def test_repeats_and_short_presses_are_ignored():
    scan, rec = _scan(acceptance_time=0.3)
    scan.start(ODDS, 0.0)
    before = scan.highlighted
    scan.press(Switch.ONE, 0.1)
    scan.release(Switch.ONE, 0.2)  # too short
    assert rec.chosen == [] and scan.highlighted == before
    scan.press(Switch.ONE, 0.3)
    assert scan.next_deadline() == 0.6  # acceptance deadline comes first
    scan.tick(0.6)
    assert rec.chosen or scan.highlighted != before


def test_a_press_held_across_a_step_counts_for_the_set_it_was_made_on():
    scan, rec = _scan(acceptance_time=0.2, first_item_extra=0.0)
    scan.start(ODDS, 0.0)
    shown = scan.highlighted
    scan.press(Switch.ONE, 0.9)  # the step is due at 1.0, the press is accepted at 1.1
    assert scan.next_deadline() == 1.1  # no step while the press is being held
    scan.tick(1.0)
    assert scan.highlighted == shown
    scan.tick(1.1)
    assert rec.chosen or scan.highlighted < shown  # a "yes" to the set it was pressed on


def test_the_first_press_after_adaptive_scanning_stopped_is_not_lost():
    scan, rec = _scan()
    scan.start(ODDS, 0.0)
    scan.press(Switch.ONE, 0.2)
    while not rec.chosen:  # keep saying "yes" to whatever is shown: a selection ends it
        now = 0.2 + 0.3 * len(rec.shown)
        scan.release(Switch.ONE, now)
        scan.press(Switch.ONE, now + 0.15)
    assert not scan.active  # the release of the choosing press goes to the row scanner
    scan.start(ODDS, 10.0)
    first = scan.highlighted
    scan.press(Switch.ONE, 10.2)
    assert rec.chosen[1:] or scan.highlighted != first  # this press was heard
