"""CMU Sphinx's US English trigram model (``en-us.lm.bin`` in the pocketsphinx wheel, BSD-2-Clause)
read straight from its file and turned round, so that a context's whole next-word distribution
can be summed over any range of the sorted vocabulary: the mass of every word starting with a
prefix, which pocketsphinx's own API (one word at a time) cannot give. Pure Python, no Qt.

The file (sphinxbase's ``lm_trie``, after KenLM) keeps each n-gram under its *last* word; here
the pairs are grouped by their *first* word and the triples by their first two, each group in
vocabulary order with running sums, so a prefix's mass is a few bisections. Backing off as the
ARPA model does: ``P(w | u v) = P3(u v w)`` if listed, else ``bo(u v) P(w | v)``; ``P(w | v) =
P2(v w)`` if listed, else ``bo(v) P1(w)``. Turning the file round takes 20-45 s of pure Python
(about 120 MB while it runs), so the result is kept in the user's cache folder (63 MB, rebuilt
when the model changes) and mapped from there in well under a second: 13 MB at opening, then
file-backed pages only for the groups a member's writing reaches (about 58 MB after typing
``dev.txt``; the system can take them back), not 63 MB read into the process.
"""

from __future__ import annotations

import contextlib
import heapq
import math
import mmap
import struct
from array import array
from bisect import bisect_left
from pathlib import Path

__all__ = ["TrigramIndex"]

_HEADER = b"Trie Language Model"
_LN_BASE = math.log(1.0001)  # the file's scores are logarithms to the base 1.0001
_FIELDS = {"p1": "d", "bo1": "f", "cum1": "d", "boff": "i", "b_pos": "i", "b_cp2": "f", "b_cp1": "f",
           "b_bo": "f", "b_toff": "i", "t_pos": "i", "t_cp3": "f", "t_cp2": "f"}
_VERSION = 2
_MAGIC = b"canvas trigram index\n"


def _prob(score: float) -> float:
    return math.exp(score * _LN_BASE)


def _unpack(buf: bytes, count: int, width: int, fields: list[tuple[int, int, str]]) -> list[array]:
    """*count* bit-packed records of *width* bits from *buf*: each ``(shift, bits, type)`` field."""
    cols = [array(code) for _shift, _bits, code in fields]
    masks = [(shift, (1 << bits) - 1, col.append)
             for col, (shift, bits, _code) in zip(cols, fields, strict=True)]
    frombytes, nbytes = int.from_bytes, (width + 7) // 8 + 1
    offset = 0
    for _ in range(count):
        x = frombytes(buf[offset >> 3:(offset >> 3) + nbytes], "little") >> (offset & 7)
        for shift, mask, append in masks:
            append((x >> shift) & mask)
        offset += width
    return cols


