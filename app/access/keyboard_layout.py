"""On-screen keyboard layouts as pure data, and their row-column scan costs.

A layout is a list of *pages* (``"letters"`` and ``"symbols"``), each a list
of rows of :class:`Key`.  :func:`rows_for` returns the rows of one page in
scan order, with the row of predicted words first when predictions are on.
The Qt keyboard draws these rows and turns them into scanner groups with
:func:`scan_nodes`; :class:`app.access.text_entry.KeyboardModel` performs the
keys.

Layouts (:data:`LAYOUT_NAMES`):

* ``"frequency"`` (default for scanning): the commonest symbols of written
  English sit in the cheapest cells.  Cell (row r, column c), both 1-based,
  costs r + c scan steps, so symbols sorted by frequency (space, e, t, a, o,
  i, n, s, ...) were given to cells sorted by r + c (ties: earlier row first),
  on a grid of 7 columns.  Commands come in the last row.
* ``"alphabetical"``: a-z in rows of six, then space and punctuation.
* ``"qwerty"``: the usual typewriter rows.

All layouts share the ``"symbols"`` page (punctuation and digits), reached
with the ``page`` key; typing one symbol returns to the letters (see
:class:`~app.access.text_entry.KeyboardModel`).

Scan cost model (no errors), see :func:`scan_cost`: row-column scanning
first highlights the rows, then the keys of the entered row.  Reaching the key
in row r, column c takes ``r + c`` *steps*: the highlight moves (counting the
move that puts the highlight on the first row and the one into the row) and
each step lasts one ``step_time``.  *Activations* are switch presses: one
switch, automatic scanning: 2 (select the row, select the key); two switches,
step scanning: (r - 1) + (c - 1) moves + 2 selects = r + c.  The automatic
Back item at the end of every row is never reached without an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from app.access.scan_tree import ScanNode

__all__ = [
    "KEY_KINDS",
    "LAYOUT_NAMES",
    "PAGES",
    "Key",
    "KeyCost",
    "KeyboardLayout",
    "expected_steps",
    "get_layout",
    "key_costs",
    "prediction_key",
    "rows_for",
    "scan_cost",
    "scan_nodes",
]

KEY_KINDS: tuple[str, ...] = (
    "char", "space", "backspace", "delete_word", "clear", "undo",
    "page", "shift", "speak", "done", "prediction",
)
LAYOUT_NAMES: tuple[str, ...] = ("frequency", "alphabetical", "qwerty")
PAGES: tuple[str, ...] = ("letters", "symbols")

_SPOKEN = {
    ".": "full stop", ",": "comma", "'": "apostrophe", "?": "question mark",
    "!": "exclamation mark", "-": "dash", '"': "quote", ":": "colon", ";": "semicolon",
    "(": "open bracket", ")": "close bracket", "/": "slash", "&": "and sign", "@": "at",
    "£": "pound", "%": "percent", "+": "plus", "=": "equals", "#": "hash", "*": "star",
    "$": "dollar", "_": "underscore", "[": "open square bracket", "]": "close square bracket",
    "<": "less than", ">": "greater than", "{": "open curly bracket", "}": "close curly bracket",
    "\\": "backslash", "|": "bar", "^": "caret", "~": "tilde", "`": "backtick",
}


@dataclass(frozen=True)
class Key:
    """One key of the on-screen keyboard.

    Attributes:
        id: unique within a page ("char:e", "space", "page:symbols", "prediction:1").
        label: what the key shows.
        kind: one of :data:`KEY_KINDS`.
        text: the character of a ``char`` key, the target page of a ``page`` key,
            the word of a ``prediction`` key ("" while the slot is empty).
        spoken: the scanner's spoken cue.
    """

    id: str
    label: str
    kind: str
    text: str = ""
    spoken: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KEY_KINDS:
            raise ValueError(f"unknown key kind {self.kind!r}")
        if not self.spoken:
            object.__setattr__(self, "spoken", self.label)


def _char(ch: str) -> Key:
    return Key(f"char:{ch}", ch, "char", ch, _SPOKEN.get(ch, ch))


_COMMANDS: dict[str, Key] = {
    "space": Key("space", "space", "space", " "),
    "backspace": Key("backspace", "⌫", "backspace", spoken="backspace"),
    "delete_word": Key("delete_word", "delete word", "delete_word"),
    "clear": Key("clear", "clear", "clear"),
    "undo": Key("undo", "undo", "undo"),
    "shift": Key("shift", "⇧", "shift", spoken="capital"),
    "speak": Key("speak", "speak", "speak"),
    "done": Key("done", "done", "done"),
    "page:symbols": Key("page:symbols", "123?", "page", "symbols", "numbers and punctuation"),
    "page:letters": Key("page:letters", "abc", "page", "letters", "letters"),
}


def prediction_key(slot: int, word: str = "") -> Key:
    """The key of prediction slot *slot* (1-based) showing *word*."""
    return Key(f"prediction:{slot}", word, "prediction", word, word or "no prediction")


def _row(spec: str) -> list[Key]:
    """Keys from a space-separated spec; names of :data:`_COMMANDS` are commands."""
    return [_COMMANDS[tok] if tok in _COMMANDS else _char(tok) for tok in spec.split()]


_COMMAND_ROW = "backspace delete_word undo clear speak done"
_SYMBOLS = [  # every printable ASCII character has a key; the rare ones at the ends of rows
    "? ! - \" : ; $ _",
    "( ) / & @ % [ ]",
    "1 2 3 4 5 < >",
    "6 7 8 9 0 { }",
    ". , ' £ + = # *",
    "\\ | ^ ~ `",
    "page:letters " + _COMMAND_ROW,
]
_SPECS: dict[str, list[str]] = {
    # 7 columns; cost r + c assigned by English symbol frequency.
    "frequency": [
        "space e a n l f b",
        "t o s d g . shift",
        "i r c y , page:symbols x",
        "h u p v ' q z",
        "m w k j",
        _COMMAND_ROW,
    ],
    "alphabetical": [
        "a b c d e f",
        "g h i j k l",
        "m n o p q r",
        "s t u v w x",
        "y z space . , '",
        "shift page:symbols " + _COMMAND_ROW,
    ],
    "qwerty": [
        "q w e r t y u i o p",
        "a s d f g h j k l '",
        "shift z x c v b n m , .",
        "space page:symbols",
        _COMMAND_ROW,
    ],
}


@dataclass(frozen=True)
class KeyboardLayout:
    """The pages of one layout: ``pages[page]`` is a tuple of rows of keys."""

    name: str
    pages: Mapping[str, tuple[tuple[Key, ...], ...]]

    def rows(self, page: str = "letters") -> list[list[Key]]:
        """The rows of *page* without the prediction row."""
        if page not in self.pages:
            raise ValueError(f"unknown keyboard page {page!r}")
        return [list(row) for row in self.pages[page]]

    def find_char(self, ch: str) -> tuple[str, Key] | None:
        """The page and key that type character *ch* (letters page first), or None."""
        for page in PAGES:
            for row in self.pages[page]:
                for key in row:
                    if (key.kind == "char" and key.text == ch) or (key.kind == "space" and ch == " "):
                        return page, key
        return None

    def key(self, key_id: str) -> Key:
        """The key with *key_id* on any page.

        Raises:
            KeyError: if there is none.
        """
        for page in PAGES:
            for row in self.pages[page]:
                for key in row:
                    if key.id == key_id:
                        return key
        raise KeyError(key_id)


def _build(name: str) -> KeyboardLayout:
    pages = {
        "letters": tuple(tuple(_row(spec)) for spec in _SPECS[name]),
        "symbols": tuple(tuple(_row(spec)) for spec in _SYMBOLS),
    }
    return KeyboardLayout(name, pages)


_LAYOUTS: dict[str, KeyboardLayout] = {name: _build(name) for name in LAYOUT_NAMES}


def get_layout(name: str) -> KeyboardLayout:
    """The layout called *name* (one of :data:`LAYOUT_NAMES`).

    Raises:
        ValueError: for an unknown name.
    """
    try:
        return _LAYOUTS[name]
    except KeyError:
        raise ValueError(f"unknown keyboard layout {name!r}") from None


def rows_for(
    layout: str | KeyboardLayout,
    page: str = "letters",
    predictions: int = 0,
    words: Sequence[str] = (),
) -> list[list[Key]]:
    """The scan rows of *page* in scan order.

    With ``predictions`` > 0 the first row holds that many prediction keys
    (``prediction:1`` ... ``prediction:N``), showing *words* where given.
    """
    lay = layout if isinstance(layout, KeyboardLayout) else get_layout(layout)
    rows = lay.rows(page)
    count = max(0, min(int(predictions), 6))
    if count:
        padded = list(words[:count]) + [""] * (count - len(words[:count]))
        rows.insert(0, [prediction_key(i + 1, w) for i, w in enumerate(padded)])
    return rows


@dataclass(frozen=True)
class KeyCost:
    """Cost of reaching one key by row-column scanning without errors.

    Attributes:
        row, col: 1-based position in scan order.
        steps: highlight moves = row + col (each lasts one step time).
        act_one: switch presses with one switch and automatic scanning (2).
        act_two: presses with two switches, step scanning: moves + 2 selects.
    """

    row: int
    col: int
    steps: int
    act_one: int
    act_two: int


def scan_cost(row: int, col: int) -> KeyCost:
    """The cost of the key in 1-based *row*, *col* (see the module docstring)."""
    if row < 1 or col < 1:
        raise ValueError("row and col are 1-based")
    return KeyCost(row, col, row + col, 2, (row - 1) + (col - 1) + 2)


def key_costs(rows: Sequence[Sequence[Key]]) -> dict[str, KeyCost]:
    """The :class:`KeyCost` of every key of *rows*, by key id."""
    return {
        key.id: scan_cost(r, c)
        for r, row in enumerate(rows, start=1)
        for c, key in enumerate(row, start=1)
    }


def expected_steps(rows: Sequence[Sequence[Key]], probabilities: Mapping[str, float]) -> float:
    """Expected steps per key press for key-id *probabilities* (normalised here)."""
    costs = key_costs(rows)
    total = sum(p for k, p in probabilities.items() if k in costs)
    if total <= 0:
        return 0.0
    return sum(costs[k].steps * p for k, p in probabilities.items() if k in costs) / total


def scan_nodes(rows: Sequence[Sequence[Key]], words: Sequence[str] = ()) -> list[ScanNode]:
    """The rows as scanner groups (key ``"row:N"``) of leaf items keyed by key id.

    Prediction keys take their labels from *words* when given.
    """
    nodes = []
    for r, row in enumerate(rows, start=1):
        items = []
        for key in row:
            if key.kind == "prediction":
                slot = int(key.id.split(":")[1])
                word = words[slot - 1] if slot <= len(words) else key.text
                key = replace(key, label=word, text=word, spoken=word or "no prediction")
            items.append(ScanNode.item(key.id, key.spoken))
        label = "predictions" if row and row[0].kind == "prediction" else ", ".join(
            k.spoken for k in row[:3]
        )
        nodes.append(ScanNode.group(f"row:{r}", label, items))
    return nodes
