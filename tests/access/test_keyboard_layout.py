"""Keyboard layouts and scan costs, the text model, the keyboard model and Huffman scanning."""

from __future__ import annotations

import math
import string
from pathlib import Path

import pytest

from app.access.huffman import CodeCost, HuffmanScan, code_cost, huffman_code, key_probabilities
from app.access.keyboard_layout import (
    KEY_KINDS,
    LAYOUT_NAMES,
    Key,
    expected_steps,
    get_layout,
    key_costs,
    rows_for,
    scan_cost,
    scan_nodes,
)
from app.access.prediction import Predictor
from app.access.scan_tree import ScanLevels
from app.access.text_entry import KeyboardModel, TextState, split_context

ENGLISH = {" ": 18.3, "e": 9.8, "t": 7.5, "a": 6.7, "o": 6.5, "i": 6.0, "n": 5.7, "s": 5.2, "r": 4.9,
           "h": 4.1, "l": 3.4, "d": 3.0, "c": 2.4, "u": 2.4, "m": 2.1, "f": 1.8, "g": 1.7, "y": 1.7,
           "p": 1.6, "w": 1.6, "b": 1.3, "v": 0.9, "k": 0.7, "j": 0.2, "x": 0.2, "q": 0.1, "z": 0.1}
VOCAB = {"the": 500, "then": 40, "they": 80, "this": 120, "that": 200, "to": 400, "and": 380,
         "a": 350, "i": 300, "it": 150, "is": 160, "in": 250, "care": 8, "carer": 1, "social": 6,
         "support": 7, "help": 15, "my": 60, "me": 55, "want": 25, "good": 20}


def key_probs(layout: str) -> dict[str, float]:
    return {("space" if ch == " " else f"char:{ch}"): p for ch, p in ENGLISH.items()}


# ------------------------------------------------------------------ layouts
@pytest.mark.parametrize("name", LAYOUT_NAMES)
def test_every_layout_has_every_key(name):
    layout = get_layout(name)
    letters = [k for row in layout.rows("letters") for k in row]
    texts = {k.text for k in letters if k.kind == "char"}
    assert set(string.ascii_lowercase) | {".", ",", "'"} <= texts
    kinds = {k.kind for k in letters}
    assert kinds == set(KEY_KINDS) - {"prediction"}
    symbols = [k for row in layout.rows("symbols") for k in row]
    assert set(string.digits) | set("?!-:;()") <= {k.text for k in symbols}
    assert any(k.id == "page:letters" for k in symbols)
    for page in ("letters", "symbols"):
        ids = [k.id for row in layout.rows(page) for k in row]
        assert len(ids) == len(set(ids))


def test_keys_validate_their_kind_and_speak():
    assert get_layout("frequency").key("char:.").spoken == "full stop"
    assert get_layout("qwerty").key("space").label == "space"
    with pytest.raises(ValueError):
        Key("x", "x", "nonsense")
    with pytest.raises(ValueError):
        get_layout("dvorak")
    with pytest.raises(KeyError):
        get_layout("frequency").key("char:é")


def test_rows_for_puts_the_prediction_row_first():
    rows = rows_for("frequency", predictions=5, words=["the", "to"])
    assert [k.id for k in rows[0]] == [f"prediction:{i}" for i in range(1, 6)]
    assert [k.text for k in rows[0]] == ["the", "to", "", "", ""]
    assert rows[1] == get_layout("frequency").rows()[0]
    assert rows_for("frequency", predictions=0) == get_layout("frequency").rows()
    assert len(rows_for("alphabetical", predictions=9)[0]) == 6
    assert rows_for("qwerty", "symbols", predictions=0)[0][0].text == "?"


def test_frequency_layout_puts_common_letters_in_cheap_cells():
    rows = rows_for("frequency")
    costs = key_costs(rows)
    assert rows[0][0].kind == "space" and costs["space"].steps == 2
    order = sorted(ENGLISH, key=ENGLISH.get, reverse=True)
    steps = [costs["space" if ch == " " else f"char:{ch}"].steps for ch in order]
    assert steps == sorted(steps)  # commoner never costs more
    assert rows[-1][0].kind == "backspace"  # commands in the last row
    freq = expected_steps(rows, key_probs("frequency"))
    alpha = expected_steps(rows_for("alphabetical"), key_probs("alphabetical"))
    qwerty = expected_steps(rows_for("qwerty"), key_probs("qwerty"))
    assert freq < 4.5 < alpha < qwerty
    assert expected_steps(rows, {}) == 0.0


def test_scan_cost_counts_steps_and_activations():
    cost = scan_cost(2, 3)
    assert (cost.steps, cost.act_one, cost.act_two) == (5, 2, 5)
    assert scan_cost(1, 1).act_two == 2
    with pytest.raises(ValueError):
        scan_cost(0, 1)
    with_predictions = key_costs(rows_for("frequency", predictions=5))
    assert with_predictions["prediction:1"].steps == 2
    assert with_predictions["space"].steps == 3  # one row further down


