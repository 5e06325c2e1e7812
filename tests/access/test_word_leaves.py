"""Whole words in adaptive scanning: a prediction is one leaf of the Huffman code, weighted
by the model's probability of the whole word."""

from __future__ import annotations

from app.access.adaptive import AdaptiveScan, offered
from app.access.huffman import code_cost, huffman_code, key_probabilities
from app.access.prediction import Predictor
from app.access.profile import ScanSettings
from app.access.switches import Switch
from app.access.text_entry import KeyboardModel

VOCAB = {"support": 3.0, "super": 2.0, "supper": 1.0, "i": 9.0, "want": 5.0, "to": 8.0}


def sure_model() -> KeyboardModel:
    predictor = Predictor(VOCAB, base_weight=10.0)
    for _ in range(30):
        predictor.learn("I want support.")
    model = KeyboardModel(predictor, "frequency", 5, text="I want sup")
    return model


def test_a_word_the_model_is_sure_of_costs_one_code():
    model = sure_model()
    assert model.words[0] == "support"
    codes = huffman_code(offered(key_probabilities(model)))
    assert codes["prediction:1"] == "1"  # the first set offered is the word alone
    assert code_cost(codes["prediction:1"]).act_one == 1


def test_choosing_the_word_by_switch_types_it_with_its_space_and_undo_takes_it_back_whole():
    model = sure_model()
    chosen: list[str] = []
    shown: list[frozenset[str]] = []
    scan = AdaptiveScan(ScanSettings(step_time=1.0, acceptance_time=0.0), shown.append, chosen.append)
    scan.start(key_probabilities(model), now=0.0)
    assert shown[-1] == {"prediction:1"}  # the keyboard highlights the word's tile as it does a key's
    scan.press(Switch.ONE, now=0.5)
    assert chosen == ["prediction:1"]
    model.press(chosen[0])
    assert model.state.text == "I want support "
    model.press("undo")
    assert model.state.text == "I want sup"
