"""Word prediction and next-letter probabilities for the on-screen keyboard (pure Python).

wordfreq and the optional general word pairs are read only when first needed;
a :class:`Predictor` also works with a small injected vocabulary or none.
Words are predicted in lower case; :meth:`Predictor.cased` gives a word's
usual written form ("I", "NHS"); the keyboard model capitalises sentences.

Model: unigram ``P(w) = (B P_base(w) + C(w)) / (B + N)`` where ``P_base`` is
general English (wordfreq) worth ``B = base_weight`` pseudo-words and
``C(w)`` sums the project's texts (``project_weight`` per word), the
member's history (``member_weight``), the keywords (``keyword_weight``) and
:meth:`Predictor.add_corpus` texts (``N`` is the total): a word used once
gains as much as a general word of frequency ``weight / B``.  General pairs
(optional): ``Q(w | v) = b P_pairs(w | v) + (1 - b) P(w)``, ``b = pair_weight``.
Learned pairs, Witten-Bell: ``P(w | v) = (C(v, w) + g T(v) Q(w | v)) / (C(v)
+ g T(v))``, ``T(v)`` = different words seen after ``v``, ``g =
bigram_backoff``; :data:`SENTENCE_START` is the word before a sentence.
Letters (:meth:`Predictor.letter_distribution`): ``P(w | v)`` of the words
starting with the prefix, added up by next letter; a finished word is
followed by space or punctuation as the member writes; ``letter_floor`` goes
to a fixed letter table, so unknown words can be typed.  Speed: word lists are
sorted with cumulative probabilities (a prefix's mass by bisection) and keep
their top words per prefix.
"""

from __future__ import annotations

import heapq
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from app.access.learned_counts import LearnedCounts
from app.access.letter_table import AFTER_PRIOR, CHARSET, END_PRIOR, FALLBACK
from app.access.phrase_cache import TripleCache
from app.access.trigrams import SphinxTrigrams, mix_triples, sentence_ends
from app.access.word_sources import SymspellPairs, WordfreqSource, WordIndex, plain

__all__ = ["CHARSET", "SENTENCE_START", "Predictor", "SymspellPairs", "WordfreqSource", "tokenize"]

SENTENCE_START = "<s>"
WORD_CHARS = "abcdefghijklmnopqrstuvwxyz'0123456789"
_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*|[.!?\n]")
STOP_KEEP = 0.2  # dev.txt 1.641 -> 1.623 bits/char, held-out 1.779 -> 1.764 (0.5: 1.628, 0: 1.621)


def tokenize(text: str) -> list[tuple[str, str, str, str]]:
    """Words of *text* as ``(lower-case word, as written, previous word or SENTENCE_START, next char)``."""
    text = text.replace("\u2019", "'")
    out, previous = [], SENTENCE_START
    for m in _TOKEN_RE.finditer(text):
        if (tok := m.group()) in ".!?\n":
            previous = SENTENCE_START
            continue
        out.append((tok.lower(), tok, previous, text[m.end():m.end() + 1]))
        previous = tok.lower()
    return out