def _build(path: str) -> tuple[list[str], dict[str, array]]:
    """Read the file and group its pairs by first word, its triples by first two (see the module)."""
    data = Path(path).read_bytes()
    if not data.startswith(_HEADER) or data[len(_HEADER)] != 3:
        raise ValueError(f"{path} is not a trigram model in pocketsphinx's binary format")
    pos = len(_HEADER) + 1
    n1, n2, n3 = struct.unpack_from("<3I", data, pos)
    pos += 12 + 4
    quant = [_prob(s) for s in array("f", data[pos:pos + 4 * 3 * 65536])]  # quantised values
    pos += 4 * 3 * 65536
    ug = struct.unpack_from(f"<{3 * (n1 + 1)}f", data, pos)
    nxt = struct.unpack_from(f"<{3 * (n1 + 1)}I", data, pos)[2::3]
    pos += 12 * (n1 + 1)
    wb, nb = n1.bit_length(), n3.bit_length()
    width2, width3 = wb + 32 + nb, wb + 16
    size2, size3 = ((1 + n2) * width2 + 7) // 8 + 8, ((1 + n3) * width3 + 7) // 8 + 8
    bw, bbo, bp, bn = _unpack(data[pos:pos + size2], n2 + 1, width2,
                              [(0, wb, "i"), (wb, 16, "H"), (wb + 16, 16, "H"), (wb + 32, nb, "i")])
    tw, tp = _unpack(data[pos + size2:pos + size2 + size3], n3, width3, [(0, wb, "i"), (wb, 16, "H")])
    pos += size2 + size3
    (k,) = struct.unpack_from("<I", data, pos)
    words = data[pos + 4:pos + 4 + k].decode("utf-8").split("\0")[:n1]
    del data
    if words != sorted(words):
        raise ValueError("the model's vocabulary is not in sorted order")
    n2 = nxt[n1]  # the file counts a few pairs more than it holds
    n3 = bn[n2]
    p1 = array("d", (_prob(s) for s in ug[0:3 * n1:3]))
    # Pairs: the file's entry i is (v = bw[i], w), w the unigram whose range holds i (w ascends).
    last = array("i")
    for w in range(n1):
        last.extend([w] * (nxt[w + 1] - nxt[w]))
    boff = array("i", bytes(4 * (n1 + 1)))
    for i in range(n2):
        boff[bw[i] + 1] += 1
    for v in range(n1):
        boff[v + 1] += boff[v]
    fill, new = array("i", boff), array("i", bytes(4 * n2))
    b_pos, b_p2, b_bo = array("i", new), array("d", bytes(8 * n2)), array("f", bytes(4 * n2))
    for i in range(n2):  # in order of w, so each group comes out in vocabulary order
        j = fill[bw[i]]
        fill[bw[i]] = j + 1
        new[i], b_pos[j], b_p2[j], b_bo[j] = j, last[i], quant[bp[i]], quant[65536 + bbo[i]]
    # Triples: entry t is (u = tw[t], v, w) under the file's pair i = (v, w); its context (u, v)
    # is the pair stored under v keyed by u (found by bisection), renumbered as above.
    t_ctx, t_par = array("i", bytes(4 * n3)), array("i", bytes(4 * n3))
    b_toff = array("i", bytes(4 * (n2 + 1)))
    for i in range(n2):
        v = bw[i]
        start, stop = nxt[v], nxt[v + 1]
        for t in range(bn[i], bn[i + 1]):
            c = bisect_left(bw, tw[t], start, stop)
            c = new[c] if c < stop and bw[c] == tw[t] else -1  # (every context is listed)
            t_ctx[t], t_par[t] = c, i
            b_toff[c + 1] += 1
    for j in range(n2):
        b_toff[j + 1] += b_toff[j]
    fill = array("i", b_toff)
    t_pos, t_p3, t_p2 = array("i", bytes(4 * n3)), array("d", bytes(8 * n3)), array("d", bytes(8 * n3))
    for t in range(n3):  # in order of w again
        c = t_ctx[t]
        if c >= 0:
            j = fill[c]
            fill[c] = j + 1
            t_pos[j], t_p3[j], t_p2[j] = last[t_par[t]], quant[131072 + tp[t]], quant[bp[t_par[t]]]
    n3 = b_toff[n2]
    del t_ctx, t_par, fill, bw, bbo, bp, bn, tw, tp
    cum1 = array("d", [0.0])
    for x in p1:
        cum1.append(cum1[-1] + x)
    out = dict(p1=p1, bo1=array("f", (_prob(s) for s in ug[1:3 * n1:3])), boff=boff, b_pos=b_pos,
               b_bo=b_bo, b_toff=b_toff, t_pos=t_pos[:n3], cum1=cum1, b_cp2=_running(b_p2, boff, n2))
    del b_p2
    out["b_cp1"] = _running(array("d", (p1[w] for w in b_pos)), boff, n2)
    out["t_cp3"], out["t_cp2"] = _running(t_p3, b_toff, n3), _running(t_p2, b_toff, n3)
    return words, out  # type: ignore[return-value]


def _running(col: array, offsets: array, n: int) -> array:
    """Running sums (single precision) of ``col[:n]``, starting again at each of *offsets*."""
    sums, starts = array("f", bytes(4 * n)), set(offsets)
    total = 0.0
    for i in range(n):
        total = col[i] if i in starts else total + col[i]
        sums[i] = total
    return sums


