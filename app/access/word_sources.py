"""Where the predictor's general English comes from (wordfreq's word list and symspellpy's
word pairs, each read only when first needed) and how a word list is indexed (pure Python)."""

from __future__ import annotations

import heapq
import importlib.util
import itertools
import re
from bisect import bisect_left
from collections.abc import Mapping
from pathlib import Path

_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
TOP_K = 16  # words kept per prefix


def plain(word: str) -> bool:
    """A word worth predicting: letters, digits and inner apostrophes; one letter only for a, i."""
    return bool(_WORD_RE.fullmatch(word)) and (len(word) > 1 or word in ("a", "i"))


class WordfreqSource:
    """General English from ``wordfreq``: the *n* commonest words, loaded on demand."""

    def __init__(self, n: int = 100_000, lang: str = "en") -> None:
        self.n, self.lang = n, lang

    def load(self) -> list[tuple[str, float]]:
        """``(word, frequency)`` pairs, commonest first."""
        from wordfreq import get_frequency_dict, top_n_list  # lazy: optional dependency
        freqs = get_frequency_dict(self.lang)
        return [(w, freqs[w]) for w in top_n_list(self.lang, self.n) if plain(w)]


class SymspellPairs:
    """English word pairs (Google Books counts) listed in the symspellpy package (never imported),
    or in the "first second count" file *path*; empty without either."""

    FILE = "frequency_bigramdictionary_en_243_342.txt"

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else None

    def find(self) -> Path | None:
        """The pair file to read, or None."""
        spec = None if self.path else importlib.util.find_spec("symspellpy")
        path = self.path or (Path(next(iter(spec.submodule_search_locations))) / self.FILE
                             if spec and spec.submodule_search_locations else None)
        return path if path and path.exists() else None

    def load(self) -> list[tuple[str, str, float]]:
        """``(first, second, count)`` triples."""
        path = self.find()
        lines = path.read_text(encoding="utf-8").splitlines() if path else []
        return [(a, b, float(c)) for a, b, c in (ln.split() for ln in lines if ln.count(" ") == 2)]


class WordIndex:
    """Words sorted with cumulative probabilities, and the top words of each prefix."""

    def __init__(self, weights: Mapping[str, float], short: int = 0) -> None:
        total = sum(weights.values()) or 1.0
        self.prob = {w: p / total for w, p in weights.items()}
        self.words = sorted(self.prob)
        self.probs = [self.prob[w] for w in self.words]
        self.cum = [0.0, *itertools.accumulate(self.probs)]
        self.top: dict[str, list[str]] = {}
        for word in sorted(self.prob, key=self.prob.__getitem__, reverse=True):
            for n in range(min(short, len(word)) + 1):
                lst = self.top.setdefault(word[:n], [])
                if len(lst) < TOP_K:
                    lst.append(word)
        self._short, self._cache = short, {}  # type: ignore[var-annotated]

    def span(self, prefix: str, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
        hi = len(self.words) if hi is None else hi
        return bisect_left(self.words, prefix, lo, hi), bisect_left(self.words, prefix + "\uffff", lo, hi)

    def mass(self, prefix: str, lo: int = 0, hi: int | None = None) -> float:
        lo, hi = self.span(prefix, lo, hi)
        return self.cum[hi] - self.cum[lo]

    def top_for(self, prefix: str) -> list[str]:
        if len(prefix) <= self._short:
            return self.top.get(prefix, [])
        if prefix not in self._cache:
            if len(self._cache) > 5_000:
                self._cache.clear()
            lo, hi = self.span(prefix)
            best = heapq.nlargest(TOP_K, range(lo, hi), self.probs.__getitem__)
            self._cache[prefix] = [self.words[i] for i in best]
        return self._cache[prefix]
