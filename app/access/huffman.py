"""Huffman scanning (Roark et al. 2013): the language model chooses what to highlight.

Instead of scanning rows then keys in a fixed order, each scan step
highlights a *set* of keys.  The member presses the switch if the key they
want is in the set ("yes") and waits for the step to time out if not ("no").
The sets come from a binary Huffman code over the keys' probabilities, so a
likely key is reached in few steps.  The keys stay where they are on screen.

Code: bit "1" = the key is in the highlighted set (press), "0" = it is not
(let the step pass).  A key must be selected by a press: when a "no"
leaves a single key, that key is highlighted alone for one more step and
selected by a press (never by a timeout).  To keep such extra steps rare, at
each branch the highlighted side is a single key when one side is a single
key (the likelier one when both are), and otherwise the less likely side, so
presses are fewer.

Cost model, per selected key (see :func:`code_cost`):

* ``steps``: scan steps (each lasts one step time) = code length, plus one if
  the last bit is "0" (the extra step showing the single key);
* ``act_one``: presses with one switch and automatic scanning = number of
  "1" bits (plus the press on the extra step);
* ``act_two``: presses with two switches (one for "no", one for "yes", so
  nothing waits for a timeout and no extra step is needed) = code length.

Use, for each selection on the keyboard::

    scan = HuffmanScan(key_probabilities(model))   # predictions are keys too
    highlight(scan.highlighted())                  # each step
    scan.yes() / scan.no()                         # press / step timed out
    if scan.selected: model.press(scan.selected)   # then a new HuffmanScan
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.access.text_entry import AUTO_SPACE_AFTER, CLOSING

if TYPE_CHECKING:
    from app.access.text_entry import KeyboardModel

__all__ = ["CodeCost", "HuffmanScan", "code_cost", "huffman_code", "key_probabilities"]

COMMAND_ODDS = {"backspace": 0.01, "delete_word": 0.002, "undo": 0.002, "clear": 0.001,
                "speak": 0.002, "done": 0.003, "page:letters": 0.02}
"""Fixed probabilities of the command keys (and of leaving the symbols page)."""


@dataclass(frozen=True)
class CodeCost:
    """Steps and switch activations to select one key (see the module docstring)."""

    steps: int
    act_one: int
    act_two: int


def huffman_code(probabilities: Mapping[str, float]) -> dict[str, str]:
    """A binary code for every symbol with probability > 0 ("1" = highlighted).

    Builds the plain Huffman tree and a variant that avoids pairing two single
    keys (which costs the extra confirming step) when pairing a key with a
    small group is cheaper; returns the code with fewer expected steps.  A
    single symbol gets the code "1".  Ties are broken by symbol order.
    """
    probs = {s: float(p) for s, p in sorted(probabilities.items()) if p > 0}
    if len(probs) <= 1:
        return dict.fromkeys(probs, "1")
    codes = [_label(_tree(probs, avoid_pairs)) for avoid_pairs in (False, True)]
    return min(codes, key=lambda c: sum(probs[s] * code_cost(c[s]).steps for s in c))


def _tree(probs: Mapping[str, float], avoid_pairs: bool) -> object:
    """Huffman merging; a node is a symbol or ``(a, weight_a, b, weight_b)``."""
    counter = itertools.count()
    heap: list[tuple[float, int, object]] = [(p, next(counter), s) for s, p in probs.items()]
    heapq.heapify(heap)
    while len(heap) > 1:
        a, b = heapq.heappop(heap), heapq.heappop(heap)
        if avoid_pairs and isinstance(a[2], str) and isinstance(b[2], str):
            groups = [x for x in heap if not isinstance(x[2], str)]
            c = min(groups) if groups else None
            if c is not None and c[0] < a[0] + b[0]:
                heap.remove(c)
                heapq.heapify(heap)
                heapq.heappush(heap, b)
                b = c
        heapq.heappush(heap, (a[0] + b[0], next(counter), (a[2], a[0], b[2], b[0])))
    return heap[0][2]


def _label(root: object) -> dict[str, str]:
    """Codes from a tree: a single key is the highlighted side when the other is a group,
    the likelier key when both are keys, and the less likely group otherwise."""
    codes: dict[str, str] = {}
    stack: list[tuple[object, str]] = [(root, "")]
    while stack:
        node, prefix = stack.pop()
        if isinstance(node, str):
            codes[node] = prefix
            continue
        a, pa, b, pb = node  # type: ignore[misc]
        a_leaf, b_leaf = isinstance(a, str), isinstance(b, str)
        yes_first = a_leaf if a_leaf != b_leaf else (pa >= pb if a_leaf else pa <= pb)
        yes, no = (a, b) if yes_first else (b, a)
        stack.append((yes, prefix + "1"))
        stack.append((no, prefix + "0"))
    return codes


def code_cost(code: str) -> CodeCost:
    """The :class:`CodeCost` of selecting a key whose code is *code*."""
    extra = 1 if code.endswith("0") else 0
    return CodeCost(len(code) + extra, code.count("1") + extra, len(code))


class HuffmanScan:
    """One selection by Huffman scanning: which keys to highlight, step by step.

    Create it with the key probabilities for the current keyboard state; show
    :meth:`highlighted`; call :meth:`yes` on a press and :meth:`no` when the
    step times out; when :attr:`selected` is not None, perform that key and
    make a new HuffmanScan for the next state.  A "no" on the last single
    key (the member did not want it after all) restarts the selection.
    """

    def __init__(self, probabilities: Mapping[str, float], confirm_last: bool = True) -> None:
        """Build the code over *probabilities* (key id -> probability).

        *confirm_last* (one switch): a key left alone by a "no" must still be
        pressed; False (two switches, "no" is a press too) selects it at once.
        """
        self.codes = huffman_code(probabilities)
        self.confirm_last = confirm_last
        self._bits = ""
        self.selected: str | None = None

    def candidates(self) -> list[str]:
        """Keys still possible, given the answers so far."""
        return [k for k, c in self.codes.items() if c.startswith(self._bits)]

    def highlighted(self) -> frozenset[str]:
        """The keys to highlight now."""
        cands = self.candidates()
        if len(cands) == 1:
            return frozenset(cands)
        n = len(self._bits)
        return frozenset(k for k in cands if self.codes[k][n] == "1")

    def yes(self) -> str | None:
        """The member pressed: keep the highlighted keys; returns the selection, if made."""
        cands = self.candidates()
        if len(cands) == 1:
            self.selected = cands[0]
        else:
            self._bits += "1"
            self._settle()
        return self.selected

    def no(self) -> None:
        """The step timed out: the key is not highlighted."""
        if len(self.candidates()) == 1:
            self._bits = ""
        else:
            self._bits += "0"
            self._settle()

    def _settle(self) -> None:
        cands = self.candidates()
        if len(cands) == 1 and self.codes[cands[0]] == self._bits and (
            self._bits.endswith("1") or not self.confirm_last
        ):
            self.selected = cands[0]


def key_probabilities(model: KeyboardModel) -> dict[str, float]:
    """Probability of each key of *model*'s current page being wanted next.

    Predictions get their probability of being the word; characters share
    the rest by :meth:`Predictor.letter_distribution` (without the shown or
    passed-over words; after a prediction's automatic space, punctuation that
    would replace it gets the member's rate of punctuation after words);
    characters not on the page go to its page key; shift gets the member's
    rate of capitals; commands get :data:`COMMAND_ODDS`.
    """
    state, predictor = model.state, model.predictor
    ctx = state.context()
    keys = [k for row in model.rows() for k in row]
    probs: dict[str, float] = {}
    if model.page == "letters" and model.words:
        # Words passed over are not the member's word: their share goes to the rest.
        picks = predictor.completion_probabilities(ctx.prefix, ctx.previous, model.words, passed=model.passed,
                                                   earlier=ctx.earlier)
        scale = min(1.0, 0.9 / (sum(picks.values()) or 1.0))
        for i, w in enumerate(model.words):
            probs[f"prediction:{i + 1}"] = picks[w] * scale
    rest = 1.0 - sum(probs.values())
    letters = predictor.letter_distribution(ctx.prefix, ctx.previous, after=ctx.after,
                                            exclude=[*model.words, *model.passed], earlier=ctx.earlier)
    if state.auto_space and state.before[-2:-1] not in tuple(AUTO_SPACE_AFTER):
        ends = predictor.end_distribution()
        marks = {ch: ends[ch] for ch in CLOSING}
        share = sum(marks.values())
        letters = {ch: p * (1 - share) + marks.get(ch, 0.0) for ch, p in letters.items()}
    on_page = {k.text if k.kind == "char" else " ": k.id for k in keys if k.kind in ("char", "space")}
    page_key = next((k.id for k in keys if k.kind == "page"), None)
    for ch, p in letters.items():
        key_id = on_page.get(ch, page_key)
        if key_id is not None:
            probs[key_id] = probs.get(key_id, 0.0) + p * rest
    for k in keys:
        if k.kind == "shift":
            probs[k.id] = rest * model.capital_rate
        elif k.id in COMMAND_ODDS or k.kind in COMMAND_ODDS:
            probs[k.id] = COMMAND_ODDS.get(k.id, COMMAND_ODDS.get(k.kind, 0.0))
    total = sum(probs.values())
    return {k: v / total for k, v in probs.items() if v > 0}
