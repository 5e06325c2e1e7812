"""Text-entry benchmark: a simulated switch user types a text on the on-screen keyboard.

    python -m bench.text_entry --text FILE [--step 1.0] [--json] [--project-words FILE]
                               [--pairs auto|none|FILE] [--vocab 100000] [--predict-latency]

The simulated user makes no errors and goes through the same classes as the
UI: :class:`~app.access.text_entry.KeyboardModel` (layout rows, text state,
predictions), :class:`~app.access.prediction.Predictor` and, for adaptive
scanning, :mod:`app.access.huffman`.  Each method starts from a fresh
predictor (wordfreq's English list; general English word pairs when
symspellpy is installed or ``--pairs FILE`` names its pair list; the lines of
``--project-words`` as project texts if given) that learns online, word by
word, only from text already typed.

Text handling (:func:`prepare`):

* line breaks and runs of spaces are typed as one space (a line ending in
  ``.``/``!``/``?`` therefore ends a sentence); the end of the text counts as
  a line break; curly quotes and dashes become plain ones; characters no key
  can type are dropped (and counted);
* capitals at a sentence start and "I" are automatic and free; any other
  capital costs a shift key press before the letter, and so does a small
  letter at a sentence start;
* punctuation on the letters page (``. , '``) is one key; other punctuation
  and digits cost the ``123?`` page key then the key (the page returns to
  letters by itself); ``. , ; : ! ?`` add a space after themselves, and
  straight after a prediction's automatic space they replace that space.

Methods: ``alphabetical`` and ``frequency`` row-column scanning without
predictions; ``frequency+N`` with N predictions; ``adaptive`` is Huffman
scanning over the frequency keyboard's keys with 5 predictions.  Strategy:
the user takes a prediction as soon as one gives exactly the intended text
and costs fewer steps than typing the rest of the word (and its space)
letter by letter at the current costs; adaptively, as soon as it covers two
or more characters or costs no more than the next letter.

Measures per character of the prepared text:

* ``steps_per_char``: scan steps (each lasts one step time) -- row + column
  per key for row-column scanning, code length (+1 for a final lone key)
  for Huffman scanning;
* ``act1_per_char``: switch presses with one switch (automatic scanning);
* ``act2_per_char``: presses with two switches (step scanning);
* ``kspc``: keystrokes per character for a keyboard user, who types every
  character with one key (shift + letter = 2; no page key) and picks
  prediction k with one key (F1-F5), taking it when that saves keystrokes;
  ``keystroke_savings`` = 1 - kspc;
* ``cpm``: characters per minute in automatic scanning, 60 * chars /
  (steps * step_time), ignoring extra dwell on first items and pauses.

``cross_entropy_bits_per_char`` is -log2 P(char) averaged over the prepared
text (lower-cased), with P from :meth:`Predictor.letter_distribution` and the
same word-by-word online learning.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from app.access.adaptive import MORE, offered
from app.access.huffman import code_cost, huffman_code, key_probabilities
from app.access.keyboard_layout import Key, key_costs, rows_for
from app.access.prediction import CHARSET, Predictor, SymspellPairs, WordfreqSource
from app.access.text_entry import CLOSING, I_WORDS, KeyboardModel, split_context
from app.access.trigrams import SphinxTrigrams, default_cache
from bench.prediction_speed import predict_latency

METHODS: dict[str, tuple[str, int, str]] = {  # name -> (layout, predictions, scanning)
    "alphabetical": ("alphabetical", 0, "rowcol"),
    "frequency": ("frequency", 0, "rowcol"),
    "frequency+1": ("frequency", 1, "rowcol"),
    "frequency+3": ("frequency", 3, "rowcol"),
    "frequency+5": ("frequency", 5, "rowcol"),
    "adaptive": ("frequency", 5, "huffman"),
}
_TYPOGRAPHY = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
_WORD_RE = re.compile(r"[A-Za-z0-9']")


def prepare(text: str, model: KeyboardModel) -> tuple[str, int]:
    """The text as the user will type it, and how many characters were dropped."""
    for old, new in _TYPOGRAPHY.items():
        text = text.replace(old, new)
    text = re.sub(r"\s+", " ", text).strip() + " "
    kept = [c for c in text if c.isascii() and (c.isalpha() or model.layout.find_char(c))]
    return "".join(kept), len(text) - len(kept)


@dataclass
class Tally:
    """Totals of one simulated run."""

    steps: float = 0.0
    act1: float = 0.0
    act2: float = 0.0
    keys: float = 0.0
    words: int = 0  # prediction keys chosen


class SimulatedUser:
    """Types *target* without errors with *model*, scoring keys by *scoring*.

    *scoring*: ``"rowcol"`` (row-column scan costs), ``"huffman"`` (Huffman
    scanning codes) or ``"keys"`` (a keyboard user's keystrokes).
    """

    def __init__(self, target: str, model: KeyboardModel, scoring: str) -> None:
        self.target, self.model, self.scoring = target, model, scoring
        self.tally = Tally()
        self._codes: dict[str, str] = {}

    def run(self) -> Tally:
        """Type the whole target; returns the totals."""
        state = self.model.state
        self._new_codes()
        while len(state.text) < len(self.target):
            fix = self._fix()
            if fix is not None:
                self._press(fix)
                continue
            plan = self._plan(self._position())
            choice = self._prediction(plan)
            for key in [choice] if choice else plan:
                self._press(key)
            if not self._consistent(state.text):
                wanted = self.target[:len(state.text)]
                raise RuntimeError(f"typed {state.text[-40:]!r}, wanted {wanted[-40:]!r}")
        return self.tally

    def _position(self) -> int:
        """Index in the target of the next character to type."""
        state = self.model.state
        n = len(state.text)
        if state.auto_space and state.text.endswith(" ") and self.target[n - 1:n] != " ":
            return n - 1  # the automatic space the next character takes back (or _fix removes)
        return n

    def _fix(self) -> Key | None:
        """The key a user presses first where the automatic space would come out wrong:
        Space to keep it (a sentence after "e.g." or a one-letter word), Backspace to drop it
        ("a,b"); None when typing on is right."""
        state = self.model.state
        n = len(state.text)
        if not (state.auto_space and state.text.endswith(" ")) or n >= len(self.target):
            return None
        wants_space = self.target[n - 1] == " "
        trial = state.copy()
        trial.type_char((self.target[n] if wants_space else self.target[n - 1]).lower())
        took_back = trial.text[n - 1:n] != " "
        if wants_space and took_back:
            return self.model.layout.key("space")
        if not wants_space and not took_back:
            return self.model.layout.key("backspace")
        return None

    def _consistent(self, text: str) -> bool:
        text = text[:self._position()]
        prefix = split_context(text).prefix
        done = len(text) - len(prefix)
        # "i." is "I." until the next letter shows it goes on ("i.e"): the case of the last
        # characters before an automatic space may still change.
        exact = max(0, done - (3 if self.model.state.auto_space else 0))
        tail = self.target[exact:len(text)]
        return text[:exact] == self.target[:exact] and text[exact:].lower() == tail.lower()

    def _plan(self, pos: int) -> list[Key]:
        """The keys that type the character at *pos*."""
        ch, model = self.target[pos], self.model
        found = model.layout.find_char(ch.lower() if ch.isalpha() else ch)
        if found is None:
            raise ValueError(f"no key types {ch!r}")
        page, key = found
        if page != model.page:
            return [model.layout.key(f"page:{page}"), key]
        if ch.isalpha() and ch.isupper() != model.state.capital_next() and not self._i_word(pos):
            return [model.layout.key("shift"), key]
        return [key]

    def _i_word(self, pos: int) -> bool:
        """True if the letter at *pos* is the "I" the I-rule will capitalise."""
        start = split_context(self.target[:pos]).prefix == ""
        word = re.match(r"[A-Za-z']*", self.target[pos:]).group()  # type: ignore[union-attr]
        return start and word.lower() in I_WORDS and word[:1] == "I" and word[1:] == word[1:].lower()

    def _cost(self, key: Key) -> tuple[float, float, float, float]:
        """(steps, one-switch presses, two-switch presses, keystrokes) to select *key* now."""
        if self.scoring == "keys":
            return (0.0, 0.0, 0.0, 0.0 if key.kind == "page" else 1.0)
        if self.scoring == "huffman" and key.id in self._codes:
            cost = code_cost(self._codes[key.id])
            return (cost.steps, cost.act_one, cost.act_two, 0.0)
        if self.scoring == "huffman":  # a key the model gives nothing: "Other choices", then the rows
            more, rowcol = code_cost(self._codes[MORE]), key_costs(self.model.rows())[key.id]
            return (more.steps + rowcol.steps, more.act_one + rowcol.act_one, more.act_two + rowcol.act_two,
                    0.0)
        cost = key_costs(self.model.rows())[key.id]
        return (cost.steps, cost.act_one, cost.act_two, 0.0)

    def _metric(self, key: Key) -> float:
        steps, _one, _two, keys = self._cost(key)
        return keys if self.scoring == "keys" else steps

    def _press(self, key: Key) -> None:
        steps, one, two, keys = self._cost(key)
        t = self.tally
        t.steps, t.act1, t.act2, t.keys = t.steps + steps, t.act1 + one, t.act2 + two, t.keys + keys
        t.words += key.kind == "prediction"
        self.model.press(key)
        self._new_codes()

    def _new_codes(self) -> None:
        if self.scoring == "huffman":
            self._codes = huffman_code(offered(key_probabilities(self.model)))

    def _prediction(self, plan: list[Key]) -> Key | None:
        """The prediction key to take now, or None (see the module docstring)."""
        model = self.model
        if model.page != "letters" or not model.words:
            return None
        pos, best, best_cost = self._position(), None, math.inf
        for slot, word in enumerate(model.words, start=1):
            trial = model.state.copy()
            trial.insert_prediction(model.predictor.cased(word))
            end = len(trial.text) - 1  # before the automatic space
            fits = self.target.startswith(trial.text) or (
                self.target.startswith(trial.text[:end]) and self.target[end:end + 1] in CLOSING
            )
            key = model.rows()[0][slot - 1]
            if fits and end > pos and self._metric(key) < best_cost:
                best, best_cost = key, self._metric(key)
        if best is None:
            return None
        end = end_of_word(self.target, pos)
        covered = self.target[pos:end]
        if self.scoring == "huffman":
            plan_cost = self._plan_cost(plan)
            return best if len(covered) >= 2 or best_cost <= plan_cost else None
        rest = covered[1:] + (" " if self.target[end:end + 1] == " " else "")
        typing = self._plan_cost(plan) + sum(self._char_cost(ch) for ch in rest)
        return best if best_cost < typing else None

    def _plan_cost(self, plan: list[Key]) -> float:
        """What *plan* costs from here; a key of the page it switches to at that page's costs."""
        on_page = {k.id for row in self.model.rows() for k in row}
        other = key_costs(rows_for(self.model.layout, "symbols"))
        return sum(self._metric(k) if k.id in on_page else 1.0 if self.scoring == "keys"
                   else other[k.id].steps for k in plan)

    def _char_cost(self, ch: str) -> float:
        """Cost of typing *ch* from the letters page at the current costs (shift and page included)."""
        layout = self.model.layout
        page, key = layout.find_char(ch.lower() if ch.isalpha() else ch)  # type: ignore[misc]
        if self.scoring == "keys":
            return 2.0 if ch.isupper() else 1.0
        cost = self._metric(layout.key("shift")) if ch.isupper() else 0.0
        if page == "letters":
            return cost + self._metric(key)
        symbol = key_costs(rows_for(layout, "symbols"))[key.id].steps
        return cost + self._metric(layout.key("page:symbols")) + symbol


def end_of_word(text: str, pos: int) -> int:
    """Index just past the word (or phrase of words) that starts or continues at *pos*."""
    end = pos
    while end < len(text) and _WORD_RE.match(text[end]):
        end += 1
    return end


def simulate(
    text: str, predictor: Predictor, layout: str, predictions: int, scoring: str
) -> tuple[Tally, int]:
    """One run with a fresh copy of *predictor*; returns the totals and the characters typed."""
    model = KeyboardModel(predictor.fresh(), layout, predictions, learn="word")
    target, _dropped = prepare(text, model)
    return SimulatedUser(target, model, scoring).run(), len(target)


def cross_entropy(text: str, predictor: Predictor) -> float:
    """Bits per character of the prepared, lower-cased *text* under online learning."""
    model = KeyboardModel(predictor.fresh(), "frequency", 0)
    target, _dropped = prepare(text, model)
    pred, bits = model.predictor, 0.0
    for i, ch in enumerate(target):
        ctx = split_context(target[:i])
        dist = pred.letter_distribution(ctx.prefix, ctx.previous, after=ctx.after, earlier=ctx.earlier)
        bits -= math.log2(dist.get(ch.lower(), 1e-6) if ch.lower() in CHARSET else 1e-6)
        if ctx.prefix and not _WORD_RE.match(ch):
            pred.learn_word(ctx.prefix, ctx.previous, ch)
    return bits / len(target)


def evaluate(text: str, predictor: Predictor, step_time: float = 1.0,
             methods: dict[str, tuple[str, int, str]] | None = None) -> dict[str, object]:
    """Run every method on *text*; the dict printed by ``--json``."""
    out: dict[str, dict[str, float]] = {}
    keyboard: dict[int, float] = {}
    chars = 0
    for name, (layout, n, scanning) in (methods or METHODS).items():
        tally, chars = simulate(text, predictor, layout, n, scanning)
        if n not in keyboard:
            keys, _ = simulate(text, predictor, layout, n, "keys")
            keyboard[n] = keys.keys / chars
        out[name] = {
            "steps_per_char": tally.steps / chars,
            "act1_per_char": tally.act1 / chars,
            "act2_per_char": tally.act2 / chars,
            "kspc": keyboard[n],
            "keystroke_savings": 1 - keyboard[n],
            "cpm": 60 * chars / (tally.steps * step_time),
            "words_in_code": tally.words,
        }
    return {"methods": out, "cross_entropy_bits_per_char": cross_entropy(text, predictor), "chars": chars}


def _print_report(result: dict[str, object], path: str, step_time: float) -> None:
    rules = __doc__.split("Text handling (:func:`prepare`):")[1].split("\nMeasures")[0]
    print("Text handling:" + rules.replace("``", "").rstrip())
    print(f"\n{path}: {result['chars']} characters, step time {step_time:g} s, "
          f"general word pairs: {result['pairs'] or 'none'}\n")
    print(f"{'method':<14}{'steps/ch':>9}{'act1/ch':>9}{'act2/ch':>9}{'KSPC':>7}{'saved':>7}{'cpm':>7}")
    for name, m in result["methods"].items():  # type: ignore[attr-defined]
        print(f"{name:<14}{m['steps_per_char']:9.2f}{m['act1_per_char']:9.2f}{m['act2_per_char']:9.2f}"
              f"{m['kspc']:7.2f}{m['keystroke_savings']:7.0%}{m['cpm']:7.1f}")
    print(f"\ncross-entropy: {result['cross_entropy_bits_per_char']:.2f} bits per character")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--text", required=True, help="text file to type")
    parser.add_argument("--step", type=float, default=1.0, help="scan step time in seconds")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--project-words", help="file of project texts (one per line)")
    parser.add_argument("--vocab", type=int, default=100_000, help="wordfreq words to load")
    parser.add_argument("--pairs", default="auto",
                        help="general word pairs: 'auto' (symspellpy's list if installed), 'none' or a file")
    parser.add_argument("--trigrams", default="auto", choices=("auto", "words", "none"),
                        help="pocketsphinx's US English trigrams (if installed): 'auto' with every "
                             "prefix's mass (the index in the user cache, made first if missing), "
                             "'words' asked one word at a time, or 'none'")
    parser.add_argument("--predict-latency", action="store_true", help="time predict() on more queries")
    args = parser.parse_args(argv)
    text = Path(args.text).read_text(encoding="utf-8")
    pairs = None if args.pairs == "none" else SymspellPairs(None if args.pairs == "auto" else args.pairs)
    trigrams = None if args.trigrams == "none" else SphinxTrigrams(
        cache=default_cache() if args.trigrams == "auto" else None)
    if trigrams is not None:
        trigrams.wait()
    predictor = Predictor(WordfreqSource(args.vocab), bigrams=pairs, trigrams=trigrams)
    predictor.load()
    if args.project_words:
        predictor.set_project_words(Path(args.project_words).read_text(encoding="utf-8").splitlines())
    result = evaluate(text, predictor, args.step)
    result["pairs"] = str(pairs.find()) if pairs and pairs.find() else None
    result["trigrams"] = bool(trigrams and trigrams.load())
    result["trigram_masses"] = bool(trigrams and trigrams.index)
    result["latency"] = predict_latency(predictor, text, 3000 if args.predict_latency else 300)
    result["prediction_ms_p95"] = result["latency"]["predict_p95_ms"]
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        print()
        return 0
    _print_report(result, args.text, args.step)
    lat = result["latency"]
    print(f"predict(): p50 {lat['predict_p50_ms']:.2f} ms, p95 {lat['predict_p95_ms']:.2f} ms "
          f"(target <= 20 ms), max {lat['predict_max_ms']:.2f} ms over {lat['calls']} calls, "
          f"vocabulary {lat['vocabulary']}; letter_distribution() p95 {lat['letters_p95_ms']:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
