"""Word prediction: ranking, learning, sources, next words, quick-picks, letters, speed."""

from __future__ import annotations

import itertools
import math
import random
import statistics
import string
import time

import pytest

from app.access.prediction import (
    CHARSET,
    SENTENCE_START,
    Predictor,
    SymspellPairs,
    WordfreqSource,
    tokenize,
)

VOCAB = {  # occurrences per million words; "zq..." words stand for the rest of English
    "the": 50000, "then": 1500, "there": 2500, "they": 3500, "this": 5000, "that": 12000,
    "to": 26000, "and": 25000, "a": 21000, "i": 15000, "it": 11000, "is": 10000, "in": 17000,
    "car": 250, "card": 50, "care": 150, "carer": 2, "carry": 60, "social": 120, "support": 140,
    "work": 600, "want": 700, "help": 500, "my": 3000, "me": 3500, "personal": 100,
    "assistant": 40, "nhs": 10, "not": 5000,
}
VOCAB.update({"zq" + "".join(t): 100 for t in itertools.islice(itertools.product(string.ascii_lowercase,
                                                                                 repeat=3), 7800)})


def make(**settings: float) -> Predictor:
    return Predictor(VOCAB, **settings)


def test_predict_ranks_completions_by_probability():
    p = make()
    assert p.predict("th", None, 4) == ["the", "that", "this", "they"]
    assert p.predict("car", None, 5) == ["care", "carry", "card", "carer"]  # "car" itself is typed


def test_n_limits_and_zero():
    p = make()
    assert len(p.predict("", None, 3)) == 3
    assert p.predict("th", None, 0) == []
    assert p.predict("zzz", None, 5) == []


def test_prefix_case_and_curly_apostrophe_are_normalised():
    p = Predictor({"don't": 5, "done": 3})
    assert p.predict("Don\u2019", None, 2) == ["don't"]
    assert p.predict("DO", None, 2) == ["don't", "done"]
    assert Predictor({"mp3": 9, "map": 1, "x": 5}).predict("", None, 5) == ["map"]  # no digits, no "x"


def test_works_without_a_base_list():
    p = Predictor()
    assert p.predict("a", None, 5) == []
    p.learn("Apples and apricots. Apples again.")
    assert p.predict("ap", None, 5) == ["apples", "apricots"]
    assert p.vocabulary_size == 4


def test_learning_lifts_the_members_words():
    p = make()
    assert p.predict("car", None, 1) == ["care"]
    p.learn("My carer is kind. My carer helps me.")
    assert p.predict("car", None, 1) == ["carer"]


def test_learn_word_online():
    p = make()
    for _ in range(3):
        p.learn_word("carer", "my")
    assert p.predict("ca", "my", 1) == ["carer"]
    assert p.predict("", "my", 1) == ["carer"]


def test_project_words_rank_well_above_general_english():
    p = make()
    p.set_project_words(["Co-production means working together.", "We value co-production."])
    assert p.predict("c", None, 1) == ["co"]  # a hyphen splits words: "co", "production"
    assert p.predict("pro", None, 1) == ["production"]
    assert p.predict("val", None, 1) == ["value"]
    p.set_project_words(["Something else entirely."])  # replaces, not adds
    assert p.predict("pro", None, 1) == []
    assert p.predict("ent", None, 1) == ["entirely"]


def test_member_history_survives_project_replacement():
    p = make()
    p.learn("zebra crossing")
    p.set_project_words(["ocelot"])
    p.set_project_words(["lynx"])
    assert p.predict("zeb", None, 1) == ["zebra"]
    assert p.predict("oce", None, 1) == []


def test_add_corpus_with_weight():
    light, heavy = make(), make()
    light.add_corpus("carry carry", weight=0.001)
    heavy.add_corpus(["carry carry"], weight=100.0)
    assert light.predict("car", None, 1) == ["care"]
    assert heavy.predict("car", None, 1) == ["carry"]


