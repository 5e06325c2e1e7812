"""General English word trigrams for ranking predictions: CMU Sphinx's US English language
model (``en-us.lm.bin``, about 72,000 words, 2 million pairs and 1.7 million triples), which
the pocketsphinx wheel already ships (BSD-2-Clause, Carnegie Mellon University), so nothing is
downloaded. Words are asked of pocketsphinx's own n-gram code (memory-mapped; a query takes under
a microsecond) until the turned-round index (27.7 MB in the user cache folder, made once by a
child process) is there. No Qt here.

Asked only for whole words (``P(word | earlier, previous)``), it ranks the prediction row
(:meth:`Predictor.rank`), gives the likeliest words their mixed probability in the letters'
masses (:func:`rank_candidates`) and says how likely a sentence is to end after a word
(:func:`sentence_ends`); the word model keeps the rest, and the member's own words and pairs,
which the triples cannot know. Measured on ``dev.txt`` (bench/text_entry.py), see the README.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import subprocess
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from app.access.trigram_index import TrigramIndex
from app.child_process import child_command, child_env

if TYPE_CHECKING:
    from app.access.prediction import Predictor

__all__ = ["SphinxTrigrams", "default_cache", "mix_triples", "rank_candidates", "sentence_ends"]

_BITS = math.log2(1.0001)  # pocketsphinx scores are logarithms to the base 1.0001
_UNKNOWN = -500_000  # scores below this mean "a word the model does not have"
_log = logging.getLogger(__name__)


def default_cache() -> Path:
    """This computer's user cache folder for the app, where the turned-round model is kept."""
    from platformdirs import user_cache_path

    return user_cache_path("coproduction-canvas", appauthor=False)


class SphinxTrigrams:
    """``P(word | earlier, previous)`` from pocketsphinx's US English model, loaded on first use;
    :meth:`probability` returns None where the model (or the word) is not there.

    With a *cache* folder it also gives every prefix's whole mass (:meth:`masses`, from
    :class:`~app.access.trigram_index.TrigramIndex`): mapped from the cache at once, or made there
    the first time by a child process at low priority (20-45 s of pure Python that must not hold
    the window's interpreter), then picked up when the child has finished; until then, without a
    cache, or with *build* False (a run that quits as soon as it is drawn), words are asked of
    pocketsphinx's own code one at a time."""

    def __init__(self, path: str | None = None, cache: Path | str | None = None, build: bool = True) -> None:
        self.path = path
        self.cache = Path(cache) if cache else None
        self.build = build
        self.index: TrigramIndex | None = None
        self._model: tuple[object, ...] | None = None  # (model, its config, its log tables)
        self._tried = False
        self._lock = threading.Lock()
        self.builder: subprocess.Popen[bytes] | None = None  # the child making the index
        self._watch: threading.Thread | None = None
        self._closing = False

    def load(self) -> bool:
        """Open the model now (otherwise on first use); False when pocketsphinx or its model is
        missing (the predictor then ranks by the word model alone)."""
        with self._lock:
            if not self._tried:
                self._tried = True
                try:
                    import pocketsphinx as ps  # lazy: optional at run time

                    self.path = self.path or ps.get_model_path("en-us/en-us.lm.bin")
                    if self.cache is not None and TrigramIndex.cached(self.path, self.cache):
                        with contextlib.suppress(ValueError, OSError):  # not whole: made again
                            self.index = TrigramIndex.load(self.path, self.cache)
                            return True
                    config, logmath = ps.Config(), ps.LogMath(1.0001)
                    config["logfn"] = "/dev/null"
                    # The config and log tables must live as long as the model (freed early, the
                    # C code reads freed memory): one tuple, so a query in another thread holds all.
                    self._model = (ps.NGramModel(config, logmath, self.path), config, logmath)
                except Exception:  # noqa: BLE001 - any failure means "no trigrams", never a crash
                    self._model = None
                    return False
                if self.cache is not None and self.build and not self._closing:
                    self._start_build()
        return self._model is not None or self.index is not None

    def _start_build(self) -> None:
        """Start the child that writes the index, and a thread that waits for it (blocked in the
        system, not holding the interpreter) and then maps the file."""
        command = child_command("trigram-index", "--build", str(self.path), str(self.cache),
                                "--parent", str(os.getpid()))
        low = getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0)  # Windows; elsewhere os.nice
        try:  # no pipe of ours but stderr: the app's own output is not held open by the child
            self.builder = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.PIPE, env=child_env(), close_fds=True,
                                            creationflags=low)
        except OSError as exc:
            _log.warning("the trigram index could not be made: %s", exc)
            return
        self._watch = threading.Thread(target=self._take_index, args=(self.builder,),
                                       name="trigram-index", daemon=True)
        self._watch.start()

    def _take_index(self, builder: subprocess.Popen[bytes]) -> None:
        _out, err = builder.communicate()
        if builder.returncode != 0:
            if not self._closing:  # (stopped by close(): nothing to tell)
                _log.warning("the trigram index was not made: %s", err.decode(errors="replace").strip())
            return
        try:
            index = TrigramIndex.load(self.path, self.cache)  # type: ignore[arg-type]
        except (ValueError, OSError) as exc:
            _log.warning("the trigram index could not be read: %s", exc)
            return
        self.index = index  # one assignment: a reader sees the model or the index
        self._model = None  # (a query under way keeps its own reference to the tuple)

    def wait(self) -> bool:
        """Wait for the child making the index (the benchmark, so that its figures do not depend
        on timing); True if the index is there."""
        self.load()
        if self._watch is not None:
            self._watch.join()
        return self.index is not None

    def close(self) -> None:
        """Stop the child making the index, if it is still at work (the app is closing: the next
        start makes it again; a file half-written is never under the index's name)."""
        with self._lock:  # (a load under way in another thread starts no child after this)
            builder, self._closing = self.builder, True
        if builder is not None and builder.poll() is None:
            builder.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                builder.wait(timeout=5)

    def probability(self, word: str, previous: str, earlier: str = "<s>") -> float | None:
        """``P(word | earlier, previous)`` (``<s>`` is a sentence start); None for an unknown
        word or when there is no model."""
        if not self._tried:
            self.load()
        if " " in word:
            return None
        model = self._model  # first: the build sets the index, then drops the model
        index = self.index
        if index is not None:
            return index.probability(word, previous, None if previous == "<s>" else earlier)
        if model is None:
            return None
        history = [previous] if previous == "<s>" else [previous, earlier]
        score = model[0].prob([word, *history])  # type: ignore[attr-defined]
        return None if score < _UNKNOWN else 2.0 ** (score * _BITS)

    def likeliest(self, prefix: str, previous: str, earlier: str | None, n: int = 8) -> list[str]:
        """Words the triples list after *earlier previous* starting with *prefix* (none until the
        index is there)."""
        index = self.index
        if index is None:
            return []
        previous = previous or "<s>"
        return index.likeliest(prefix, previous, None if previous == "<s>" else earlier or "<s>", n)

    def masses(self, prefix: str, chars: str, previous: str, earlier: str | None) -> dict[str, float] | None:
        """``P(. | earlier, previous)`` summed over every word starting with ``prefix + ch``, for
        each ch of *chars*; None until the index is there."""
        index = self.index
        if index is None:
            return None
        previous = previous or "<s>"
        return index.masses(prefix, chars, previous, None if previous == "<s>" else earlier or "<s>")


