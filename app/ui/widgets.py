"""Large, named, scannable building blocks shared by every screen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QFontInfo, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from app.ui.guard import run_action
from app.ui.label_fit import fit_label, wrap


class Tile(QPushButton):
    """A large button with an accessible name; `speech` is what the scanner says for it."""

    def __init__(
        self,
        text: str,
        on_activate: Callable[[], None] | None = None,
        speech: str | None = None,
        role: str = "tile",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(text, parent)
        self._label = text
        self._style = ""  # the tile's own style, if any (see set_style)
        self._own_px: int | None = None  # the label's font when it had to shrink to fit
        self._base_font = QFont()
        self._fitting = False
        self.speech = speech or " ".join(text.split())
        self.setAccessibleName(self.speech)
        self.setProperty("role", role)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoDefault(False)
        if on_activate is not None:
            # Every tile's action runs through the window's guard: no failure goes unheard.
            self.clicked.connect(lambda _checked=False: run_action(self, on_activate))

    @property
    def label(self) -> str:
        """The whole label, before it is wrapped to the tile's width."""
        return self._label

    def set_label(self, text: str, speech: str | None = None) -> None:
        """Change what the tile shows and says."""
        self._label = text
        self._fit()
        self.speech = speech or " ".join(text.split())
        self.setAccessibleName(self.speech)

    def set_style(self, css: str) -> None:
        """A style of this tile's own (e.g. "text-align: left;"), kept when its label's font is
        fitted (a widget has one style sheet: never set it directly on a tile)."""
        self._style = css
        self._apply_style()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Fit the label to the new size."""
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        """A new font (the writing screen fits each key's) or a new Size or theme: fit again."""
        super().changeEvent(event)
        if self._fitting:
            return
        if event.type() == QEvent.Type.StyleChange and self._own_px is not None:
            self._own_px = None  # the window's style changed: measure from its font again
            self._apply_style()
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()

    def _fit(self) -> None:
        """Show the label whole inside the tile: wrapped at spaces, smaller when it must be, cut
        with "…" only when even the smallest allowed size does not fit (app/ui/label_fit.py);
        the accessible name and speech stay whole. A button clips its text, and a long keyword
        or question must still be read."""
        if self._fitting:
            return
        self._fitting = True
        try:
            option = QStyleOptionButton()
            self.initStyleOption(option)
            room = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, self)
            if self.property("fit"):  # the writing screen sets this key's font itself
                text = "\n".join(wrap(self.fontMetrics(), self._label, room.width()))
            else:
                base = self.font() if self._own_px is None else self._base_font
                self._base_font = QFont(base)
                fitted = fit_label(base, self._label, room, QFontInfo(base).pixelSize())
                wanted = None if fitted.px == QFontInfo(base).pixelSize() else fitted.px
                if wanted != self._own_px:
                    self._own_px = wanted
                    self._apply_style()
                text = fitted.text
            text = text.replace("&", "&&")  # a lone "&" marks a shortcut letter and is not drawn
            if text != self.text():
                self.setText(text)
        finally:
            self._fitting = False

    def _apply_style(self) -> None:
        own = f" font-size: {self._own_px}px;" if self._own_px is not None else ""
        was, self._fitting = self._fitting, True
        try:
            self.setStyleSheet(f"{self._style}{own}".strip())
        finally:
            self._fitting = was

    def mark_chosen(self, name: str, chosen: bool, prefix: str = "") -> None:
        """Show one option of a choice: "✔ name" and ", chosen" when it is the one in force."""
        spoken = f"{prefix}{' '.join(name.split())}{', chosen' if chosen else ''}"
        self.set_label(f"✔ {name}" if chosen else name, spoken)
        self.setProperty("selected", "true" if chosen else "false")
        self.style().unpolish(self)
        self.style().polish(self)


