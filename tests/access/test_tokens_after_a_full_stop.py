"""Text as people write it: "e.g.", "2.5", "10.30" and web addresses type as written on the
keyboard model with no extra key, while a sentence end keeps its space and capital."""

from __future__ import annotations

import string

import pytest

from app.access.keyboard_layout import Key
from app.access.prediction import Predictor
from app.access.text_entry import KeyboardModel, continues_token
from bench import text_entry as bench


def press_keys(text: str, start: str = "") -> KeyboardModel:
    """Press one key per character of *start* + *text* as a switch user would: Space for " ",
    except the one after ``. , ; : ! ?``, which the keyboard adds by itself (so "b.  x" is the
    automatic space and then a Space pressed); capitals come from the keyboard's own rules."""
    model = KeyboardModel(Predictor(), "frequency", 0, learn="off")
    typed = start + text
    for i, ch in enumerate(typed):
        if ch == " " and i and typed[i - 1] in ".,;:!?":
            continue
        model.press("space" if ch == " " else Key(f"char:{ch}", ch, "char", ch))
    return model


@pytest.mark.parametrize("written", ["e.g.", "i.e.", "2.5", "10.30", "www.example.org", "Don't.",
                                     "End. Next"])
def test_typed_mid_sentence_as_written(written):
    model = press_keys(written.lower() if written[0] in "ei2w1" else written, start="see ")
    assert model.state.final_text() == "See " + written


@pytest.mark.parametrize("written", ["2.5", "10.30", "Don't.", "End. Next"])
def test_typed_at_the_start_as_written(written):
    assert press_keys(written.lower() if written != "Don't." else written).state.final_text() == written


def test_a_sentence_end_keeps_its_space_and_capital():
    written = press_keys("it helps, e.g. then it works. so").state.final_text()
    assert written == "It helps, e.g. Then it works. So"
    assert press_keys("step 3. then").state.final_text() == "Step 3. Then"
    assert press_keys("it was i.").state.final_text() == "It was I."


def test_space_first_keeps_the_space_after_a_one_letter_word():
    assert press_keys("plan b. then").state.final_text() == "Plan b.then"
    assert press_keys("plan b.  then").state.final_text() == "Plan b. Then"


def test_the_rule_itself():
    assert continues_token("see e. ", "g") and continues_token("at www. ", "e")
    assert continues_token("at www.example. ", "o") and continues_token("it is 2. ", "5")
    assert not continues_token("the end. ", "n") and not continues_token("e.g. ", "t")
    assert not continues_token("step 3. ", "t") and not continues_token("see e. ", ",")


def test_undo_takes_a_joined_letter_back_to_the_space():
    model = press_keys("e.g", start="see ")
    assert model.state.text == "See e.g"
    model.press("undo")
    assert model.state.text == "See e. "


def test_the_benchmark_types_every_printable_ascii_character():
    printable = "".join(c for c in string.printable if c not in "\t\n\r\x0b\x0c")
    text = (f"{printable} End. Next e.g. this, i.e. that: 2.5 at 10.30 on www.example.org. "
            "a,b x.y Plan b. Then")
    for scoring in ("rowcol", "huffman", "keys"):
        model = KeyboardModel(Predictor({"the": 1.0, "this": 0.5, "that": 0.4}), "frequency", 5)
        target, dropped = bench.prepare(text, model)
        assert dropped == 0
        tally = bench.SimulatedUser(target, model, scoring).run()
        assert model.state.text == target
        assert (tally.keys if scoring == "keys" else tally.steps) > 0
