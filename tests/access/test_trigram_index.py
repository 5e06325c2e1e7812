"""The turned-round trigram model: every word's probability as pocketsphinx gives it, and each
prefix's whole mass, on a small model written in pocketsphinx's own binary format."""

from __future__ import annotations

import itertools

import pocketsphinx as ps
import pytest

from app.access.prediction import Predictor
from app.access.trigram_index import TrigramIndex
from app.access.trigrams import SphinxTrigrams

ARPA = """\\data\\
ngram 1=7
ngram 2=7
ngram 3=3

\\1-grams:
-1.0 </s>
-99 <s> -0.3
-1.5 cap -0.2
-0.7 car -0.25
-0.5 cat -0.2
-1.2 red -0.3
-0.6 the -0.1

\\2-grams:
-0.2 <s> the -0.1
-0.3 the red -0.05
-0.4 the cat
-0.5 red car -0.1
-0.6 red cat
-0.9 red cap
-0.3 cat </s>

\\3-grams:
-0.1 <s> the red
-0.2 the red car
-0.9 the red cat

\\end\\
"""
WORDS = ["</s>", "cap", "car", "cat", "red", "the"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """The small model as pocketsphinx writes it (``.lm.bin``), and pocketsphinx's own reader."""
    folder = tmp_path_factory.mktemp("lm")
    (folder / "tiny.arpa").write_text(ARPA)
    config, logmath = ps.Config(), ps.LogMath(1.0001)
    config["logfn"] = "/dev/null"
    arpa = ps.NGramModel(config, logmath, str(folder / "tiny.arpa"))
    arpa.write(str(folder / "tiny.lm.bin"), ps.NGramModel.str_to_type("bin"))
    reader = ps.NGramModel(config, logmath, str(folder / "tiny.lm.bin"))
    return str(folder / "tiny.lm.bin"), reader, (config, logmath)


def sphinx(reader, word, previous, earlier):
    history = [previous] if earlier is None else [previous, earlier]
    return 1.0001 ** reader.prob([word, *history])


def test_every_word_has_the_probability_pocketsphinx_gives(model, tmp_path):
    path, reader, _keep = model
    index = TrigramIndex.open(path, tmp_path)
    histories = itertools.product(["<s>", "the", "red", "cat"], ["<s>", *WORDS[1:]])
    for (earlier, previous), word in itertools.product(histories, WORDS):
        if previous == "<s>" and earlier != "<s>":
            continue
        back = None if previous == "<s>" else earlier
        assert index.probability(word, previous, back) == pytest.approx(sphinx(reader, word, previous, back),
                                                                        rel=2e-3)
    assert index.probability("dog", "the", "<s>") is None


def test_a_prefix_mass_sums_every_word_that_starts_with_it(model, tmp_path):
    path, reader, _keep = model
    index = TrigramIndex.open(path, tmp_path)
    for earlier, previous in [("the", "red"), ("<s>", "the"), (None, "<s>"), ("cat", "red"), ("the", "cap")]:
        for prefix in ["", "c", "ca", "car", "t"]:
            got = index.masses(prefix, "abcdefghijklmnopqrstuvwxyz", previous, earlier)
            for ch, mass in got.items():
                want = sum(sphinx(reader, w, previous, earlier) for w in WORDS if w.startswith(prefix + ch))
                assert mass == pytest.approx(want, rel=2e-3, abs=1e-9), (earlier, previous, prefix, ch)


def test_the_index_is_made_once_and_read_back_from_the_cache(model, tmp_path):
    path, _reader, _keep = model
    assert not TrigramIndex.cached(path, tmp_path)
    made = TrigramIndex.open(path, tmp_path)
    want = made.masses("ca", "prt", "red", "the")
    assert want["r"] > want["t"] > 0
    assert TrigramIndex.cached(path, tmp_path)
    again = TrigramIndex.open(path, tmp_path)
    assert again.masses("ca", "prt", "red", "the") == want
    (stale := tmp_path / "sphinx-trigrams-v0-1-2.bin").write_bytes(b"old")
    damaged = next(p for p in tmp_path.glob("*.bin") if p != stale)
    damaged.unlink()  # (a file being mapped is replaced, never written over)
    damaged.write_bytes(b"damaged")
    rebuilt = TrigramIndex.open(path, tmp_path)  # a damaged cache is made again, no crash
    assert rebuilt.masses("ca", "prt", "red", "the") == want
    assert [p.name for p in tmp_path.glob("*.bin")] == [damaged.name]  # the stale one is gone


def test_the_letters_follow_the_triples_over_every_word_of_the_prefix(model, tmp_path):
    path, _reader, _keep = model
    triples = SphinxTrigrams(path, cache=tmp_path)
    assert triples.masses("ca", "r", "red", "the") is None or triples.index is not None
    assert triples.wait() and triples.index is not None
    vocab = {"the": 9.0, "red": 3.0, "cat": 6.0, "car": 2.0, "cap": 1.0}
    plain = Predictor(vocab).letter_distribution("ca", "red", earlier="the")
    mixed = Predictor(vocab, trigrams=triples).letter_distribution("ca", "red", earlier="the")
    assert plain["t"] > plain["r"]  # the word model alone: "cat" is commoner
    assert mixed["r"] > mixed["t"]  # "the red car" is the likelier phrase
    assert triples.probability("car", "red", "the") == pytest.approx(10 ** -0.2, rel=2e-3)
    # without a cache folder the words are asked of pocketsphinx one at a time, with no masses
    words_only = SphinxTrigrams(path)
    assert words_only.wait() is False and words_only.masses("ca", "r", "red", "the") is None
    assert words_only.probability("car", "red", "the") == pytest.approx(10 ** -0.2, rel=2e-3)


def test_the_words_the_triples_list_after_a_context_are_offered(model, tmp_path):
    path, _reader, _keep = model
    index = TrigramIndex.open(path, tmp_path)
    assert index.likeliest("", "red", "the", 2) == ["car", "cat"]  # listed triples, likeliest first
    assert index.likeliest("cap", "red", "the") == ["cap"]  # a listed pair
    assert index.likeliest("", "dog", "the") == []  # a word the model does not have
    triples = SphinxTrigrams(path, cache=tmp_path)
    assert triples.wait()
    vocab = {"the": 9.0, "red": 3.0, "cat": 6.0, "cot": 5.0}  # the word model has no "car"
    assert Predictor(vocab).predict("c", "red", 3, earlier="the") == ["cat", "cot"]
    assert Predictor(vocab, trigrams=triples).predict("c", "red", 3, earlier="the")[0] == "car"