class Predictor(LearnedCounts):
    """Ranks words for the keyboard's prediction row and letters for adaptive scanning."""

    def __init__(
        self, base: WordfreqSource | Mapping[str, float] | Iterable[tuple[str, float]] | None = None, *,
        bigrams: SymspellPairs | Iterable[tuple[str, str, float]] | None = None,
        base_weight: float = 300.0, pair_weight: float = 0.7, project_weight: float = 0.5,
        member_weight: float = 1.0, keyword_weight: float = 5.0, bigram_backoff: float = 3.0,
        letter_floor: float = 0.002, trigrams: SphinxTrigrams | None = None, trigram_weight: float = 0.3,
        triple_backoff: float = 10.0,
    ) -> None:
        """Create a predictor; *base* is the general word list, *bigrams* general word pairs,
        *trigrams* general word triples (see :meth:`rank` and :func:`mix_triples`).

        ``base_weight`` 300 and ``letter_floor`` 0.002 (were 1000 and 0.01): cross-entropy on
        ``dev.txt`` 1.508 -> 1.498 bits/char, held out 1.571 -> 1.566 and 1.558 -> 1.554."""
        self._sources_in = (base, bigrams)
        self.trigrams = trigrams
        self._base_index: WordIndex | None = None
        self._load_lock = threading.Lock()
        self._pairs: dict[str, WordIndex] = {}
        self.settings = dict(base_weight=base_weight, pair_weight=pair_weight, project_weight=project_weight,
                             member_weight=member_weight, keyword_weight=keyword_weight,
                             bigram_backoff=bigram_backoff, letter_floor=letter_floor,
                             trigram_weight=trigram_weight, triple_backoff=triple_backoff)
        self.own_triples = TripleCache(triple_backoff)  # the member's, over the general model
        self._counts: dict[str, tuple[float, Counter[tuple[str, str]]]] = {}
        self._keyword_texts: Counter[str] = Counter()  # the keywords now counted, as given
        self._phrases: list[tuple[tuple[str, ...], str]] = []
        self._forms: dict[str, Counter[str]] = {}
        self._end, self._after = Counter(END_PRIOR), Counter(AFTER_PRIOR)  # after words / punctuation
        self._reset()

    @property
    def _base(self) -> WordIndex:
        if self._base_index is None:
            self.load()
        return self._base_index  # type: ignore[return-value]

    @property
    def loaded(self) -> bool:
        """Whether the general word list is indexed (so :meth:`fresh` will not wait for it)."""
        return self._base_index is not None

    def load(self) -> None:
        """Load and index the general word list and pairs now (otherwise on first use). Threads
        asking at once share one load."""
        with self._load_lock:
            if self._base_index is None:
                self._load()

    def _load(self) -> None:
        base, pairs = self._sources_in
        items = base.load() if isinstance(base, WordfreqSource) else (
            base.items() if isinstance(base, Mapping) else base or ())
        weights: dict[str, float] = {}
        for word, freq in items:
            if plain(word.lower()) and freq > 0 and not any(c.isdigit() for c in word):
                weights[word.lower()] = weights.get(word.lower(), 0.0) + float(freq)
        grouped: dict[str, dict[str, float]] = {}
        for first, second, count in pairs.load() if isinstance(pairs, SymspellPairs) else pairs or ():
            if plain(second) and count > 0 and not any(c.isdigit() for c in second):
                grouped.setdefault(first.lower(), {})[second.lower()] = float(count)
        self._pairs = {v: WordIndex(succ) for v, succ in grouped.items()}
        if self.trigrams is not None:
            self.trigrams.load()
        self._base_index = WordIndex(weights, short=3)  # last: `loaded` means the pairs are there too

    def fresh(self) -> Predictor:
        """A predictor with the same settings, sources, project words and keywords, no history."""
        other = Predictor(self._sources_in[0], bigrams=self._sources_in[1], trigrams=self.trigrams,
                          **self.settings)
        other._base_index, other._pairs, other._phrases = self._base, self._pairs, list(self._phrases)
        for name in set(self._counts) & {"project", "keywords"}:
            other._counts[name] = (self._counts[name][0], Counter(self._counts[name][1]))
        other._keyword_texts = Counter(self._keyword_texts)
        other._rebuild()
        return other

    def base_words(self) -> list[str]:
        """The general word list, sorted."""
        return self._base.words

    @property
    def vocabulary_size(self) -> int:
        """Number of distinct words known (general and learned)."""
        return len(self._base.prob.keys() | self._uni.keys())

    def add_corpus(self, words_or_text: str | Iterable[str], weight: float = 1.0) -> None:
        """Add text (a string, or strings each read as a text) with *weight* per word."""
        texts = [words_or_text] if isinstance(words_or_text, str) else list(words_or_text)
        self._learn_texts(f"corpus:{weight}", texts, weight)

    def learn(self, text: str) -> None:
        """Add the member's own writing (history), online."""
        self._learn_texts("member", [text], self.settings["member_weight"], stats=True)
        for word, _surface, prev, _next in tokenize(text):
            self.own_triples.learn(word, prev)

    def learn_word(self, word: str, previous: str | None = None, following: str = " ") -> None:
        """Learn a word the member just finished (a capital not at a sentence start is its form)."""
        word = word.replace("\u2019", "'")
        if _WORD_RE.fullmatch(word.lower()):
            prev = (previous or SENTENCE_START).lower()
            self._note_form(word.lower(), word, prev)
            self._end[following] += 1 if following else 0
            self._add("member", self.settings["member_weight"], word.lower(), prev)
            self.own_triples.learn(word.lower(), prev)

    def set_project_words(self, texts: Iterable[str], pause: Callable[[], None] | None = None) -> None:
        """Replace the project's words with those of *texts* (contributions and drafts).

        *pause* is called every few hundred steps: a background thread passes ``time.sleep(0)``
        so that the window's thread gets its turn at once (Python runs one thread at a time)."""
        self._counts.pop("project", None)
        self._learn_texts("project", list(texts), self.settings["project_weight"], rebuild=True, pause=pause)

    def set_keywords(self, phrases: Iterable[str]) -> None:
        """Use the group's keywords (words or phrases) for the current prompt as quick-picks.

        The old keywords' counts are taken away and the new ones added, without re-indexing
        the project's words (a second at 100,000 texts)."""
        phrases = [p.strip() for p in phrases if p.strip()]
        weight, counts = self._counts.setdefault("keywords", (self.settings["keyword_weight"], Counter()))
        wanted, had = Counter(phrases), self._keyword_texts
        gone = Counter()  # type: ignore[var-annotated]
        for text in (had - wanted).elements():
            gone.update((prev, word) for word, _surface, prev, _next in tokenize(text))
        for (prev, word), n in gone.items():
            counts[prev, word] -= n
            if counts[prev, word] <= 0:
                del counts[prev, word]
            self._count(word, prev, -n * weight)
            self._forget_if_unused(word, prev)
        self._phrases = [(tuple(t[0] for t in tokenize(p)), p) for p in phrases if tokenize(p)]
        self._learn_texts("keywords", list((wanted - had).elements()), weight)
        self._keyword_texts = wanted

    def _learn_texts(self, name: str, texts: list[str], weight: float, stats: bool = False,
                     rebuild: bool = False, pause: Callable[[], None] | None = None) -> None:
        for index, text in enumerate(texts):
            if pause is not None and index % 256 == 255:
                pause()
            for word, surface, prev, following in tokenize(text):
                self._note_form(word, surface, prev)
                self._end[following] += 1 if stats and following else 0
                self._add(name, weight, word, prev, count=not rebuild)
            for i, ch in enumerate(text[:-1] if stats else ""):
                self._after[text[i + 1]] += 1 if ch in ".,?!;:" else 0
        if rebuild:
            self._rebuild(pause)

    def _general(self, word: str, prev: str) -> float:
        """``Q(word | prev)``: general English and pairs mixed with the learned unigram."""
        b = self.settings["base_weight"] if self._base.prob else 0.0
        u = (b * self._base.prob.get(word, 0.0) + self._uni.get(word, 0.0)) / ((b + self._total) or 1.0)
        pairs, w = self._pairs.get(prev), self.settings["pair_weight"]
        return u if pairs is None else w * pairs.prob.get(word, 0.0) + (1 - w) * u

    def _general_masses(self, prefix: str, prev: str, chars: str) -> dict[str, float]:
        """Mass of ``Q(. | prev)`` over the words starting with ``prefix + ch``, for each ch."""
        base, b = self._base, (self.settings["base_weight"] if self._base.prob else 0.0)
        denom = (b + self._total) or 1.0
        lo, hi = base.span(prefix)
        out = {ch: (b * base.mass(prefix + ch, lo, hi) + self._prefix_mass.get(prefix + ch, 0.0)) / denom
               for ch in chars}
        pairs = self._pairs.get(prev)
        if pairs is not None:
            w = self.settings["pair_weight"]
            lo, hi = pairs.span(prefix)
            out = {ch: w * pairs.mass(prefix + ch, lo, hi) + (1 - w) * m for ch, m in out.items()}
        return out

    def probability(self, word: str, previous: str | None = None) -> float:
        """``P(word | previous)`` under the whole model."""
        word, prev = word.lower(), (previous or "").lower()
        succ, q = self._bi.get(prev), self._general(word, prev)
        if not succ:
            return q
        back = self.settings["bigram_backoff"] * len(succ)
        return (succ.get(word, 0.0) + back * q) / (self._bi_total[prev] + back)

    def candidates(self, prefix: str, previous: str, earlier: str | None = None) -> set[str]:
        """The words worth scoring after *previous* that start with *prefix* (lower case), with
        those the general triples list after *earlier previous*."""
        cands = set(self._base.top_for(prefix)) | set(self._top.get(prefix, ()))
        listed = getattr(self.trigrams, "likeliest", None)  # (a stand-in may not list words)
        cands.update(w for w in (listed(prefix, previous, earlier) if listed else ()) if plain(w))
        cands.update(self.own_triples.words(prefix, previous, earlier))
        if previous in self._pairs:
            cands.update(self._pairs[previous].top_for(prefix))
        cands.update(w for w in self._bi.get(previous, ()) if w.startswith(prefix))
        return cands

    def rank(self, word: str, previous: str | None = None, earlier: str | None = None) -> float:
        """The score predictions are ranked by: ``P(word | previous)`` mixed, for a word the
        general triples know, with their ``P(word | earlier, previous)`` (``w P + (1 - w) P3``,
        ``w = trigram_weight``): the triples see one word further back but not the member; then
        what the member wrote after the same two words (:class:`TripleCache`)."""
        p = self.probability(word, previous)
        tri = None if self.trigrams is None else self.trigrams.probability(
            word.lower(), (previous or SENTENCE_START).lower(), (earlier or SENTENCE_START).lower())
        w = self.settings["trigram_weight"]
        p = p if tri is None else w * p + (1 - w) * tri
        return self.own_triples.adjust(p, word.lower(), (previous or "").lower(),
                                       (earlier or SENTENCE_START).lower())

    def predict(self, prefix: str, previous: str | None = None, n: int = 5,
                earlier: str | None = None) -> list[str]:
        """The *n* likeliest words (or keyword phrases) starting with *prefix*, best first
        (by :meth:`rank`; *earlier* is the word before *previous*).

        With an empty prefix these are next-word predictions after *previous*.
        Words are lower case; a word equal to a non-empty prefix is left out.
        """
        p, prev = prefix.lower().replace("\u2019", "'"), (previous or "").lower()
        cands = self.candidates(p, prev, (earlier or SENTENCE_START).lower())
        cands.discard(p)
        scored = {w: self.rank(w, prev, earlier) for w in cands}
        for words, _surface in self._phrases:
            for i in range(len(words) - 1):
                if (i == 0 or words[i - 1] == prev) and words[i].startswith(p):
                    scored[" ".join(words[i:])] = 1.5 * self.rank(words[i], prev, earlier)
        return heapq.nlargest(max(0, n), scored, key=scored.__getitem__)

    def _buckets(self, p: str, prev: str) -> dict[str, float]:
        """``P(. | prev)`` summed over words starting with ``p + ch``, for each word character."""
        buckets = self._general_masses(p, prev, WORD_CHARS)
        succ = self._bi.get(prev)
        if succ:
            back = self.settings["bigram_backoff"] * len(succ)
            norm = self._bi_total[prev] + back
            buckets = {ch: v * back / norm for ch, v in buckets.items()}
            for w, c in succ.items():
                if len(w) > len(p) and w.startswith(p):
                    buckets[w[len(p)]] += c / norm
        return buckets

    def _mixed_buckets(self, p: str, prev: str, earlier: str | None) -> dict[str, float]:
        """The masses of the words starting with ``p + ch`` under the whole model: the word
        model's, mixed with the general triples' and the member's own triples (as :meth:`rank`)."""
        buckets = self._buckets(p, prev)
        if self.trigrams is not None:
            mix_triples(self, buckets, p, prev, earlier)
        self.own_triples.adjust_masses(buckets, p, prev, (earlier or SENTENCE_START).lower())
        return buckets

    def completion_probabilities(self, prefix: str, previous: str | None, words: Iterable[str],
                                 passed: Iterable[str] = (), earlier: str | None = None) -> dict:
        """P(word | previous, the word starts with *prefix* and is none of *passed*) for each of
        *words* (phrases: first word; by :meth:`rank`, so with the general triples after
        *earlier*); *passed* are words the member was offered and passed over. The prefix's
        mass is the whole model's, as the letters' (it was the word model's alone: adaptive
        1.689 -> 1.675 steps/char on ``dev.txt``, held out 1.744 -> 1.728, 1.727 -> 1.705)."""
        p, prev = prefix.lower(), (previous or "").lower()
        mass = sum(self._mixed_buckets(p, prev, earlier).values())
        mass += self.rank(p, prev, earlier) if p else 0.0
        mass -= sum(self.rank(w, prev, earlier) for w in {w.lower() for w in passed}
                    if " " not in w and w.startswith(p) and w != p)
        return {w: min(1.0, self.rank(w.split(" ")[0], prev, earlier) / mass) if mass > 0 else 0.0
                for w in words}

    def letter_distribution(
        self, prefix: str, previous: str | None = None, *, after: str = " ", exclude: Iterable[str] = (),
        earlier: str | None = None,
    ) -> dict[str, float]:
        """P(next character) over :data:`CHARSET` (lower case; " " is space).

        *after* is the character before *prefix* (``text_entry.split_context``).  Words
        in *exclude* (the predictions shown, which the member would pick) are left out.
        """
        p = prefix.lower().replace("\u2019", "'")
        if not p and after not in (" ", "", "\n"):
            total = sum(self._after.values())
            return self._mix({ch: self._after.get(ch, 0.0) / total for ch in CHARSET}, 0.05)
        prev = (previous or "").lower()
        buckets = self._mixed_buckets(p, prev, earlier)
        for w in exclude:
            w = w.lower()
            if " " not in w and w.startswith(p) and w != p:
                buckets[w[len(p)]] = max(0.0, buckets[w[len(p)]] - self.rank(w, prev, earlier))
        end = self.rank(p, prev, earlier) if p else 0.0
        total = sum(buckets.values()) + end
        if total <= 0:
            return dict(FALLBACK)
        ends = self.end_distribution()
        if end and self.trigrams is not None:
            ends = sentence_ends(self.trigrams, ends, p, prev, STOP_KEEP)
        raw = {ch: (buckets.get(ch, 0.0) + end * ends[ch]) / total for ch in CHARSET}
        return self._mix(raw, self.settings["letter_floor"])

    def end_distribution(self) -> dict[str, float]:
        """P(character after a finished word): space or punctuation, as the member writes."""
        total = sum(self._end.get(ch, 0.0) for ch in CHARSET)
        return {ch: self._end.get(ch, 0.0) / total for ch in CHARSET}

    @staticmethod
    def _mix(raw: Mapping[str, float], floor: float) -> dict[str, float]:
        return {ch: (1 - floor) * raw.get(ch, 0.0) + floor * FALLBACK[ch] for ch in CHARSET}