class TrigramIndex:
    """The turned-round model: :meth:`probability` of a word and :meth:`masses` of prefixes."""

    def __init__(self, words: list[str], arrays: dict[str, array] | dict[str, memoryview]) -> None:
        self.words = words
        self.ids = {w: i for i, w in enumerate(words)}
        for name in _FIELDS:
            setattr(self, name, arrays[name])

    @staticmethod
    def _name(path: str) -> str:
        stat = Path(path).stat()
        return f"sphinx-trigrams-v{_VERSION}-{stat.st_size}-{int(stat.st_mtime)}.bin"

    @classmethod
    def cached(cls, path: str, cache: Path) -> bool:
        """Whether *cache* holds the index of the model at *path*."""
        return (cache / cls._name(path)).exists()

    @classmethod
    def open(cls, path: str, cache: Path | None) -> TrigramIndex:
        """The index of the model at *path*, from the *cache* folder when it is there (and made
        from the same file), else built and saved there."""
        name = cls._name(path)
        if cache is not None and (cache / name).exists():
            try:
                return cls(*_load(cache / name))
            except (OSError, ValueError, EOFError, struct.error):
                pass  # a damaged cache is built again
        words, arrays = _build(path)
        if cache is not None:
            with contextlib.suppress(OSError):  # no cache folder: built again next time
                _save(cache / name, words, arrays)
                return cls(*_load(cache / name))  # mapped: the built arrays are freed
        return cls(words, arrays)

    def _in_group(self, pos: array, start: int, stop: int, key: int) -> int:
        """Index of *key* in the sorted group ``pos[start:stop]``, or -1."""
        k = bisect_left(pos, key, start, stop)
        return k if k < stop and pos[k] == key else -1

    def _pair(self, v: int, w: int) -> int:
        return self._in_group(self.b_pos, self.boff[v], self.boff[v + 1], w)  # type: ignore[attr-defined]

    @staticmethod
    def _sum(cum: array, start: int, a: int, b: int) -> float:
        """Sum of the group's items ``a..b-1`` from its running sums (the group starts at *start*)."""
        return (cum[b - 1] if b > start else 0.0) - (cum[a - 1] if a > start else 0.0)

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
        j = self._pair(v, w)
        if j < 0:
            p *= self.bo1[v]  # type: ignore[attr-defined]
        else:
            p = self.b_cp2[j] - (self.b_cp2[j - 1] if j > self.boff[v] else 0.0)  # type: ignore[attr-defined]
        k = -1 if u is None else self._pair(u, v)
        if k < 0:
            return p
        start, stop = self.b_toff[k], self.b_toff[k + 1]  # type: ignore[attr-defined]
        t = self._in_group(self.t_pos, start, stop, w)  # type: ignore[attr-defined]
        if t < 0:
            return p * self.b_bo[k]  # type: ignore[attr-defined]
        return self.t_cp3[t] - (self.t_cp3[t - 1] if t > start else 0.0)  # type: ignore[attr-defined]

    def masses(self, prefix: str, chars: str, previous: str, earlier: str | None = None) -> dict[str, float]:
        """For each ch of *chars*, ``P(. | earlier previous)`` summed over the words starting with
        ``prefix + ch``."""
        words, v = self.words, self.ids.get(previous)
        u = self.ids.get(earlier) if earlier else None
        k = -1 if u is None or v is None else self._pair(u, v)
        lo0, hi0 = bisect_left(words, prefix), bisect_left(words, prefix + "\uffff")
        out = {}
        for ch in chars:
            lo = bisect_left(words, prefix + ch, lo0, hi0)
            hi = bisect_left(words, prefix + ch + "\uffff", lo, hi0)
            out[ch] = self._range(lo, hi, v, k) if hi > lo else 0.0
        return out

    def likeliest(self, prefix: str, previous: str, earlier: str | None = None, n: int = 8) -> list[str]:
        """Up to *n* words starting with *prefix* that the model lists after *previous* (and after
        *earlier previous*), likeliest first by their listed probability: candidates the
        predictor's own top lists may lack."""
        words, v = self.words, self.ids.get(previous)
        if v is None:
            return []
        u = self.ids.get(earlier) if earlier else None
        k = -1 if u is None else self._pair(u, v)
        lo, hi = bisect_left(words, prefix), bisect_left(words, prefix + "\uffff")
        scored: dict[int, float] = {}
        groups = [(self.b_pos, self.b_cp2, self.boff[v], self.boff[v + 1])]  # type: ignore[attr-defined]
        if k >= 0:
            groups.append((self.t_pos, self.t_cp3, self.b_toff[k], self.b_toff[k + 1]))  # type: ignore[attr-defined]
        for pos, cum, start, stop in groups:
            a, b = bisect_left(pos, lo, start, stop), bisect_left(pos, hi, start, stop)
            if b - a > 4000:  # (a very common word before a short prefix: the top lists do)
                continue
            for i in range(a, b):
                scored[pos[i]] = max(scored.get(pos[i], 0.0), cum[i] - (cum[i - 1] if i > start else 0.0))
        return [words[i] for i in heapq.nlargest(n, scored, key=scored.__getitem__)]

    def _range(self, lo: int, hi: int, v: int | None, k: int) -> float:
        """The mass of the words ``lo..hi-1`` after *v* (and the context pair *k*, or -1)."""
        m = self.cum1[hi] - self.cum1[lo]  # type: ignore[attr-defined]
        if v is None:
            return m
        start, stop = self.boff[v], self.boff[v + 1]  # type: ignore[attr-defined]
        a, b = bisect_left(self.b_pos, lo, start, stop), bisect_left(self.b_pos, hi, start, stop)  # type: ignore[attr-defined]
        m = self._sum(self.b_cp2, start, a, b) + self.bo1[v] * (m - self._sum(self.b_cp1, start, a, b))  # type: ignore[attr-defined]
        if k < 0:
            return m
        start, stop = self.b_toff[k], self.b_toff[k + 1]  # type: ignore[attr-defined]
        a, b = bisect_left(self.t_pos, lo, start, stop), bisect_left(self.t_pos, hi, start, stop)  # type: ignore[attr-defined]
        return self._sum(self.t_cp3, start, a, b) + self.b_bo[k] * (m - self._sum(self.t_cp2, start, a, b))  # type: ignore[attr-defined]


