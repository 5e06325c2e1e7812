"""CMU Sphinx's US English trigram model (``en-us.lm.bin`` in the pocketsphinx wheel, BSD-2-Clause)
turned round, so that a context's whole next-word distribution can be summed over any range of
the sorted vocabulary: the mass of every word starting with a prefix, which pocketsphinx's own API
(one word at a time) cannot give. Pure Python, no Qt.

The index (made by :mod:`app.access.trigram_build`, in a child process the first time) groups the
pairs by their first word and the triples by their first two, each group in vocabulary order, so a
prefix's mass is a few bisections and sums. It is a 27 MB file in the user's cache folder (made
again when the model changes), mapped from there in well under a second: the word list and its
dictionary at opening, then file-backed pages only for the groups a member's writing reaches.
"""

from __future__ import annotations

import heapq
import struct
from array import array
from bisect import bisect_left
from collections.abc import Callable
from pathlib import Path

from app.access import trigram_build
from app.access.trigram_build import BLOCK, FIELDS, HIGH

__all__ = ["TrigramIndex"]

_DAMAGED = (OSError, ValueError, EOFError, struct.error)
_Part = Callable[[int, int], float]


class TrigramIndex:
    """The turned-round model: :meth:`probability` of a word and :meth:`masses` of prefixes."""

    def __init__(self, words: list[str], arrays: dict[str, array] | dict[str, memoryview]) -> None:
        self.words = words
        self.ids = {w: i for i, w in enumerate(words)}
        for name in FIELDS:
            setattr(self, name, arrays[name])
        self.p1_high = self.p1[HIGH:]  # type: ignore[attr-defined]  # (the words from HIGH on)

    @staticmethod
    def cached(path: str, cache: Path) -> bool:
        """Whether *cache* holds an index file for the model at *path* (whole or not: see :meth:`load`)."""
        return (cache / trigram_build.index_name(path)).exists()

    @classmethod
    def load(cls, path: str, cache: Path) -> TrigramIndex:
        """The index of the model at *path* mapped from *cache*; ValueError or OSError when the file
        is missing or not whole (it is then made again, never read half)."""
        try:
            return cls(*trigram_build.load(cache / trigram_build.index_name(path)))
        except _DAMAGED as exc:
            raise ValueError(f"no whole trigram index in {cache}: {exc}") from exc

    @classmethod
    def open(cls, path: str, cache: Path | None) -> TrigramIndex:
        """The index of the model at *path*, from the *cache* folder when it is there (and made
        from the same file), else built in this process and saved there (the app builds in a
        child process instead: :class:`~app.access.trigrams.SphinxTrigrams`)."""
        if cache is None:
            return cls(*trigram_build.build(path))
        trigram_build.ensure(path, cache)
        return cls.load(path, cache)

    # -- groups: words stored as their low 16 bits, a group's words from HIGH on after its split --

    @staticmethod
    def _find(pos: memoryview, start: int, stop: int, split: int, key: int) -> int:
        """Where *key* goes in the sorted group ``start..stop-1`` (words below HIGH up to *split*)."""
        if key < HIGH:
            return bisect_left(pos, key, start, split)
        return bisect_left(pos, key - HIGH, split, stop)

    def _in_group(self, pos: memoryview, start: int, stop: int, split: int, key: int) -> int:
        """Index of *key* in its group, or -1."""
        k = self._find(pos, start, stop, split, key)
        return k if k < stop and pos[k] + (HIGH if k >= split else 0) == key else -1

    def _pairs(self, v: int) -> tuple[int, int, int]:
        start = self.boff[v]  # type: ignore[attr-defined]
        return start, self.boff[v + 1], start + self.b_split[v]  # type: ignore[attr-defined]

    def _triples(self, c: int) -> tuple[int, int, int]:
        start = self.c_off[c]  # type: ignore[attr-defined]
        return start, self.c_off[c + 1], start + self.c_split[c]  # type: ignore[attr-defined]

    def _context(self, u: int | None, v: int | None) -> int:
        """The context of the pair *u v* (its triples and back-off), or -1 (back-off 1, no triples)."""
        if u is None or v is None:
            return -1
        k = self._in_group(self.b_pos, *self._pairs(u), v)  # type: ignore[attr-defined]
        if k < 0:
            return -1
        c = bisect_left(self.c_pair, k)  # type: ignore[attr-defined]
        return c if c < len(self.c_pair) and self.c_pair[c] == k else -1  # type: ignore[attr-defined]

    @staticmethod
    def _total(blocks: memoryview, part: _Part, a: int, b: int) -> float:
        """Sum of the entries ``a..b-1`` of one group: whole blocks from their running sums, the
        ends (under a block each) one by one."""
        if b - a <= 2 * BLOCK:
            return part(a, b)
        ha, hb = -(-a // BLOCK), b // BLOCK
        return blocks[hb] - blocks[ha] + part(a, ha * BLOCK) + part(hb * BLOCK, b)

    @staticmethod
    def _codes(codes: memoryview, table: memoryview) -> _Part:
        return lambda a, b: sum(map(table.__getitem__, codes[a:b]))

    def _unigrams(self, split: int) -> _Part:
        """The pairs' words' unigram probabilities (a group's words pass HIGH at *split*)."""
        pos, low, high = self.b_pos, self.p1.__getitem__, self.p1_high.__getitem__  # type: ignore[attr-defined]
        return lambda a, b: (sum(map(low, pos[a:min(b, split)])) + sum(map(high, pos[max(a, split):b])))

    def probability(self, word: str, previous: str, earlier: str | None = None) -> float | None:
        """``P(word | earlier previous)`` (no *earlier* or an unknown one: ``P(word | previous)``);
        None for a word the model does not have."""
        w = self.ids.get(word)
        if w is None:
            return None
        v, u = self.ids.get(previous), self.ids.get(earlier) if earlier else None
        p = self.p1[w]  # type: ignore[attr-defined]
        if v is None:
            return p
        j = self._in_group(self.b_pos, *self._pairs(v), w)  # type: ignore[attr-defined]
        p = p * self.bo1[v] if j < 0 else self.q2[self.b_p2[j]]  # type: ignore[attr-defined]
        c = self._context(u, v)
        if c < 0:
            return p
        t = self._in_group(self.t_pos, *self._triples(c), w)  # type: ignore[attr-defined]
        return p * self.qbo[self.c_bo[c]] if t < 0 else self.q3[self.t_p3[t]]  # type: ignore[attr-defined]

    def masses(self, prefix: str, chars: str, previous: str, earlier: str | None = None) -> dict[str, float]:
        """For each ch of *chars*, ``P(. | earlier previous)`` summed over the words starting with
        ``prefix + ch``."""
        words, v = self.words, self.ids.get(previous)
        c = self._context(self.ids.get(earlier) if earlier else None, v)
        lo0, hi0 = bisect_left(words, prefix), bisect_left(words, prefix + "\uffff")
        out = {}
        for ch in chars:
            lo = bisect_left(words, prefix + ch, lo0, hi0)
            hi = bisect_left(words, prefix + ch + "\uffff", lo, hi0)
            out[ch] = self._range(lo, hi, v, c) if hi > lo else 0.0
        return out

    def likeliest(self, prefix: str, previous: str, earlier: str | None = None, n: int = 8) -> list[str]:
        """Up to *n* words starting with *prefix* that the model lists after *previous* (and after
        *earlier previous*), likeliest first by their listed probability: candidates the
        predictor's own top lists may lack."""
        words, v = self.words, self.ids.get(previous)
        if v is None:
            return []
        c = self._context(self.ids.get(earlier) if earlier else None, v)
        lo, hi = bisect_left(words, prefix), bisect_left(words, prefix + "\uffff")
        scored: dict[int, float] = {}
        groups = [(self.b_pos, self.b_p2, self.q2, self._pairs(v))]  # type: ignore[attr-defined]
        if c >= 0:
            groups.append((self.t_pos, self.t_p3, self.q3, self._triples(c)))  # type: ignore[attr-defined]
        for pos, codes, table, (start, stop, split) in groups:
            a, b = self._find(pos, start, stop, split, lo), self._find(pos, start, stop, split, hi)
            if b - a > 4000:  # (a very common word before a short prefix: the top lists do)
                continue
            for i in range(a, b):
                w = pos[i] + (HIGH if i >= split else 0)
                scored[w] = max(scored.get(w, 0.0), table[codes[i]])
        return [words[i] for i in heapq.nlargest(n, scored, key=scored.__getitem__)]

    def _range(self, lo: int, hi: int, v: int | None, c: int) -> float:
        """The mass of the words ``lo..hi-1`` after *v* (and the context *c*, or -1)."""
        m = self.cum1[hi] - self.cum1[lo]  # type: ignore[attr-defined]
        if v is None:
            return m
        start, stop, split = self._pairs(v)
        a = self._find(self.b_pos, start, stop, split, lo)  # type: ignore[attr-defined]
        b = self._find(self.b_pos, start, stop, split, hi)  # type: ignore[attr-defined]
        if b > a:
            listed = self._total(self.b_blk2, self._codes(self.b_p2, self.q2), a, b)  # type: ignore[attr-defined]
            m = listed + self.bo1[v] * (m - self._total(self.b_blk1, self._unigrams(split), a, b))  # type: ignore[attr-defined]
        else:
            m *= self.bo1[v]  # type: ignore[attr-defined]
        if c < 0:
            return m
        start, stop, split = self._triples(c)
        a = self._find(self.t_pos, start, stop, split, lo)  # type: ignore[attr-defined]
        b = self._find(self.t_pos, start, stop, split, hi)  # type: ignore[attr-defined]
        bo = self.qbo[self.c_bo[c]]  # type: ignore[attr-defined]
        if b <= a:
            return bo * m
        listed = self._total(self.t_blk3, self._codes(self.t_p3, self.q3), a, b)  # type: ignore[attr-defined]
        return listed + bo * (m - self._total(self.t_blk2, self._codes(self.t_p2, self.q2), a, b))  # type: ignore[attr-defined]