def action(text: str, on_activate: Callable[[], None], speech: str | None = None) -> Tile:
    """A tile styled for the action bar."""
    return Tile(text, on_activate, speech, role="action")


def make_fitted(tile: Tile) -> None:
    """Let `tile` take exactly the room its row gives it, with no minimum of its own: the
    writing screen sizes and fits every key to the window (app/ui/write_fit.py)."""
    tile.setProperty("fit", True)
    policy = tile.sizePolicy()  # (a copy: keeps "retain size when hidden")
    policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    policy.setVerticalPolicy(QSizePolicy.Policy.Ignored)
    tile.setSizePolicy(policy)


class Heading(QLabel):
    """A screen title, also the screen's spoken name."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setObjectName("title")
        self.setWordWrap(True)
        self.setAccessibleName(text)


@dataclass
class ScanGroup:
    """A row the scanner walks as one: its frame, label and items in order."""

    key: str
    label: str
    frame: QWidget
    items: list[Tile] = field(default_factory=list)


class GroupFrame(QFrame):
    """A frame around a scan group, so the highlight can draw round the whole row."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("group")
        self.setAccessibleName(label)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(10, 10, 10, 10)
        self.row.setSpacing(14)
        self.back_tile: Tile | None = None

    def show_back(self, scanning: bool, entered: bool = False) -> None:
        """Give the row the scanner's "Leave row" item; it shows only while the row is entered.

        Its place is kept while hidden, so entering a row never moves the other tiles.
        """
        if scanning and self.back_tile is None:
            self.back_tile = Tile("↩ Leave row", None, speech="Back", role="action")
            self.back_tile.setProperty("scan_only", True)
            self.back_tile.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.back_tile.setAccessibleName(f"Back out of {self.accessibleName()}")
            fitted = bool(self.property("fit"))  # a row of the writing screen: one more key
            if fitted:
                make_fitted(self.back_tile)
            self.row.addWidget(self.back_tile, 1 if fitted else 0)
        if self.back_tile is not None:
            policy = self.back_tile.sizePolicy()
            policy.setRetainSizeWhenHidden(scanning)
            self.back_tile.setSizePolicy(policy)
            self.back_tile.setVisible(scanning and entered)


def tile_rows(
    key: str, label: str, tiles: list[Tile], per_row: int
) -> tuple[QWidget, list[ScanGroup]]:
    """Lay tiles out in rows of `per_row`, each row a scan group named "<label>, row N"."""
    holder = QWidget()
    grid = QGridLayout(holder)
    grid.setContentsMargins(0, 0, 0, 0)
    grid.setSpacing(4)
    groups: list[ScanGroup] = []
    for start in range(0, len(tiles), per_row):
        chunk = tiles[start : start + per_row]
        index = start // per_row + 1
        name = f"{label}, row {index}" if len(tiles) > per_row else label
        frame = GroupFrame(name)
        for tile in chunk:
            frame.row.addWidget(tile, 1)
        for _ in range(per_row - len(chunk)):
            frame.row.addStretch(1)
        grid.addWidget(frame, index - 1, 0)
        groups.append(ScanGroup(f"{key}{index}", name, frame, list(chunk)))
    return holder, groups


def action_bar(key: str, tiles: list[Tile]) -> tuple[GroupFrame, ScanGroup]:
    """The row of actions every screen has, as one scan group."""
    frame = GroupFrame("Actions")
    for tile in tiles:
        frame.row.addWidget(tile, 1)
    return frame, ScanGroup(key, "Actions", frame, list(tiles))


def scroll_into_view(widget: QWidget) -> bool:
    """Scroll the nearest scroll area round `widget` so it is in view (with a margin); True
    when that moved anything."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            bars = (parent.horizontalScrollBar(), parent.verticalScrollBar())
            before = [bar.value() for bar in bars]
            parent.ensureWidgetVisible(widget, 20, 20)
            return [bar.value() for bar in bars] != before
        parent = parent.parentWidget()
    return False