def test_next_word_from_bigrams_and_unigram_fallback():
    p = make()
    assert p.predict("", "social", 1) == ["the"]  # nothing learned after "social": unigram
    p.learn("Social care matters. Good social care. Social work too.")
    assert p.predict("", "social", 2) == ["care", "work"]
    assert p.predict("w", "social", 1) == ["work"]
    assert p.probability("care", "social") > p.probability("care", "the")


def test_sentence_start_is_a_context():
    p = make()
    p.learn("My carer is late. My plan is good. I want help.")
    assert p.predict("", SENTENCE_START, 1) == ["my"]
    assert p.predict("", None, 1) == ["the"]


def test_keyword_phrases_are_offered_as_quick_picks():
    p = make()
    p.set_keywords(["personal assistant", "Direct payments", "NHS"])
    assert "personal assistant" in p.predict("pers", None, 3)
    assert "direct payments" in p.predict("d", None, 5)
    assert p.predict("", "personal", 1) == ["assistant"]
    assert p.predict("nh", None, 1) == ["nhs"]
    assert p.cased("nhs") == "NHS"
    assert p.cased("direct payments") == "direct payments"  # a first capital only is sentence case
    p.set_keywords(["social care support plan"])
    assert "care support plan" in p.predict("c", "social", 5)
    assert "personal assistant" not in p.predict("pers", None, 5)


def test_cased_learns_the_usual_written_form():
    p = make()
    p.learn("I asked the NHS. The NHS said no. Then I waited.")
    assert p.cased("nhs") == "NHS"
    assert p.cased("the") == "the"
    assert p.cased("i") == "I"
    assert p.cased("unknown") == "unknown"
    assert p.cased("the nhs") == "the NHS"


def test_tokenize_marks_sentence_starts_and_following_characters():
    assert tokenize("Hi there. It\u2019s me, Sam!") == [
        ("hi", "Hi", SENTENCE_START, " "),
        ("there", "there", "hi", "."),
        ("it's", "It's", SENTENCE_START, " "),
        ("me", "me", "it's", ","),
        ("sam", "Sam", "me", "!"),
    ]


def test_letter_distribution_is_a_distribution_following_the_words():
    p = make()
    dist = p.letter_distribution("th", None)
    assert set(dist) == set(CHARSET)
    assert math.isclose(sum(dist.values()), 1.0)
    assert dist["e"] > dist["a"] > dist["i"] > dist["z"] > 0
    word_end = p.letter_distribution("the", None)
    assert max(word_end, key=word_end.get) == " "  # "the" is a whole word
    assert word_end[" "] > word_end["y"] > word_end["r"] > word_end["n"] > word_end["q"]
    assert word_end["."] > word_end["q"]


def test_letter_distribution_at_word_start_after_punctuation_and_for_unknown_words():
    p = make()
    start = p.letter_distribution("", "the", after=" ")
    assert start["t"] > start["q"] and start[" "] < 0.01
    after_stop = p.letter_distribution("", "it", after=".")
    assert max(after_stop, key=after_stop.get) == " "
    unknown = p.letter_distribution("xq", None)
    assert math.isclose(sum(unknown.values()), 1.0) and unknown["e"] > unknown["z"]


def test_letter_distribution_exclude_removes_shown_words():
    p = make()
    plain = p.letter_distribution("th", None)
    without = p.letter_distribution("th", None, exclude=["that", "this"])
    assert without["a"] < plain["a"] and without["i"] < plain["i"]
    assert without["e"] > plain["e"]


def test_end_distribution_learns_what_follows_words():
    p = make()
    before = p.end_distribution()["."]
    p.learn("Yes. No. Maybe. Fine.")
    assert p.end_distribution()["."] > before
    assert math.isclose(sum(p.end_distribution().values()), 1.0)


def test_completion_probabilities():
    p = make()
    probs = p.completion_probabilities("th", None, ["the", "that", "zzz"])
    assert 0 < probs["that"] < probs["the"] < 1 and probs["zzz"] == 0
    assert probs["the"] == pytest.approx(50 / (50 + 1.5 + 2.5 + 3.5 + 5 + 12), rel=0.05)