def mix_triples(predictor: Predictor, buckets: dict[str, float], prefix: str, previous: str,
                earlier: str | None) -> None:
    """Letters' masses (*buckets*) mixed with the triples' as :meth:`Predictor.rank` mixes words:
    ``w B + (1 - w) M3`` with M3 the triples' mass of every word of the prefix (``w =
    trigram_weight``); before the index is there, :func:`rank_candidates`. On ``dev.txt`` 1.528 ->
    1.513 bits/char, held out 1.598 -> 1.571 and 1.574 -> 1.557 (w 0.15 and 0.45 were worse on
    ``dev.txt``)."""
    ask = getattr(predictor.trigrams, "masses", None)  # (a stand-in may give words only)
    masses = None if ask is None else ask(prefix, "".join(buckets), previous, earlier)
    if masses is None:
        rank_candidates(predictor, buckets, prefix, previous, earlier)
        return
    w = predictor.settings["trigram_weight"]
    for ch, mass in masses.items():
        buckets[ch] = w * buckets[ch] + (1 - w) * mass


def rank_candidates(predictor: Predictor, buckets: dict[str, float], prefix: str, previous: str,
                    earlier: str | None) -> None:
    """Letters' masses (*buckets*, by the character after *prefix*) in which the likeliest words
    count with :meth:`Predictor.rank` (the triples mixed in) in place of their word-model
    probability; the other words keep theirs (the triples cannot give a prefix's whole mass)."""
    n = len(prefix)
    for word in predictor.candidates(prefix, previous):
        if len(word) > n and word[n] in buckets:
            change = predictor.rank(word, previous, earlier) - predictor.probability(word, previous)
            buckets[word[n]] = max(0.0, buckets[word[n]] + change)


def sentence_ends(trigrams: SphinxTrigrams, ends: dict[str, float], word: str, previous: str,
                  keep: float) -> dict[str, float]:
    """*ends* (what follows a finished word) with the share of ". ! ?" moved ``1 - keep`` of the
    way to the triples' ``P(</s> | previous, word)``: whether a sentence ends depends on its words."""
    stop = trigrams.probability("</s>", word, previous or "<s>")
    share = sum(ends[ch] for ch in ".!?")
    if stop is None or not 0 < share < 1:
        return ends
    want = keep * share + (1 - keep) * stop
    return {ch: v * (want / share if ch in ".!?" else (1 - want) / (1 - share)) for ch, v in ends.items()}
