"""General English word trigrams for ranking predictions: CMU Sphinx's US English language
model (``en-us.lm.bin``, about 72,000 words, 2 million pairs and 1.7 million triples), which
the pocketsphinx wheel already ships (BSD-2-Clause, Carnegie Mellon University). It is read
through pocketsphinx's own n-gram code (memory-mapped; a query takes under a microsecond), so
nothing is built or downloaded. No Qt here.

Only whole-word probabilities are asked of it (``P(word | earlier, previous)``), for ranking
the prediction row; the letters' probabilities stay with the word model, whose learned words
and pairs it cannot know. Measured on ``dev.txt`` (bench/text_entry.py), see the README.
"""

from __future__ import annotations

import math
import threading

__all__ = ["SphinxTrigrams"]

_BITS = math.log2(1.0001)  # pocketsphinx scores are logarithms to the base 1.0001
_UNKNOWN = -500_000  # scores below this mean "a word the model does not have"


class SphinxTrigrams:
    """``P(word | earlier, previous)`` from pocketsphinx's US English model, loaded on first use;
    :meth:`probability` returns None where the model (or the word) is not there."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self._model: object | None = None
        self._keep: tuple[object, ...] = ()
        self._tried = False
        self._lock = threading.Lock()

    def load(self) -> bool:
        """Open the model now (otherwise on first use); False when pocketsphinx or its model is
        missing (the predictor then ranks by the word model alone)."""
        with self._lock:
            if not self._tried:
                self._tried = True
                try:
                    import pocketsphinx as ps  # lazy: optional at run time

                    path = self.path or ps.get_model_path("en-us/en-us.lm.bin")
                    config, logmath = ps.Config(), ps.LogMath(1.0001)
                    config["logfn"] = "/dev/null"
                    # The config and log tables must live as long as the model: freed early,
                    # the C code reads freed memory.
                    self._model, self._keep = ps.NGramModel(config, logmath, path), (config, logmath)
                except Exception:  # noqa: BLE001 - any failure means "no trigrams", never a crash
                    self._model = None
        return self._model is not None

    def probability(self, word: str, previous: str, earlier: str = "<s>") -> float | None:
        """``P(word | earlier, previous)`` (``<s>`` is a sentence start); None for an unknown
        word or when there is no model."""
        if not self._tried:
            self.load()
        model = self._model
        if model is None or " " in word:
            return None
        history = [previous] if previous == "<s>" else [previous, earlier]
        score = model.prob([word, *history])  # type: ignore[attr-defined]
        return None if score < _UNKNOWN else 2.0 ** (score * _BITS)
