"""Turning CMU Sphinx's ``en-us.lm.bin`` round into the index file that
:class:`~app.access.trigram_index.TrigramIndex` maps, and the child process that does it.

The model file (sphinxbase's ``lm_trie``, after KenLM) keeps each n-gram under its *last* word;
the index groups the pairs by their *first* word and the triples by their first two (their
*context*), each group in vocabulary order. Nothing is rounded: a pair's or a triple's
probability and a context's back-off are kept as the model's own 16-bit quantisation codes (with
its three 65,536-value tables), a word as its low 16 bits (each group says where its words pass
65,536), and the sums a prefix's mass needs as running sums every 32 entries only (the rest is
summed when asked, at most 62 codes). About 27 MB, against 63 MB for running sums at every entry.

Turning the file round is 20-45 s of pure Python (about 150 MB while it runs), so the app does it
in a child process at low priority (:func:`main`, ``child_command("trigram-index", ...)``): the
window's own process never holds the interpreter for it. The file is written beside its final
name and renamed into place (:func:`app.store.files.atomic_writer`), so a reader finds the whole
file or none; two builders take turns on a lock file, and the second finds the file made.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import mmap
import os
import signal
import struct
import sys
import threading
import time
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from pathlib import Path

from app.store.files import atomic_writer

__all__ = ["BLOCK", "HIGH", "build", "ensure", "index_name", "load", "main"]

_HEADER = b"Trie Language Model"
_LN_BASE = math.log(1.0001)  # the file's scores are logarithms to the base 1.0001
BLOCK = 32  # running sums every BLOCK entries
HIGH = 65536  # words are stored as their low 16 bits; a group's words from HIGH on follow its split
_VERSION = 3
_MAGIC = b"canvas trigram index 3\n"
_END = b"end of index\n"
# name -> array type: unigrams (p1, bo1, cum1 the running sum of p1), the model's three tables
# (q2 pair probabilities, qbo pair back-offs, q3 triple probabilities), the pairs grouped by first
# word (boff offsets, b_split where the group's words pass HIGH, b_pos words, b_p2 codes in q2,
# b_blk2 / b_blk1 running sums of their probabilities and of their words' unigram ones), the
# contexts (c_pair the pair, c_bo its code in qbo, c_off, c_split) and their triples (t_pos, t_p3
# codes in q3, t_p2 the pair (v w)'s code in q2, t_blk3 / t_blk2 their running sums).
FIELDS = {"p1": "d", "bo1": "f", "cum1": "d", "q2": "d", "qbo": "d", "q3": "d",
          "boff": "I", "b_split": "H", "b_pos": "H", "b_p2": "H", "b_blk2": "d", "b_blk1": "d",
          "c_pair": "I", "c_bo": "H", "c_off": "I", "c_split": "H",
          "t_pos": "H", "t_p3": "H", "t_p2": "H", "t_blk3": "d", "t_blk2": "d"}


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


def _read(path: str) -> tuple[list[str], dict[str, object]]:
    """The model file's vocabulary, tables and bit-packed columns."""
    data = Path(path).read_bytes()
    if not data.startswith(_HEADER) or data[len(_HEADER)] != 3:
        raise ValueError(f"{path} is not a trigram model in pocketsphinx's binary format")
    pos = len(_HEADER) + 1
    n1, n2, n3 = struct.unpack_from("<3I", data, pos)
    pos += 12 + 4
    quant = array("d", (_prob(s) for s in array("f", data[pos:pos + 4 * 3 * HIGH])))
    pos += 4 * 3 * HIGH
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
    if words != sorted(words):
        raise ValueError("the model's vocabulary is not in sorted order")
    return words, dict(quant=quant, ug=ug, nxt=nxt, bw=bw, bbo=bbo, bp=bp, bn=bn, tw=tw, tp=tp)


