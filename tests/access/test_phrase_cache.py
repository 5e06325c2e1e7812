"""The member's own word triples: what they wrote after two words comes back after those two
words, in the prediction row and in the letters, and nowhere else."""

from __future__ import annotations

import pytest

from app.access.phrase_cache import TripleCache
from app.access.prediction import Predictor
from app.access.text_entry import KeyboardModel

VOCAB = {"social": 4.0, "care": 6.0, "should": 5.0, "is": 9.0, "costs": 3.0, "car": 5.5, "my": 5.0,
         "your": 4.0}


def typed(text, gamma):
    model = KeyboardModel(Predictor(VOCAB, triple_backoff=gamma), "frequency", 2, learn="word")
    model.type_text(text)
    return model.words


def test_what_followed_two_words_before_is_offered_after_them_again():
    text = "My care is. Your care is. Social care should. Social care should. Social care "
    assert typed(text, 1e12)[0] == "is"  # without the triples: "care is" is the commoner pair
    assert typed(text, 10.0)[0] == "should"  # the member wrote "should" after "social care"
    assert typed(text + "should. My care ", 10.0)[0] == "is"  # after other words, the pairs


def test_the_letters_follow_the_same_triples():
    predictor = Predictor(VOCAB)
    before = predictor.letter_distribution("", "care", earlier="social")
    for word, previous in [("social", "<s>"), ("care", "social"), ("should", "care")]:
        predictor.learn_word(word, previous, " ")
    after = predictor.letter_distribution("", "care", earlier="social")
    assert after["s"] > before["s"] and after["i"] < before["i"]
    assert sum(after.values()) == pytest.approx(1.0)
    elsewhere = predictor.letter_distribution("", "care", earlier="my")
    assert elsewhere["s"] < after["s"]


def test_witten_bell_over_the_score_it_is_given():
    cache = TripleCache(gamma=2.0)
    cache.learn("social", "<s>")
    cache.learn("care", "social")
    cache.learn("should", "care")
    # one word seen once after "social care": T = 1, C = 1, so (1 + 2 q) / 3
    assert cache.adjust(0.1, "should", "care", "social") == pytest.approx((1 + 0.2) / 3)
    assert cache.adjust(0.1, "is", "care", "social") == pytest.approx(0.2 / 3)
    assert cache.adjust(0.1, "should", "care", "my") == 0.1  # another context: unchanged
    assert cache.words("sh", "care", "social") == ["should"]
    assert cache.copy_empty().words("", "care", "social") == []