def test_fresh_keeps_sources_project_and_keywords_but_not_history():
    p = make()
    p.set_project_words(["ocelot"])
    p.set_keywords(["personal assistant"])
    p.learn("zebra")
    q = p.fresh()
    assert q.predict("oce", None, 1) == ["ocelot"]
    assert q.predict("zeb", None, 1) == []
    assert "personal assistant" in q.predict("pers", None, 3)


def test_general_word_pairs_guide_next_words(tmp_path):
    pairs = [("want", "to", 900.0), ("want", "a", 50.0), ("my", "support", 80.0)]
    p = Predictor(VOCAB, bigrams=pairs)
    assert p.predict("", "want", 2) == ["to", "a"]
    assert p.predict("s", "my", 1) == ["support"]
    assert p.letter_distribution("", "my")["s"] > make().letter_distribution("", "my")["s"]
    path = tmp_path / "pairs.txt"
    path.write_text("want to 900\nwant a 50\nbad line\n", encoding="utf-8")
    assert SymspellPairs(path).load() == [("want", "to", 900.0), ("want", "a", 50.0)]
    assert SymspellPairs(tmp_path / "missing.txt").load() == []


def test_wordfreq_source_loads_lazily():
    pytest.importorskip("wordfreq")
    p = Predictor(WordfreqSource(n=3000))
    assert p._base_index is None
    assert p.predict("th", None, 1) == ["the"]
    assert 2000 < p.vocabulary_size <= 3000


def test_predict_is_fast_with_a_100k_vocabulary():
    rng = random.Random(7)
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    weights = [1 / (i + 1) for i in range(26)]
    vocab: dict[str, float] = {}
    while len(vocab) < 100_000:
        word = "".join(rng.choices(letters, weights, k=rng.randint(2, 10)))
        vocab[word] = 1.0 / (len(vocab) + 1)
    p = Predictor(vocab)
    p.load()
    words = list(vocab)[:2000]
    p.learn(" ".join(rng.choice(words) for _ in range(3000)))
    times = []
    for _ in range(1000):
        word, previous = rng.choice(words), rng.choice(words)
        prefix = word[: rng.randint(0, 3)]
        t0 = time.perf_counter()
        p.predict(prefix, previous, 5)
        times.append((time.perf_counter() - t0) * 1000)
    assert statistics.quantiles(times, n=20)[-1] < 5.0  # p95 in ms


def test_changing_the_keywords_gives_what_setting_them_afresh_gives():
    texts = ["We want to be heard, not ticked off a list", "Being known matters", "tickbox care is unheard"]

    def built(*keyword_lists):
        predictor = Predictor({"the": 0.05, "to": 0.03, "care": 0.001, "time": 0.001, "tick": 0.0002})
        predictor.set_project_words(texts)
        for keywords in keyword_lists:
            predictor.set_keywords(keywords)
        return predictor

    changed = built(["tickbox", "being known"], ["unheard", "time to listen"], ["unheard", "tickbox"])
    afresh = built(["unheard", "tickbox"])
    for word, previous in [("tickbox", None), ("unheard", "is"), ("known", "being"), ("listen", "to"),
                           ("time", None), ("care", "tickbox")]:
        assert math.isclose(changed.probability(word, previous), afresh.probability(word, previous),
                            rel_tol=1e-9, abs_tol=1e-12)
    for prefix in ("t", "u", "b", ""):  # the same words (words of equal weight may swap places)
        assert set(changed.predict(prefix)) == set(afresh.predict(prefix))


def test_keywords_carried_into_a_fresh_predictor_are_not_counted_twice():
    base = Predictor({"the": 0.05, "care": 0.001})
    base.set_keywords(["tickbox", "being known"])
    copy = base.fresh()
    copy.set_keywords(["tickbox", "being known", "unheard"])
    afresh = Predictor({"the": 0.05, "care": 0.001})
    afresh.set_keywords(["tickbox", "being known", "unheard"])
    for word, previous in [("tickbox", None), ("known", "being"), ("unheard", None)]:
        expected = afresh.probability(word, previous)
        assert math.isclose(copy.probability(word, previous), expected, rel_tol=1e-9)
