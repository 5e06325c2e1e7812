"""Where the predictor's general English comes from: wordfreq's word list and symspellpy's
word pairs, each read only when first needed (pure Python)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


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
