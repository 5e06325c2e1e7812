"""The counts a :class:`~app.access.prediction.Predictor` learns (the member's writing, the
project's texts, the keywords): words, pairs, each prefix's mass and top words, and the forms
words are written in. Split from prediction.py by idea; pure Python, no Qt."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from app.access.word_sources import TOP_K

__all__ = ["LearnedCounts"]


class LearnedCounts:
    """Bookkeeping of learned counts, mixed into :class:`~app.access.prediction.Predictor` (which
    sets up ``_counts``, ``_forms`` and ``_phrases`` and calls :meth:`_reset`)."""

    SENTENCE_START = "<s>"
    _counts: dict[str, tuple[float, Counter[tuple[str, str]]]]
    _forms: dict[str, Counter[str]]
    _phrases: list[tuple[tuple[str, ...], str]]

    def _forget_if_unused(self, word: str, prev: str) -> None:
        """Drop a word (and a pair) whose learned count fell to nothing, so that a keyword taken
        away is not offered as a zero-weight completion."""
        if self._bi.get(prev, {}).get(word, 1.0) <= 1e-9:
            del self._bi[prev][word]
        if self._uni.get(word, 1.0) <= 1e-9:
            del self._uni[word]
            for n in range(len(word) + 1):
                if word in self._top.get(word[:n], ()):
                    self._top[word[:n]].remove(word)

    def _note_form(self, word: str, surface: str, prev: str) -> None:
        if prev != self.SENTENCE_START or surface[1:] != surface[1:].lower():
            forms = self._forms.get(word)
            if forms is None:  # (setdefault would build a Counter for every word learned)
                forms = self._forms[word] = Counter()
            forms[surface] += 1

    def cased(self, word: str) -> str:
        """The usual written form of *word* (or of each word of a phrase)."""
        if " " in word:
            for words, surface in self._phrases:
                if " ".join(words) == word and surface[1:] != surface[1:].lower():
                    return surface
            return " ".join(self.cased(w) for w in word.split(" "))
        best, n = (self._forms.get(word) or Counter({word: 0})).most_common(1)[0]
        return best if n > self._forms.get(word, Counter()).get(word, 0) else word

    def _reset(self) -> None:
        self._uni: dict[str, float] = {}  # learned counts; below: by prefix, by previous word
        self._prefix_mass, self._top, self._total = {}, {}, 0.0  # type: ignore[var-annotated]
        self._bi, self._bi_total = {}, {}  # type: ignore[var-annotated]

    def _rebuild(self, pause: Callable[[], None] | None = None) -> None:
        self._reset()
        for weight, pairs in self._counts.values():
            for index, ((prev, word), n) in enumerate(pairs.items()):
                if pause is not None and index % 1024 == 1023:
                    pause()
                self._count(word, prev, n * weight)

    def _add(self, name: str, weight: float, word: str, prev: str, count: bool = True) -> None:
        layer = self._counts.get(name)
        if layer is None:
            layer = self._counts[name] = (weight, Counter())
        layer[1][(prev, word)] += 1
        if count:
            self._count(word, prev, weight)

    def _count(self, word: str, prev: str, amount: float) -> None:
        uni = self._uni
        uni[word] = uni.get(word, 0.0) + amount
        self._total += amount
        for n in range(len(word) + 1):
            self._prefix_mass[word[:n]] = self._prefix_mass.get(word[:n], 0.0) + amount
            lst = self._top.setdefault(word[:n], [])
            if word not in lst:
                lst.append(word)
            lst.sort(key=uni.__getitem__, reverse=True)
            del lst[TOP_K:]
        succ = self._bi.setdefault(prev, {})
        succ[word] = succ.get(word, 0.0) + amount
        self._bi_total[prev] = self._bi_total.get(prev, 0.0) + amount