def test_scan_nodes_feed_the_scanner():
    rows = rows_for("frequency", predictions=3)
    nodes = scan_nodes(rows, words=["hello"])
    levels = ScanLevels()
    levels.load(nodes, "row-column")
    assert [n.label for n in levels.nodes][0] == "predictions"
    levels.enter(nodes[0])
    assert [n.key for n in levels.nodes] == ["prediction:1", "prediction:2", "prediction:3", "row:1/back"]
    assert levels.nodes[0].label == "hello" and levels.nodes[1].label == "no prediction"
    assert levels.find("char:e")


def test_app_access_keyboard_modules_do_not_use_qt():
    root = Path(__file__).resolve().parents[2] / "app" / "access"
    for name in ("keyboard_layout.py", "prediction.py", "text_entry.py", "huffman.py"):
        assert "PySide6" not in (root / name).read_text(encoding="utf-8")


# --------------------------------------------------------------- TextState
def typed(state: TextState, text: str) -> TextState:
    for ch in text:
        state.space() if ch == " " else state.type_char(ch)
    return state


def test_sentence_starts_are_capitalised_and_shift_flips_case():
    state = typed(TextState(), "hello there. it works! ok")
    assert state.text == "Hello there. It works! Ok"
    state = TextState()
    state.toggle_shift()
    typed(state, "ebay")
    assert state.text == "ebay"
    state.space()
    state.toggle_shift()
    typed(state, "sam")
    assert state.text == "ebay Sam"


def test_i_is_capitalised_when_the_word_is_finished():
    state = typed(TextState(), "yes i think i'm in, is it")
    assert state.text == "Yes I think I'm in, is it"


def test_punctuation_adds_a_space_and_replaces_an_automatic_one():
    state = typed(TextState(), "care,")
    assert state.text == "Care, " and state.auto_space
    state.insert_prediction("support")
    state.type_char(".")
    assert state.text == "Care, support. "
    assert state.final_text() == "Care, support."
    state = typed(TextState(), "it costs 3.5")
    assert state.text == "It costs 3.5"


def test_backspace_delete_word_clear_and_undo():
    state = typed(TextState(), "good care plan")
    assert state.backspace() and state.text == "Good care pla"
    assert state.delete_word() and state.text == "Good care "
    assert state.delete_word() and state.text == "Good "
    state.undo()
    assert state.text == "Good care "
    assert state.clear() and state.text == ""
    assert state.undo() and state.text == "Good care "
    state = TextState()
    assert not state.backspace() and not state.delete_word() and not state.clear() and not state.undo()
    state = typed(TextState(), "wait...")
    assert state.delete_word() and state.text == "Wait"


def test_prediction_replaces_the_partial_word_keeping_capitals():
    state = typed(TextState(), "so")
    state.insert_prediction("social")
    assert state.text == "Social " and state.cursor == 7
    typed(state, "CA")
    assert state.preview_prediction("care") == "CARE"
    state.insert_prediction("care")
    assert state.text == "Social CARE "
    state.insert_prediction("i'm")
    assert state.text == "Social CARE I'm "
    assert state.undo() and state.text == "Social CARE "


def test_prediction_at_the_cursor_keeps_the_rest():
    state = TextState("my  day", cursor=3)
    state.insert_prediction("good")
    assert state.text == "my good day" and state.cursor == 8


def test_split_context():
    ctx = split_context("I want social ca")
    assert (ctx.previous, ctx.prefix, ctx.after) == ("social", "ca", " ")
    assert split_context("Done. N").previous == "<s>"
    assert split_context("").previous == "<s>" and split_context("").after == ""
    assert split_context("it's. ").after == " "
    assert split_context("end.").after == "." and split_context("end.").prefix == ""
    assert split_context("I don\u2019").prefix == "don'"


# ----------------------------------------------------------- KeyboardModel
def test_keyboard_model_types_predicts_and_learns():
    model = KeyboardModel(Predictor(VOCAB), "frequency", predictions=3)
    assert model.predictions == ["The", "To", "And"]
    assert [k.label for k in model.rows()[0]] == ["The", "To", "And"]
    for key in ("char:m", "char:y", "space", "char:c"):
        model.press(key)
    assert model.state.text == "My c"
    assert model.words[0] == "care"
    model.press("prediction:1")
    assert model.state.text == "My care "
    assert model.predictor.probability("care", "my") > Predictor(VOCAB).probability("care", "my")
    model.press("char:.")
    assert model.state.text == "My care. "
    assert model.press("speak") == "speak" and model.press("done") == "done"


def test_keyboard_model_takes_physical_keys():
    model = KeyboardModel(Predictor(VOCAB), "qwerty", predictions=5)
    model.type_text("my NHS carer~ ok")
    assert model.state.text == "My NHS carer~ ok"
    model.press("prediction:1")
    assert model.state.text.startswith("My NHS carer~ ok")


def test_keyboard_model_symbols_page_is_one_shot():
    model = KeyboardModel(Predictor(VOCAB), "qwerty", predictions=2)
    model.press("page:symbols")
    assert model.page == "symbols" and model.rows()[0][0].kind == "char"  # no prediction row
    model.press(model.layout.key("char:?"))
    assert model.page == "letters" and model.state.text == "? "


