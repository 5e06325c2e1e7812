"""The member's own word triples, a cache over the general model (pure Python, no Qt).

The general triples (CMU Sphinx) know English but not this member; the learned pairs know the
member one word back. This remembers what the member wrote after each *two* words and lays it
over the predictor's score, Witten-Bell: ``P(w | u v) = (C(u v w) + g T(u v) Q(w)) / (C(u v) +
g T(u v))``, ``Q`` the score without it, ``T(u v)`` the different words seen after ``u v``,
``g = gamma``. The same is done to the letters' masses, so the letters and the prediction row
agree. Texts written about one's own care repeat their phrases ("social care should ...").
"""

from __future__ import annotations

from collections import Counter

__all__ = ["TripleCache"]

SENTENCE_START = "<s>"


class TripleCache:
    """Counts of ``(earlier, previous) -> word`` from the member's writing."""

    def __init__(self, gamma: float = 10.0) -> None:
        self.gamma = gamma
        self._after: dict[tuple[str, str], Counter[str]] = {}
        self._last = (SENTENCE_START, SENTENCE_START)  # the last pair learned: (previous, word)

    def copy_empty(self) -> TripleCache:
        """A cache with the same setting and nothing learned."""
        return TripleCache(self.gamma)

    def learn(self, word: str, previous: str) -> None:
        """Count *word* after *previous* (lower case); the word before comes from the last word
        learned when that was *previous* (words are learned in the order they are written)."""
        earlier = self._last[0] if self._last[1] == previous != SENTENCE_START else SENTENCE_START
        counts = self._after.get((earlier, previous))
        if counts is None:
            counts = self._after[earlier, previous] = Counter()
        counts[word] += 1
        self._last = (previous, word)

    def _context(self, previous: str, earlier: str | None) -> Counter[str] | None:
        if not previous:  # no word before given (not even a sentence start): no context
            return None
        earlier = SENTENCE_START if previous == SENTENCE_START else earlier or SENTENCE_START
        return self._after.get((earlier, previous))

    def words(self, prefix: str, previous: str, earlier: str | None) -> list[str]:
        """The words the member wrote after *earlier previous* that start with *prefix*."""
        counts = self._context(previous, earlier)
        return [w for w in counts if w.startswith(prefix)] if counts else []

    def adjust(self, score: float, word: str, previous: str, earlier: str | None) -> float:
        """*score* (the predictor's, for *word*) with what the member wrote after the two words."""
        counts = self._context(previous, earlier)
        if not counts:
            return score
        back = self.gamma * len(counts)
        return (counts.get(word, 0) + back * score) / (counts.total() + back)

    def adjust_masses(self, buckets: dict[str, float], prefix: str, previous: str,
                      earlier: str | None) -> None:
        """The letters' masses (*buckets*, by the character after *prefix*) adjusted in place as
        :meth:`adjust` adjusts a word."""
        counts = self._context(previous, earlier)
        if not counts:
            return
        back, n = self.gamma * len(counts), len(prefix)
        norm = counts.total() + back
        for ch in buckets:
            buckets[ch] *= back / norm
        for w, c in counts.items():
            if len(w) > n and w.startswith(prefix) and w[n] in buckets:
                buckets[w[n]] += c / norm
