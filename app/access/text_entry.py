"""The on-screen keyboard's text, as a pure model the Qt widget and the benchmark share.

:class:`TextState` is the text and cursor with the operations the keys
perform.  :class:`KeyboardModel` puts a layout, a :class:`TextState` and a
:class:`~app.access.prediction.Predictor` together: it knows the rows to show
(with the current predictions), performs a pressed key, learns finished
words (see :func:`app.access.huffman.key_probabilities` for adaptive scanning).

Typing rules (TextState):

* **Capitals.**  The first letter of a sentence (start of text, or after
  ``.``, ``!``, ``?``) is a capital automatically; the shift key flips the
  case of the next letter (so shift at a sentence start gives a small
  letter).  "i", "i'm", "i've", "i'll", "i'd" become "I..." when finished.
* **Auto-space.**  Choosing a prediction inserts the word and a space; typing
  ``. , ; : ! ?`` adds a space after it.  Typing ``. , ; : ! ? )`` straight
  after an automatic space removes that space first ("care " + "." gives
  "care. "), and a digit after "3. " (an automatic space after a full stop,
  comma or colon after a digit) joins up: "3.5", "10.30", "1,000".  Space
  straight after an automatic space adds nothing (it makes that space the
  member's own).
* **Tokens that go on after a full stop** (:func:`continues_token`).  A
  letter or digit straight after the automatic space of "." takes that space
  back, with no capital, when what stands before the "." is one letter
  ("e." then "g" gives "e.g"), "www", or the last part of a dotted name
  ("www.example." then "o" gives "www.example.o"); so "e.g.", "i.e.", "2.5",
  "10.30" and web addresses type as written with no extra key.  A sentence
  end keeps its space and capital ("End. Next", "e.g. Then", "3. Then");
  after a one-letter word or an address that really ends a sentence, Space
  first keeps the space.
* **Predictions** replace the partial word before the cursor, keeping its
  capitals (a capital first letter, or all capitals from two letters on);
  with no partial word the sentence-start/shift rule applies.
* Every change can be undone (:meth:`TextState.undo`, 100 levels).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from app.access.keyboard_layout import Key, KeyboardLayout, get_layout, rows_for
from app.access.prediction import Predictor
from app.access.text_context import (
    AUTO_SPACE_AFTER,
    CLOSING,
    I_WORDS,
    SENTENCE_ENDS,
    Context,
    continues_token,
    split_context,
    trailing_word,
)

__all__ = [
    "AUTO_SPACE_AFTER", "CLOSING", "I_WORDS", "Context", "KeyboardModel", "TextState", "continues_token",
    "split_context", "trailing_word",
]

@dataclass(frozen=True)
class _Snapshot:
    text: str
    cursor: int
    shift: bool
    auto_space: bool


class TextState:
    """Text and cursor, changed only by the keyboard's operations (see module docstring)."""

    UNDO_LIMIT = 100

    def __init__(self, text: str = "", cursor: int | None = None) -> None:
        """Start with *text*, the cursor at *cursor* (default: the end)."""
        self._text = text
        self._cursor = len(text) if cursor is None else max(0, min(cursor, len(text)))
        self.shift = False
        self.auto_space = False
        self._undo: list[_Snapshot] = []
        self._i_ruled = -1  # where the I-rule last made "i" a capital, so "i.e" can take it back

    @property
    def text(self) -> str:
        """The whole text."""
        return self._text

    @property
    def cursor(self) -> int:
        """Cursor position (0 = before the first character)."""
        return self._cursor

    @property
    def before(self) -> str:
        """The text before the cursor."""
        return self._text[: self._cursor]

    def context(self) -> Context:
        """The prediction context at the cursor."""
        return split_context(self.before)

    def final_text(self) -> str:
        """The text to save: without an automatic space at its end."""
        return self._text.rstrip(" ") if self.auto_space else self._text

    def copy(self) -> TextState:
        """An independent copy (undo history included)."""
        other = TextState(self._text, self._cursor)
        other.shift, other.auto_space, other._undo = self.shift, self.auto_space, list(self._undo)
        other._i_ruled = self._i_ruled
        return other

    # ------------------------------------------------------------ capitals
    def auto_capital(self) -> bool:
        """True when the next letter starts a sentence (and so is a capital by itself)."""
        before = self.before
        if trailing_word(before) or (self.auto_space and continues_token(before, "a")):
            return False
        stripped = before.rstrip(" ")
        return not stripped or stripped[-1] in SENTENCE_ENDS

    def capital_next(self) -> bool:
        """True when the next letter typed will be a capital."""
        return self.auto_capital() != self.shift

    def toggle_shift(self) -> None:
        """The shift key: flip the case of the next letter."""
        self._push()
        self.shift = not self.shift

    # ---------------------------------------------------------- operations
    def type_char(self, ch: str) -> None:
        """Type one character (letters follow the capital rules; see module docstring)."""
        if len(ch) != 1:
            raise ValueError(f"type_char takes one character, not {ch!r}")
        self._push()
        before = self.before
        joins = self.auto_space and continues_token(before, ch)
        capital = ch.isalpha() and ch.islower() and self.capital_next()
        if self.auto_space and before.endswith(" ") and (
            ch in CLOSING or joins or (ch.isdigit() and before[-2:-1] in ".,:" and before[-3:-2].isdigit())
        ):
            self._replace(self._cursor - 1, "")
            if joins and before[-3:-2] == "I" and self._i_ruled == self._cursor - 2:
                self._text = self._text[:self._cursor - 2] + "i" + self._text[self._cursor - 1:]  # "i.e"
        if capital:
            ch = ch.upper()
        if not (ch.isalnum() or ch == "'"):
            self._finish_word()
        self._replace(self._cursor, ch)
        self.auto_space = ch in AUTO_SPACE_AFTER
        if self.auto_space:
            self._replace(self._cursor, " ")
        self.shift = False

    def space(self) -> None:
        """Type a space; straight after an automatic space it only keeps that one."""
        self._push()
        if self.auto_space and self.before.endswith(" "):
            self.auto_space = self.shift = False
            return
        self._finish_word()
        self._replace(self._cursor, " ")
        self.auto_space = self.shift = False

    def backspace(self) -> bool:
        """Delete the character before the cursor; False if there is none."""
        if self._cursor == 0:
            return False
        self._push()
        self._delete_back(1)
        return True

    def delete_word(self) -> bool:
        """Delete the word before the cursor (and the spaces after it); False if nothing to delete."""
        before = self.before
        if not before:
            return False
        self._push()
        stripped = before.rstrip()
        word = trailing_word(stripped)
        if not word:
            word = re.search(r"[^\sA-Za-z0-9']*$", stripped).group()  # type: ignore[union-attr]
        self._delete_back(len(before) - len(stripped) + max(1, len(word)))
        return True

    def clear(self) -> bool:
        """Delete all the text; False if it was empty."""
        if not self._text:
            return False
        self._push()
        self._text, self._cursor, self.auto_space, self.shift = "", 0, False, False
        return True

    def undo(self) -> bool:
        """Go back to the state before the last change; False if there is none."""
        if not self._undo:
            return False
        snap = self._undo.pop()
        self._text, self._cursor, self.shift, self.auto_space = (
            snap.text, snap.cursor, snap.shift, snap.auto_space)
        return True

    def preview_prediction(self, word: str) -> str:
        """*word* as :meth:`insert_prediction` would write it (without the space)."""
        prefix = self.context().prefix
        if len(prefix) >= 2 and prefix.isupper():
            word = word.upper()
        elif (prefix[:1].isupper()) if prefix else self.capital_next():
            word = word[:1].upper() + word[1:]
        return " ".join(_i_rule(w) for w in word.split(" "))

    def insert_prediction(self, word: str) -> None:
        """Replace the partial word before the cursor with *word* and a space."""
        self._push()
        shown = self.preview_prediction(word)
        start = self._cursor - len(self.context().prefix)
        self._text = self._text[:start] + shown + self._text[self._cursor:]
        self._cursor = start + len(shown)
        if self._text[self._cursor:self._cursor + 1] == " ":
            self._cursor += 1
        else:
            self._replace(self._cursor, " ")
        self.auto_space, self.shift = True, False

    # ------------------------------------------------------------- helpers
    def _push(self) -> None:
        self._undo.append(_Snapshot(self._text, self._cursor, self.shift, self.auto_space))
        del self._undo[: -self.UNDO_LIMIT]

    def _replace(self, start: int, new: str) -> None:
        """Replace text[start:cursor] with *new*; the cursor goes after it."""
        self._text = self._text[:start] + new + self._text[self._cursor:]
        self._cursor = start + len(new)

    def _delete_back(self, n: int) -> None:
        self._replace(max(0, self._cursor - n), "")
        self.auto_space = False

    def _finish_word(self) -> None:
        prefix = self.context().prefix
        fixed = _i_rule(prefix)
        if fixed != prefix:
            self._i_ruled = self._cursor - len(prefix)
            self._text = self._text[: self._cursor - len(prefix)] + fixed + self._text[self._cursor:]