def test_passed_over_predictions_are_not_shown_again():
    model = KeyboardModel(Predictor(VOCAB), "frequency", predictions=2)
    start = list(model.words)
    model.press("char:t")
    first = list(model.words)
    model.press("char:h")
    assert not set(first) & set(model.words) and model.passed == frozenset(start + first)
    model.press("backspace")
    assert model.passed == frozenset()


def test_learn_done_mode_and_validation():
    predictor = Predictor(VOCAB)
    model = KeyboardModel(predictor, learn="done")
    for ch in "zebra":
        model.press(f"char:{ch}")
    model.press("space")
    assert predictor.predict("zeb", None, 1) == []
    model.press("done")
    assert predictor.predict("zeb", None, 1) == ["zebra"]
    with pytest.raises(ValueError):
        KeyboardModel(predictor, learn="sometimes")


# ----------------------------------------------------------------- Huffman
def test_huffman_code_is_prefix_free_and_near_the_entropy():
    probs = key_probs("frequency")
    total = sum(probs.values())
    probs = {k: v / total for k, v in probs.items()}
    code = huffman_code(probs)
    words = sorted(code.values())
    assert all(not b.startswith(a) for a, b in zip(words, words[1:], strict=False))
    huff = sum(p * code_cost(code[k]).steps for k, p in probs.items())
    entropy = -sum(p * math.log2(p) for p in probs.values())
    assert entropy <= huff < entropy + 0.5


def test_huffman_beats_row_column_when_the_context_is_known():
    dist = Predictor(VOCAB).letter_distribution("th", None)
    probs = {("space" if ch == " " else f"char:{ch}"): p for ch, p in dist.items()}
    rows = rows_for("frequency")
    probs = {k: p for k, p in probs.items() if k in key_costs(rows)}
    code = huffman_code(probs)
    huff = sum(p * code_cost(code[k]).steps for k, p in probs.items()) / sum(probs.values())
    assert huff < 2.5 < expected_steps(rows, probs)
    assert huffman_code({"only": 1.0, "never": 0.0}) == {"only": "1"}
    assert huffman_code({}) == {}


def test_code_cost_model():
    assert code_cost("1") == CodeCost(1, 1, 1)
    one, three = code_cost("01"), code_cost("100")
    assert (one.steps, one.act_one, one.act_two) == (2, 1, 2)
    assert (three.steps, three.act_one, three.act_two) == (4, 2, 3)  # a lone key is confirmed


def test_huffman_scan_selects_with_yes_and_no():
    probs = {"a": 0.5, "b": 0.3, "c": 0.15, "d": 0.05}
    code = huffman_code(probs)
    for target, bits in code.items():
        scan = HuffmanScan(probs)
        for bit in bits:
            assert (target in scan.highlighted()) == (bit == "1")
            scan.yes() if bit == "1" else scan.no()
        if bits.endswith("0"):
            assert scan.selected is None and scan.highlighted() == frozenset({target})
            scan.yes()
        assert scan.selected == target
    scan = HuffmanScan(probs)
    for bit in code["d"]:
        scan.yes() if bit == "1" else scan.no()
    if scan.selected is None:
        scan.no()  # not wanted after all: start again
        assert set(scan.candidates()) == set(probs)


def test_two_switch_huffman_scan_needs_no_confirmation():
    probs = {"a": 0.5, "b": 0.3, "c": 0.2}
    code = huffman_code(probs)
    target = next(k for k, bits in code.items() if bits.endswith("0"))
    scan = HuffmanScan(probs, confirm_last=False)
    for bit in code[target]:
        scan.yes() if bit == "1" else scan.no()
    assert scan.selected == target


def test_key_probabilities_cover_every_key():
    model = KeyboardModel(Predictor(VOCAB), "frequency", predictions=5)
    model.press("char:c")
    probs = key_probabilities(model)
    assert math.isclose(sum(probs.values()), 1.0)
    keys = [k for row in model.rows() for k in row if k.kind != "prediction" or k.text]
    assert {k.id for k in keys} == set(probs)
    assert probs["char:a"] > probs["char:q"] and probs["prediction:1"] > probs["backspace"]
    model.press("page:symbols")
    assert math.isclose(sum(key_probabilities(model).values()), 1.0)


def test_passed_over_words_give_their_share_to_the_words_still_offered():
    predictor = Predictor(VOCAB)
    plain = predictor.completion_probabilities("th", None, ["then"])["then"]
    passed = predictor.completion_probabilities("th", None, ["then"], passed=["the", "that"])["then"]
    mass_left = 1 - sum(predictor.completion_probabilities("th", None, ["the", "that"]).values())
    assert passed == pytest.approx(plain / mass_left)
    model = KeyboardModel(Predictor(VOCAB), "frequency", predictions=1)
    model.press("char:t")
    model.press("char:h")  # the word shown after "t" was passed over
    assert model.passed
    probs = key_probabilities(model)
    assert math.isclose(sum(probs.values()), 1.0) and probs["prediction:1"] > 0