def build(path: str) -> tuple[list[str], dict[str, array]]:
    """Read the model at *path* and group its pairs by first word, its triples by their first two
    (see the module). Backing off as the ARPA model does: ``P(w | u v) = P3(u v w)`` if listed,
    else ``bo(u v) P(w | v)``; ``P(w | v) = P2(v w)`` if listed, else ``bo(v) P1(w)``."""
    words, f = _read(path)
    quant, ug, nxt, bw, bbo, bp, bn, tw, tp = (f[k] for k in ("quant", "ug", "nxt", "bw", "bbo", "bp",
                                                              "bn", "tw", "tp"))
    n1 = len(words)
    n2 = nxt[n1]  # type: ignore[index]  # (the file counts a few pairs more than it holds)
    n3 = bn[n2]  # type: ignore[index]
    p1 = array("d", (_prob(s) for s in ug[0:3 * n1:3]))  # type: ignore[index]
    # Pairs: the file's entry i is (v = bw[i], w), w the unigram whose range holds i (w ascends).
    last = array("i")
    for w in range(n1):
        last.extend([w] * (nxt[w + 1] - nxt[w]))  # type: ignore[index]
    boff = array("I", bytes(4 * (n1 + 1)))
    for i in range(n2):
        boff[bw[i] + 1] += 1  # type: ignore[index]
    for v in range(n1):
        boff[v + 1] += boff[v]
    fill, new = array("I", boff), array("i", bytes(4 * n2))
    b_pos, b_p2, b_bo = array("i", new), array("H", bytes(2 * n2)), array("H", bytes(2 * n2))
    for i in range(n2):  # in order of w, so each group comes out in vocabulary order
        v = bw[i]  # type: ignore[index]
        j = fill[v]
        fill[v] = j + 1
        new[i], b_pos[j], b_p2[j], b_bo[j] = j, last[i], bp[i], bbo[i]  # type: ignore[index]
    # Triples: entry t is (u = tw[t], v, w) under the file's pair i = (v, w); its context (u, v)
    # is the pair stored under v keyed by u (found by bisection), renumbered as above.
    t_ctx, t_par = array("i", bytes(4 * n3)), array("i", bytes(4 * n3))
    toff = array("I", bytes(4 * (n2 + 1)))
    for i in range(n2):
        v = bw[i]  # type: ignore[index]
        start, stop = nxt[v], nxt[v + 1]  # type: ignore[index]
        for t in range(bn[i], bn[i + 1]):  # type: ignore[index]
            c = bisect_left(bw, tw[t], start, stop)  # type: ignore[arg-type,index]
            c = new[c] if c < stop and bw[c] == tw[t] else -1  # type: ignore[index]  # (all listed)
            t_ctx[t], t_par[t] = c, i
            toff[c + 1] += 1
    for j in range(n2):
        toff[j + 1] += toff[j]
    fill = array("I", toff)
    t_pos, t_p3, t_p2 = array("i", bytes(4 * n3)), array("H", bytes(2 * n3)), array("H", bytes(2 * n3))
    for t in range(n3):  # in order of w again
        c = t_ctx[t]
        if c >= 0:
            j = fill[c]
            fill[c] = j + 1
            t_pos[j], t_p3[j], t_p2[j] = last[t_par[t]], tp[t], bp[t_par[t]]  # type: ignore[index]
    n3 = toff[n2]
    del t_ctx, t_par, fill, new, f
    # Contexts: the pairs with triples, and any whose back-off is not 1 (all its triples back off).
    c_pair = array("I", (j for j in range(n2) if toff[j + 1] > toff[j] or quant[HIGH + b_bo[j]] != 1.0))
    c_off = array("I", (toff[j] for j in c_pair))
    c_off.append(n3)
    c_bo = array("H", (b_bo[j] for j in c_pair))
    q2, qbo, q3 = quant[:HIGH], quant[HIGH:2 * HIGH], quant[2 * HIGH:]
    cum1 = array("d", [0.0])
    for x in p1:
        cum1.append(cum1[-1] + x)
    return words, dict(
        p1=p1, bo1=array("f", (_prob(s) for s in ug[1:3 * n1:3])), cum1=cum1,  # type: ignore[index]
        q2=q2, qbo=qbo, q3=q3, boff=boff, b_split=_splits(b_pos, boff),
        b_blk2=_blocks(b_p2, q2, n2), b_blk1=_blocks(b_pos, p1, n2), b_pos=_low(b_pos, n2), b_p2=b_p2,
        c_pair=c_pair, c_bo=c_bo, c_off=c_off, c_split=_splits(t_pos, c_off),
        t_blk3=_blocks(t_p3, q3, n3), t_blk2=_blocks(t_p2, q2, n3), t_pos=_low(t_pos, n3),
        t_p3=t_p3[:n3], t_p2=t_p2[:n3])


def _splits(ids: array, offsets: array) -> array:
    """For each group ``ids[offsets[g]:offsets[g + 1]]`` (sorted), how many of its words are below HIGH."""
    return array("H", (bisect_left(ids, HIGH, offsets[g], offsets[g + 1]) - offsets[g]
                       for g in range(len(offsets) - 1)))


def _low(ids: array, n: int) -> array:
    return array("H", (x & (HIGH - 1) for x in ids[:n]))


def _blocks(codes: array, table: array, n: int) -> array:
    """Running sums of ``table[codes[i]]`` over ``i < n``: entry k is the sum of the first BLOCK * k."""
    sums, total = array("d", [0.0]), 0.0
    for i in range(n):
        total += table[codes[i]]
        if (i + 1) % BLOCK == 0:
            sums.append(total)
    return sums


