"""Smoke tests of the text-entry benchmark on a short built-in text and a tiny vocabulary."""

from __future__ import annotations

import json

import pytest

from app.access.prediction import Predictor
from app.access.text_entry import KeyboardModel
from bench import text_entry as bench

TEXT = """I want my carers to ask me first.
My support plan should be about what I want to do, not only about my care.
I want to go to college and see my friends.
When my carer is late I cannot get up, and I miss my bus to college.
Good support means I can plan my day.
I want to choose my own staff and my own hours.
"""
WORDS = " ".join((
    "the to and of a in i is for that you it on with this was be as are have at not but from my or "
    "we all so they me if one can will just like about up out what when more do no who time want go "
    "see get day own first only plan should be friends college support care carer carers staff hours "
    "choose late cannot miss bus good means ask",
)).split()
VOCAB = {w: 1.0 / (rank + 10) for rank, w in enumerate(WORDS)}


@pytest.fixture(scope="module")
def result() -> dict:
    return bench.evaluate(TEXT, Predictor(VOCAB), step_time=1.0)


def test_every_method_is_measured(result):
    assert set(result["methods"]) == set(bench.METHODS)
    for m in result["methods"].values():
        assert set(m) == {"steps_per_char", "act1_per_char", "act2_per_char", "kspc",
                          "keystroke_savings", "cpm", "words_in_code"}
        assert m["steps_per_char"] > 0 and m["cpm"] > 0
        assert m["keystroke_savings"] == pytest.approx(1 - m["kspc"])
    assert result["chars"] == len(bench.prepare(TEXT, KeyboardModel(Predictor()))[0])
    json.dumps(result)


def test_steps_fall_from_alphabetical_to_frequency_to_predictions(result):
    m = {name: v["steps_per_char"] for name, v in result["methods"].items()}
    assert m["alphabetical"] > m["frequency"] > m["frequency+1"] > m["frequency+5"]
    assert m["adaptive"] < m["frequency"]
    assert result["methods"]["frequency+5"]["kspc"] < result["methods"]["frequency"]["kspc"] <= 1.05
    one = {name: v["act1_per_char"] for name, v in result["methods"].items()}
    assert one["frequency+5"] < one["frequency"] < 2.0
    assert result["methods"]["alphabetical"]["act2_per_char"] == pytest.approx(m["alphabetical"])


def test_cross_entropy_is_finite_and_positive(result):
    assert 0.5 < result["cross_entropy_bits_per_char"] < 6


def test_prepare_joins_lines_and_plain_typography():
    model = KeyboardModel(Predictor())
    text, dropped = bench.prepare("It\u2019s fine.\n\nReally \u2014 caf\u00e9", model)
    assert text == "It's fine. Really - caf "
    assert dropped == 1


@pytest.mark.parametrize("scoring", ["rowcol", "huffman", "keys"])
def test_the_simulated_user_types_the_text_exactly(scoring):
    model = KeyboardModel(Predictor(VOCAB), "frequency", 5)
    target, _ = bench.prepare("Hi NHS, I'm Sam (aged 20). I want: care!\nOk? Yes.", model)
    tally = bench.SimulatedUser(target, model, scoring).run()
    assert model.state.text == target
    if scoring == "keys":
        assert 0 < tally.keys < len(target) and tally.steps == 0
    else:
        assert tally.steps > 0 and tally.act1 > 0 and tally.act2 > 0


def test_predict_latency_report():
    lat = bench.predict_latency(Predictor(VOCAB), TEXT)
    assert lat["calls"] == len(TEXT) + 3000 and lat["predict_p95_ms"] < 50
    assert lat["vocabulary"] >= len(VOCAB)


def test_command_line_json(tmp_path, capsys, monkeypatch):
    path = tmp_path / "text.txt"
    path.write_text(TEXT, encoding="utf-8")
    monkeypatch.setattr(bench, "WordfreqSource", lambda n: VOCAB)
    # (words asked of pocketsphinx: no trigram index, which a fresh machine would spend 30 s making)
    assert bench.main(["--text", str(path), "--json", "--pairs", "none", "--trigrams", "words",
                       "--predict-latency"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["methods"]) == set(bench.METHODS) and out["pairs"] is None
    assert out["prediction_ms_p95"] == out["latency"]["predict_p95_ms"] >= 0
    assert out["methods"]["adaptive"]["words_in_code"] > 0  # words were chosen whole
    assert out["methods"]["frequency"]["words_in_code"] == 0  # no prediction row, no words
    assert bench.main(["--text", str(path), "--pairs", "none", "--trigrams", "none"]) == 0
    report = capsys.readouterr().out
    assert "frequency+5" in report and "bits per character" in report and "shift" in report
