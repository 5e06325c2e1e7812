"""The on-screen keyboard: rows of large keys over a KeyboardModel, scannable and clickable."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from app.access.huffman import key_probabilities
from app.access.keyboard_layout import Key
from app.access.text_entry import KeyboardModel, TextState
from app.ui.guard import guarded
from app.ui.widgets import GroupFrame, ScanGroup, Tile, make_fitted

# Clearing a text this long asks first; a shorter one is quicker to write again than to confirm.
LONG_TEXT = 12
_WORD = re.compile(r"[\w'’]+")
_COMMAND_LABELS = {
    "space": "␣ space", "backspace": "⌫", "delete_word": "⌫ word", "clear": "clear",
    "undo": "↶ undo", "shift": "⇧ Aa", "speak": "speak aloud", "done": "✔ done",
}


def utf16_index(text: str, index: int) -> int:
    """Qt counts text positions in UTF-16 units; Python in code points."""
    return len(text[:index].encode("utf-16-le")) // 2


def python_index(text: str, utf16: int) -> int:
    """The code-point index of a UTF-16 position in `text`."""
    units = 0
    for i, ch in enumerate(text):
        if units >= utf16:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


class TextField(QPlainTextEdit):
    """The text being written; a physical keyboard types into it directly."""

    submitted = Signal()
    prediction_key = Signal(int)
    secret_typed = Signal(str)

    def __init__(self, multiline: bool, secret: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.multiline = multiline
        self.secret = secret
        self.setAccessibleName("Text being written")
        self.setTabChangesFocus(True)
        # Its height is given by the writing screen's fitting (app/ui/write_fit.py): as many
        # lines as the window leaves room for, never fewer than the cursor's own line.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Enter submits a one-line text; Ctrl+Enter always submits; F1–F6 take a prediction."""
        if self.secret and event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
            # A passphrase is never shown: keys go to the model, the field shows dots.
            if event.key() == Qt.Key.Key_Backspace:
                self.secret_typed.emit("\b")
            elif event.text() and event.text().isprintable():
                self.secret_typed.emit(event.text())
            return
        if Qt.Key.Key_F1 <= event.key() <= Qt.Key.Key_F6:
            self.prediction_key.emit(event.key() - Qt.Key.Key_F1 + 1)
            return
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if enter and (ctrl or not self.multiline):
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class KeyboardPanel(QWidget):
    """Draws the model's rows as key tiles; every key press goes through `press`.

    The rows share the panel's height equally, `gap` px apart; the writing screen sizes the
    panel (and so every key) to fit the window, and places `field`, the text, itself.
    """

    changed = Signal()

    def __init__(
        self,
        model: KeyboardModel,
        on_result: Callable[[str], None],
        on_word: Callable[[str], None],
        multiline: bool = False,
        secret: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.secret = secret
        self._secret_shift = False
        self.model = model
        self.on_result = on_result
        self.on_word = on_word
        self._clear_armed = False
        self.gap = 2
        self.wanted_predictions = model.n_predictions
        self.field = TextField(multiline, secret)
        if secret:
            self.field.secret_typed.connect(guarded(self, self._secret_key))
        else:
            self.field.textChanged.connect(guarded(self, self._typed))
        # Typing straight into the field acts as the keys do: through the window's guard.
        self.field.submitted.connect(guarded(self, lambda: self.press_id("done")))
        self.field.prediction_key.connect(guarded(self, lambda n: self.press_id(f"prediction:{n}")))
        self.groups: list[ScanGroup] = []
        self._ids: list[list[str]] = []
        self._build_rows()
        self._show_text()

    # ----------------------------------------------------------------- API
    @property
    def text(self) -> str:
        """The text as it will be saved."""
        return self.model.state.final_text()

    def press_id(self, key_id: str) -> None:
        """Perform a key by id, as a click or a switch choice does."""
        for row in self.model.rows():
            for key in row:
                if key.id == key_id:
                    self.press(key)
                    return

    def press(self, key: Key) -> None:
        """Perform one key: edit the text, speak a finished word, refresh the keys."""
        if key.kind == "clear" and len(self.model.state.text) >= LONG_TEXT and not self._clear_armed:
            self.on_result("confirm-clear")  # the screen asks first, then calls clear_confirmed
            return
        self._clear_armed = False
        if self.secret and key.kind in ("char", "space", "shift"):
            self._secret_char(key)
            return
        prefix = self.model.state.context().prefix
        result = self.model.press(key)
        finished = key.kind in ("space", "prediction") or (
            key.kind == "char" and not (key.text.isalnum() or key.text == "'")
        )
        words = _WORD.findall(self.model.state.before)
        if finished and words and (prefix or key.kind == "prediction"):
            self.on_word(words[-1])  # read-back of each finished word
        self._refresh()
        if result is not None:
            self.on_result(result)

    def set_predictions(self, count: int) -> bool:
        """Show `count` predictions (fewer than the member's setting when the window has no
        room for more); True when the rows changed."""
        count = max(0, min(count, self.wanted_predictions))
        if count == self.model.n_predictions:
            return False
        self.model.n_predictions = count
        self.model.refresh()
        self._refresh()
        return True

    def row_count(self, predictions: bool | None = None) -> int:
        """How many rows of keys are on show; with `predictions`, how many there would be with
        (True) or without (False) the row of predictions."""
        rows = len(self.groups)
        if predictions is None or self.model.page != "letters":
            return rows
        showing = 1 if self.model.n_predictions else 0
        could = 1 if self.wanted_predictions and predictions else 0
        return rows - showing + could

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Share the height between the rows."""
        super().resizeEvent(event)
        self.place_rows()

    def place_rows(self) -> None:
        """Put each row at its share of the panel's height, `gap` px apart."""
        n = len(self.groups)
        if not n:
            return
        room = self.height() - self.gap * (n - 1)
        top = 0
        for i, group in enumerate(self.groups):
            height = room // n + (1 if i < room % n else 0)
            group.frame.setGeometry(0, top, self.width(), height)
            top += height + self.gap

    # ------------------------------------------------ adaptive scanning (AdaptiveProvider)
    def key_probabilities(self) -> dict[str, float]:
        """How likely each key on show is to be wanted next, from the prediction model."""
        return key_probabilities(self.model)

    def tile_for(self, key_id: str) -> QWidget | None:
        """The tile of a key."""
        for group in self.groups:
            for tile in group.items:
                if tile.property("key_id") == key_id:
                    return tile
        return None

    def perform(self, key_id: str) -> None:
        """Press a key chosen by adaptive scanning."""
        self.press_id(key_id)

    def clear_confirmed(self) -> None:
        """Clear the text: the member has said "Yes" to clearing it."""
        self._clear_armed = True
        self.press_id("clear")

    def set_text(self, text: str, cursor: int) -> None:
        """Put a whole text in place of the current one (an earlier version brought back)."""
        self.model.state = TextState(text, max(0, min(cursor, len(text))))
        self.model.refresh()
        self._refresh()

    def insert_phrase(self, phrase: str) -> None:
        """Put a saved phrase in at the cursor (in place of a half-typed word), then a space."""
        self.model.state.insert_prediction(phrase)
        self.model.refresh()
        self._refresh()

    # ----------------------------------------------------------- internals
    def _key_tile(self, key: Key) -> Tile:
        tile = Tile(self._label(key), lambda k=key: self.press(k), speech=key.spoken or key.label)
        tile.setProperty("key_id", key.id)
        tile.setProperty("role", "key")
        make_fitted(tile)
        return tile

    @staticmethod
    def _label(key: Key) -> str:
        if key.kind == "prediction":
            return key.text or " "
        return _COMMAND_LABELS.get(key.kind, key.label)

    def _build_rows(self) -> None:
        for group in self.groups:
            group.frame.hide()
            group.frame.deleteLater()
        self.groups = []
        rows = self.model.rows()
        self._ids = [[k.id for k in row] for row in rows]
        for r, row in enumerate(rows, start=1):
            is_predictions = bool(row) and row[0].kind == "prediction"
            label = "Predictions" if is_predictions else ", ".join(k.spoken or k.label for k in row[:3])
            frame = GroupFrame(label, self)
            frame.setProperty("fit", True)
            frame.row.setContentsMargins(6, 3, 6, 3)
            tiles = [self._key_tile(k) for k in row]
            for tile in tiles:
                frame.row.addWidget(tile, 1)
            frame.show()
            self.groups.append(ScanGroup(f"kb-row{r}", label, frame, tiles))
        self.place_rows()

    def _refresh(self) -> None:
        rows = self.model.rows()
        if [[k.id for k in row] for row in rows] != self._ids:
            self._build_rows()
        else:
            for group, row in zip(self.groups, rows, strict=True):
                for tile, key in zip(group.items, row, strict=True):
                    tile.set_label(self._label(key), key.spoken or key.label)
        self._show_text()
        self.changed.emit()

    def _show_text(self) -> None:
        state = self.model.state
        self.field.blockSignals(True)
        if self.secret:
            self.field.setPlainText("•" * len(state.text))
            self.field.blockSignals(False)
            return
        self.field.setPlainText(state.text)
        cursor = self.field.textCursor()
        cursor.setPosition(utf16_index(state.text, state.cursor))
        self.field.setTextCursor(cursor)
        self.field.blockSignals(False)

    def _secret_char(self, key: Key) -> None:
        """A passphrase takes characters exactly as chosen: no automatic capitals or spaces."""
        if key.kind == "shift":
            self._secret_shift = not self._secret_shift
            return
        ch = " " if key.kind == "space" else key.text
        if self._secret_shift:
            ch, self._secret_shift = ch.upper(), False
        self._secret_key(ch)

    def _secret_key(self, text: str) -> None:
        current = self.model.state.text
        new = current[:-1] if text == "\b" else current + text
        self.model.state = TextState(new)
        self._refresh()

    def _typed(self) -> None:
        """The physical keyboard changed the text: adopt it, keeping the cursor."""
        text = self.field.toPlainText()
        position = python_index(text, self.field.textCursor().position())
        self.model.state = TextState(text, position)
        self.model.refresh()
        rows = self.model.rows()
        for group, row in zip(self.groups, rows, strict=False):
            for tile, key in zip(group.items, row, strict=False):
                tile.set_label(self._label(key), key.spoken or key.label)
        self.changed.emit()
