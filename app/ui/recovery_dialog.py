"""Shown before the main window when the database file is damaged: restore, start anew or quit.

Large buttons in the high-contrast theme at 125 %, a thick frame on the one with focus.
Keyboard only: Tab, Shift+Tab and the arrow keys move; Enter or Space chooses; Escape quits.
Mouse and touch work too. Nothing here touches a file: `main.py` acts on the choice through
`app/store/recovery.py`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from app.store.recovery import Backup
from app.ui.theme import load_theme, stylesheet
from app.ui.widgets import Heading, Tile

RESTORE, NEW = "restore", "new"
SIZE_PERCENT = 125
MIN_WIDTH = 860


def _styled(dialog: QDialog) -> None:
    theme = load_theme("high-contrast")
    dialog.setStyleSheet(
        stylesheet(theme, SIZE_PERCENT)
        + f"\nQPushButton:focus {{ border: 8px solid {theme.highlight}; padding: 1px 9px; }}\n"
    )


class _Dialog(QDialog):
    """A dialog of big tiles stacked top to bottom; arrows and Enter work as well as Tab and Space."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Co-production Canvas")
        self.setModal(True)
        _styled(self)
        self.choice: str | None = None
        self.tiles: list[Tile] = []
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(32, 32, 32, 32)
        self.column.setSpacing(18)
        self.column.addWidget(Heading(title))
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setAccessibleName(text)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.column.addWidget(self.text)
        self.setAccessibleDescription(text)

    def add_choice(self, label: str, choice: str | None) -> Tile:
        """A large button that closes the dialog with `choice` (None: quit)."""
        tile = Tile(label, lambda: self._choose(choice), role="action")
        self.tiles.append(tile)
        self.column.addWidget(tile)
        return tile

    def add_note(self, text: str) -> None:
        """A line of text between the buttons."""
        note = QLabel(text)
        note.setObjectName("muted")
        note.setWordWrap(True)
        note.setAccessibleName(text)
        self.column.addWidget(note)

    def _choose(self, choice: str | None) -> None:
        self.choice = choice
        if choice is None:
            self.reject()
        else:
            self.accept()

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        """Put the keyboard focus on the first button."""
        super().showEvent(event)  # type: ignore[arg-type]
        if self.tiles:
            self.tiles[0].setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Arrows move between the buttons, Enter presses the one with focus, Escape quits."""
        key = event.key()
        focus = self.focusWidget()
        index = self.tiles.index(focus) if focus in self.tiles else -1
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Right) and self.tiles:
            self.tiles[(index + 1) % len(self.tiles)].setFocus(Qt.FocusReason.TabFocusReason)
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Left) and self.tiles:
            self.tiles[(index - 1) % len(self.tiles)].setFocus(Qt.FocusReason.BacktabFocusReason)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and index >= 0:
            self.tiles[index].click()
        elif key == Qt.Key.Key_Escape:
            self._choose(None)
        else:
            super().keyPressEvent(event)


class RecoveryDialog(_Dialog):
    """"Restore the backup from <date>", "Start a new empty file", "Quit"."""

    def __init__(self, problem: str, path: Path, backup: Backup | None,
                 parent: QWidget | None = None) -> None:
        kept = f"{Path(path).name}.damaged-<date and time>"
        super().__init__("The project file cannot be opened", problem, parent)
        self.add_note(f"Whatever you choose, the damaged file is kept in the same folder as "
                      f"“{kept}”, so nothing in it is thrown away.")
        if backup is not None:
            self.add_choice(f"Restore the backup from {backup.label()}", RESTORE)
            self.add_note("Things added since that backup are not in it.")
        else:
            self.add_note("No good backup of this file was found.")
        self.add_choice("Start a new empty file", NEW)
        self.add_choice("Quit", None)


def _fit(dialog: QDialog) -> None:
    """Wide enough for the longest button; tall enough for everything."""
    layout = dialog.layout()
    width = max(MIN_WIDTH, dialog.sizeHint().width())
    height = layout.totalHeightForWidth(width) if layout is not None else -1
    dialog.resize(width, max(height, dialog.sizeHint().height()))


def ask(problem: str, path: Path, backup: Backup | None) -> str | None:
    """Show the choice and wait: "restore", "new", or None for Quit."""
    dialog = RecoveryDialog(problem, path, backup)
    _fit(dialog)
    dialog.exec()
    return dialog.choice


def tell(text: str) -> None:
    """Show a message with one OK button and wait for it."""
    dialog = _Dialog("The project file cannot be opened", text)
    dialog.add_choice("OK", None)
    _fit(dialog)
    dialog.exec()
