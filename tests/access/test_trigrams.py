"""General word triples rank the predictions (CMU Sphinx's US English model from the
pocketsphinx wheel), and the typing context names the word before the previous one."""

from __future__ import annotations

from app.access.prediction import SENTENCE_START, Predictor
from app.access.text_context import split_context
from app.access.text_entry import KeyboardModel
from app.access.trigrams import SphinxTrigrams


class Triples:
    """A stand-in for the general triples: what the keyboard asked, and fixed answers."""

    def __init__(self, answers: dict[tuple[str, str, str], float]) -> None:
        self.answers, self.asked = answers, []

    def load(self) -> bool:
        return True

    def probability(self, word, previous, earlier="<s>"):
        self.asked.append((earlier, previous, word))
        return self.answers.get((earlier, previous, word))


def test_the_real_model_knows_english_word_order():
    triples = SphinxTrigrams()
    assert triples.load()
    after_i_want = {w: triples.probability(w, "want", "i") for w in ("to", "the", "you")}
    assert after_i_want["to"] > 0.3 > after_i_want["the"]
    assert triples.probability("wants", "<s>") < triples.probability("i", "<s>")
    assert triples.probability("zqxjkv", "want", "i") is None  # not a word it has


def test_a_missing_model_means_no_triples_and_no_crash(tmp_path):
    triples = SphinxTrigrams(str(tmp_path / "nothing.lm.bin"))
    assert triples.load() is False
    assert triples.probability("to", "want", "i") is None
    vocab = {"cat": 5.0, "car": 4.0}
    assert Predictor(vocab, trigrams=triples).predict("ca", "red", 2) == ["cat", "car"]


def test_the_context_gives_the_two_words_before():
    ctx = split_context("Support. I want to ")
    assert (ctx.earlier, ctx.previous, ctx.prefix) == ("want", "to", "")
    ctx = split_context("Support. I wa")
    assert (ctx.earlier, ctx.previous, ctx.prefix) == (SENTENCE_START, "i", "wa")
    assert split_context("Support. ").earlier == SENTENCE_START


def test_the_triples_reorder_the_prediction_row_as_the_member_types():
    vocab = {"the": 9.0, "red": 3.0, "cat": 5.0, "car": 4.0, "big": 2.0}
    triples = Triples({("the", "red", "car"): 0.9, ("the", "red", "cat"): 0.01})
    plain = KeyboardModel(Predictor(vocab), "frequency", 2, text="the red ca")
    ranked = KeyboardModel(Predictor(vocab, trigrams=triples), "frequency", 2, text="the red ca")
    assert plain.words == ["cat", "car"]
    assert ranked.words == ["car", "cat"]  # "the red car" is the likelier phrase
    assert ("the", "red", "car") in triples.asked  # the keyboard passed both words before


def test_a_word_the_triples_do_not_know_keeps_its_own_rank():
    vocab = {"carers": 5.0, "cars": 4.0}
    triples = Triples({("my", "own", "cars"): 0.001})
    predictor = Predictor(vocab, trigrams=triples)
    assert predictor.predict("car", "own", 2, earlier="my") == ["carers", "cars"]
    assert predictor.fresh().trigrams is triples  # a member's copy ranks the same way


def test_a_full_stop_is_likelier_where_the_triples_end_sentences():
    vocab = {"a": 9.0, "week": 3.0, "weekend": 1.0, "the": 9.0}
    triples = Triples({("a", "week", "</s>"): 0.6, ("the", "week", "</s>"): 0.001})
    plain = Predictor(vocab).letter_distribution("week", "a")
    ranked = Predictor(vocab, trigrams=triples)
    after_a, after_the = ranked.letter_distribution("week", "a"), ranked.letter_distribution("week", "the")
    assert after_a["."] > 3 * plain["."] > after_the["."]
    assert abs(sum(after_a.values()) - 1.0) < 1e-9


def test_the_triples_move_the_letters_towards_the_words_they_expect():
    vocab = {"the": 9.0, "red": 3.0, "cat": 5.0, "car": 4.0}
    triples = Triples({("the", "red", "car"): 0.5, ("the", "red", "cat"): 0.001})
    plain = Predictor(vocab).letter_distribution("ca", "red", earlier="the")
    ranked = Predictor(vocab, trigrams=triples).letter_distribution("ca", "red", earlier="the")
    assert plain["t"] > plain["r"] and ranked["r"] > ranked["t"]
    assert abs(sum(ranked.values()) - 1.0) < 1e-9