def index_name(path: str) -> str:
    """The index file's name for the model at *path* (its format, size and time)."""
    stat = Path(path).stat()
    return f"sphinx-trigrams-v{_VERSION}-{stat.st_size}-{int(stat.st_mtime)}.bin"


def save(path: Path, words: list[str], arrays: dict[str, array]) -> None:
    """Write the index whole or not at all: the words, then each array (type, length, its bytes
    from an offset that is a multiple of 8, so that it can be mapped), then an end mark; other
    versions' index files in the folder are removed (a mapped one stays readable until closed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(path, durable=False) as f:  # a cache: a lost file is made again
        text = "\0".join(words).encode("utf-8")
        f.write(_MAGIC + struct.pack("<I", len(text)) + text)
        for name, code in FIELDS.items():
            f.write(struct.pack("<cI", code.encode(), len(arrays[name])))
            f.write(bytes(-f.tell() % 8))
            arrays[name].tofile(f)  # type: ignore[arg-type]
        f.write(_END)
    for old in path.parent.glob("sphinx-trigrams-*.bin"):
        if old != path:
            with contextlib.suppress(OSError):  # (another app may hold it open on Windows)
                old.unlink()


def load(path: Path) -> tuple[list[str], dict[str, memoryview]]:
    """The words and the arrays of an index file, the arrays mapped (read from the disk as they
    are used); ValueError for a file that is not a whole index of this version."""
    with path.open("rb") as f:
        try:
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError as exc:  # an empty file
            raise ValueError(f"{path} is empty") from exc
    if data[:len(_MAGIC)] != _MAGIC or data[-len(_END):] != _END:
        raise ValueError(f"{path} is not a whole index file")
    pos = len(_MAGIC)
    (k,) = struct.unpack_from("<I", data, pos)
    words = data[pos + 4:pos + 4 + k].decode("utf-8").split("\0")
    pos += 4 + k
    arrays, view = {}, memoryview(data)
    for name, want in FIELDS.items():
        code, n = struct.unpack_from("<cI", data, pos)
        pos += 5
        pos += -pos % 8
        size = array(want).itemsize * n
        if code.decode("latin-1") != want or pos + size > len(data) - len(_END):
            raise ValueError(f"{path} is damaged")
        arrays[name] = view[pos:pos + size].cast(want)
        pos += size
    if pos != len(data) - len(_END) or len(arrays["p1"]) != len(words) \
            or arrays["boff"][-1] != len(arrays["b_pos"]) or arrays["c_off"][-1] != len(arrays["t_pos"]):
        raise ValueError(f"{path} is damaged")
    return words, arrays  # (the views keep the mapping open)


def ensure(path: str, cache: Path) -> Path:
    """The index file of the model at *path* in *cache*: the one there if it is whole, else built
    and written (one builder at a time: a second waits, then finds the file made)."""
    target = cache / index_name(path)
    cache.mkdir(parents=True, exist_ok=True)
    with _locked(cache / "sphinx-trigrams.lock") as alone:
        with contextlib.suppress(OSError, ValueError, EOFError, struct.error):
            load(target)
            return target
        if alone:  # no other builder: a temporary file left is a stopped build's
            for old in cache.glob(".sphinx-trigrams-*.tmp"):
                with contextlib.suppress(OSError):
                    old.unlink()
        save(target, *build(path))
    return target


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[bool]:
    """An exclusive lock on *path*, released when the block ends or the process does; True if
    taken (no lock where there is no ``fcntl``: the rename still keeps the file whole, and the
    last builder wins)."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield False
        return
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _end_with(parent: int) -> None:
    """End this process soon after the app that started it is gone (killed, so it could not stop
    the build): an index is made by an app that runs, not left running after it. A temporary
    file left is removed by the next build."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def main(argv: Sequence[str]) -> int:
    """The child process: ``--build MODEL CACHE [--parent PID]`` writes the index of MODEL in
    CACHE, at low priority, and ends if the app PID is gone first."""
    parser = argparse.ArgumentParser(prog="trigram-index")
    parser.add_argument("--build", nargs=2, metavar=("MODEL", "CACHE"), required=True)
    parser.add_argument("--parent", type=int, help="the app's process id: end when it is gone")
    args = parser.parse_args(list(argv))
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(10)  # the member's window comes first
    # Stopped (the app closing), the temporary file is removed as the write unwinds.
    signal.signal(signal.SIGTERM, lambda _sig, _frame: sys.exit(1))
    if args.parent is not None:  # (named, not read here: the app may be gone before this runs)
        threading.Thread(target=_end_with, args=(args.parent,), name="parent-watch", daemon=True).start()
    try:
        ensure(args.build[0], Path(args.build[1]))
    except (OSError, ValueError, EOFError, struct.error) as exc:
        print(f"trigram-index: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