def _i_rule(word: str) -> str:
    return "I" + word[1:] if word.lower() in I_WORDS and word[:1] == "i" else word


class KeyboardModel:
    """Layout + text + predictions: what the on-screen keyboard shows and does.

    ``learn`` = ``"word"`` teaches the predictor each word when it is
    finished (space, punctuation or a prediction after it, or done; undo
    does not unlearn); ``"done"`` teaches the whole text when done is
    pressed; ``"off"`` never.  With ``demote`` (default), words shown for a
    shorter prefix of the current word and passed over are not shown again.
    """

    def __init__(
        self,
        predictor: Predictor | None = None,
        layout: str | KeyboardLayout = "frequency",
        predictions: int = 5,
        *,
        learn: str = "word",
        home_page: str = "letters",
        text: str = "",
    ) -> None:
        """Create the model; *predictor* None means a predictor with no base words."""
        self.layout = layout if isinstance(layout, KeyboardLayout) else get_layout(layout)
        self.predictor = predictor if predictor is not None else Predictor()
        self.n_predictions = max(0, min(int(predictions), 6))
        if learn not in ("word", "done", "off"):
            raise ValueError(f"learn must be 'word', 'done' or 'off', not {learn!r}")
        self.learn = learn
        self.state = TextState(text)
        # The page a text starts on and comes back to after a character: "symbols" for minutes
        # or an amount, where the digits are what is typed.
        self.home_page = home_page
        self.page = home_page
        self.words: list[str] = []
        self.demote = True
        self._passed: set[str] = set()
        self._shown_for = ""
        self._capitals = [1, 50]  # shift presses, letters typed (+ prior)
        self.refresh()

    @property
    def passed(self) -> frozenset[str]:
        """Words shown for a shorter prefix of the current word and not chosen (demoted)."""
        return frozenset(self._passed)

    @property
    def capital_rate(self) -> float:
        """Shift presses per letter typed so far (with a prior of 1 in 50)."""
        return self._capitals[0] / self._capitals[1]

    @property
    def predictions(self) -> list[str]:
        """The prediction row's labels: the words as they would be inserted."""
        return [self.state.preview_prediction(self.predictor.cased(w)) for w in self.words]

    def rows(self) -> list[list[Key]]:
        """The scan rows of the current page (prediction row first on the letters page)."""
        n = self.n_predictions if self.page == "letters" else 0
        return rows_for(self.layout, self.page, n, self.predictions)

    def refresh(self) -> None:
        """Recompute the predictions (done after every key)."""
        if not self.n_predictions:
            self.words = []
            return
        ctx = self.state.context()
        if not ctx.prefix or not ctx.prefix.lower().startswith(self._shown_for):
            self._passed = set()
        elif ctx.prefix.lower() != self._shown_for:
            self._passed |= set(self.words)
        self._shown_for = ctx.prefix.lower()
        n = self.n_predictions
        words = self.predictor.predict(ctx.prefix, ctx.previous, n + len(self._passed) if self.demote else n,
                                       earlier=ctx.earlier)
        if self.demote:
            words = [w for w in words if w not in self._passed][:n]
        self.words = words

    def press(self, key: Key | str) -> str | None:
        """Perform *key* (a Key or key id); returns "speak" or "done" for the UI to act on."""
        if isinstance(key, str):
            key = self.layout.key(key) if not key.startswith("prediction:") else Key(key, "", "prediction")
        state, kind, result = self.state, key.kind, None
        if kind == "char":
            if not (key.text.isalnum() or key.text == "'"):
                self._learn_current(key.text, lambda: state.type_char(key.text))
            else:
                if key.text.isalpha():
                    self._capitals[1] += 1
                state.type_char(key.text)
            if self.page != self.home_page:
                self.page = self.home_page
        elif kind == "space":
            self._learn_current(" ", state.space)
        elif kind == "prediction":
            slot = int(key.id.split(":")[1]) - 1
            if slot < len(self.words):
                self._pick(self.words[slot])
        elif kind == "shift":
            self._capitals[0] += 1
            state.toggle_shift()
        elif kind == "page":
            self.page = key.text
        elif kind in ("backspace", "delete_word", "clear", "undo"):
            getattr(state, kind)()
        elif kind == "done":
            self._learn_current("", lambda: None)
            if self.learn == "done":
                self.predictor.learn(state.final_text())
            result = "done"
        else:
            result = kind
        self.refresh()
        return result

    def type_text(self, text: str) -> None:
        """Type *text* from a physical keyboard, character by character (capitals kept)."""
        for ch in text:
            self.press("space" if ch == " " else Key(f"char:{ch}", ch, "char", ch))

    def _pick(self, word: str) -> None:
        ctx = self.state.context()
        start = self.state.cursor - len(ctx.prefix)
        self.state.insert_prediction(self.predictor.cased(word))
        if self.learn == "word":
            previous = ctx.previous
            for surface in self.state.text[start:self.state.cursor].split():
                self.predictor.learn_word(surface, previous)
                previous = surface.lower()

    def _learn_current(self, following: str, action: Callable[[], object]) -> None:
        """Run *action*; then, in "word" mode, learn the word it finished."""
        ctx = self.state.context()
        start = self.state.cursor - len(ctx.prefix)
        action()
        if self.learn == "word" and ctx.prefix:
            surface = self.state.text[start:start + len(ctx.prefix)]
            self.predictor.learn_word(surface, ctx.previous, following)