def _save(path: Path, words: list[str], arrays: dict[str, array]) -> None:
    """Write the index: the words, then each array (type, length, its bytes from an offset that
    is a multiple of 8, so that it can be mapped); older indexes in the folder are removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        text = "\0".join(words).encode("utf-8")
        f.write(_MAGIC + struct.pack("<I", len(text)) + text)
        for name, code in _FIELDS.items():
            f.write(struct.pack("<cI", code.encode(), len(arrays[name])))
            f.write(bytes(-f.tell() % 8))
            arrays[name].tofile(f)
    tmp.replace(path)  # whole or not at all
    for old in path.parent.glob("sphinx-trigrams-*.bin"):
        if old != path:
            old.unlink(missing_ok=True)


def _load(path: Path) -> tuple[list[str], dict[str, memoryview]]:
    """The words and the arrays of an index file, the arrays mapped (read from the disk as they
    are used, so they take memory only for the parts a member's writing reaches)."""
    with path.open("rb") as f:
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    if data[:len(_MAGIC)] != _MAGIC:
        raise ValueError(f"{path} is not an index file")
    pos = len(_MAGIC)
    (k,) = struct.unpack_from("<I", data, pos)
    words = data[pos + 4:pos + 4 + k].decode("utf-8").split("\0")
    pos += 4 + k
    arrays, view = {}, memoryview(data)
    for name, want in _FIELDS.items():
        code, n = struct.unpack_from("<cI", data, pos)
        pos += 5
        pos += -pos % 8
        size = array(want).itemsize * n
        if code.decode() != want or pos + size > len(data):
            raise ValueError(f"{path} is damaged")
        arrays[name] = view[pos:pos + size].cast(want)
        pos += size
    return words, arrays  # (the views keep the mapping open)
