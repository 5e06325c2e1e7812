"""The dwell bench runs the real screens and reports its figures (a smoke test: the
targets themselves are the bench's to report, with the full run)."""

from __future__ import annotations

import json
import math

from bench import dwell

KEYS = {"seconds_per_selection", "p90_seconds_per_selection", "selections",
        "wrong_selections_per_100", "missed", "midas_per_minute"}


def test_a_short_run_chooses_what_was_planned(qapp):
    results = dwell.run(reps=1, reading=6.0, jitters=(20,))
    assert list(results) == ["20"]
    figures = results["20"]
    assert set(figures) == KEYS
    assert figures["selections"] >= 4  # add keyword, letters or a prediction, done, me too, ...
    assert figures["wrong_selections_per_100"] == 0 and figures["missed"] == 0
    assert 1.0 < figures["seconds_per_selection"] < 3.0  # a dwell takes at least its 1 s
    assert math.isfinite(figures["midas_per_minute"])
    assert set(dwell.met(results)) == {"seconds_20"}


def test_command_line_prints_the_json_shape(qapp, capsys):
    status = dwell.main(["--json", "--reps", "1", "--reading", "2", "--jitters", "0"])
    printed = json.loads(capsys.readouterr().out)
    assert list(printed) == ["jitter_px"] and list(printed["jitter_px"]) == ["0"]
    assert set(printed["jitter_px"]["0"]) == KEYS
    assert status in (0, 1)
