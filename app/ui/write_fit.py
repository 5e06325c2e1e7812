"""The writing screen fits its window at every Size: nothing on it ever scrolls.

`FitArea` holds the whole screen under its margins: the title, the text being written, the
keyboard's rows (a KeyboardPanel) and the rows under them (phrases, options, the action bar),
and places each itself, so no minimum size of a key can make the window grow. It tries ways of
laying them out from the roomiest to the most compact (`STEPS`): first the gaps shrink, then the
rows under the keys go two to a line, then the title and the text give up lines, and only
then do the keys shrink, never below 44 x 44 px; as a last resort the row of predictions goes.
With room to spare the keys grow instead (to half as tall again), sharing the height.
Every key's text is as large as the Size asks for as far as its key allows, and a label that
would not fit is drawn smaller (measured with its own font metrics); what is spoken stays whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QStyle, QStyleOptionButton, QWidget

from app.ui.fit_area import FittingArea
from app.ui.keyboard import KeyboardPanel
from app.ui.label_fit import SMALLEST_FONT_PX, largest_fitting, sized
from app.ui.theme import MIN_TARGET_PX, font_px, key_px
from app.ui.widgets import GroupFrame, Tile, make_fitted

PREDICTION_CHARS = 9  # a prediction key holds about this many characters at the key's font
KEY_CHROME_PX = 10  # a key's border and padding, above and below its text (the fit sheet's)
MAX_FIELD_LINES = 6
KEY_GROWTH = 1.5  # with room to spare the keys share it, up to this much of their full height


@dataclass(frozen=True)
class Step:
    """One way of laying the screen out; `least` is the share of a key's full height below
    which the next, more compact, step is tried."""

    gap: int
    margin: int
    pair: bool
    title_scale: float
    title_lines: int
    field_scale: float
    field_lines: int
    predictions: bool
    least: float


STEPS = (
    Step(6, 3, False, 1.4, 2, 1.3, 3, True, 1.0),
    Step(2, 2, False, 1.4, 2, 1.3, 3, True, 1.0),  # the gaps shrink first
    Step(2, 2, True, 1.4, 2, 1.3, 3, True, 0.8),  # the rows under the keys two to a line
    Step(2, 2, True, 1.0, 2, 1.3, 2, True, 0.6),  # the title and the text give up room
    Step(2, 1, True, 1.0, 1, 1.3, 1, True, 0.0),  # then the keys shrink (to 44 px at least)
    Step(1, 1, True, 1.0, 1, 1.2, 1, True, 0.0),  # the text's font, a little at a time
    Step(1, 1, True, 0.9, 1, 1.1, 1, True, 0.0),
    Step(1, 1, True, 0.8, 1, 1.0, 1, True, 0.0),
    Step(1, 1, True, 0.8, 1, 1.0, 1, False, 0.0),  # last: fewer predictions (none)
)


def tile_room(tile: Tile) -> QRect:
    """Where a tile draws its text (inside its border and padding)."""
    option = QStyleOptionButton()
    tile.initStyleOption(option)
    return tile.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, tile)


def text_height(label: QLabel, px: int, width: int) -> tuple[int, int]:
    """Height and line count of `label`'s text wrapped to `width` at `px`."""
    metrics = QFontMetrics(sized(label.font(), px))
    flags = int(label.alignment().value) | int(Qt.TextFlag.TextWordWrap.value)  # (as it is drawn)
    rect = metrics.boundingRect(QRect(0, 0, max(1, width), 100_000), flags, label.text())
    return rect.height(), max(1, round(rect.height() / max(1, metrics.lineSpacing())))


def is_text(line: Sequence[QWidget]) -> bool:
    """True for a line that holds only a text (drawn at the Size's font, full width)."""
    return len(line) == 1 and isinstance(line[0], QLabel)


def label_px(label: QLabel, width: int, height: int, most: int) -> int:
    """The largest pixel size up to `most` at which `label`'s wrapped text fits width x height."""
    for px in range(most, SMALLEST_FONT_PX, -1):
        metrics = QFontMetrics(sized(label.font(), px))
        widest = max((metrics.horizontalAdvance(w) for w in label.text().split()), default=0)
        if text_height(label, px, width)[0] <= height and widest <= width:
            return px
    return SMALLEST_FONT_PX


class FitArea(FittingArea):
    """The writing screen's contents, placed to fit (see the module docstring)."""

    def __init__(self, heading: QLabel, field: QPlainTextEdit, panel: KeyboardPanel,
                 size_percent: Callable[[], int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading, self.field, self.panel = heading, field, panel
        self.size_percent = size_percent
        self.others: list[QWidget] = []  # under the keys: rows of tiles, or text
        self.step = STEPS[0]
        self.key_height = 0
        self._sheet_px = 0
        self._queued = False
        for widget in (heading, field, panel):
            widget.setParent(self)
            widget.show()

    # ------------------------------------------------------------------ API
    def add(self, widget: QWidget) -> None:
        """Put a row (a GroupFrame or a single tile) or a text under the keys, in order."""
        widget.setParent(self)
        if isinstance(widget, GroupFrame):
            widget.setProperty("fit", True)  # its scanner's "Leave row" tile is fitted too
            for tile in widget.findChildren(Tile):
                make_fitted(tile)
        elif isinstance(widget, Tile):
            make_fitted(widget)
        widget.installEventFilter(self)  # shown or hidden (Other choices): fit again
        self.others.append(widget)
        if not widget.isHidden():
            widget.show()

    def refit_soon(self) -> None:
        """Fit again once the events now waiting (a new style, a row shown) have run."""
        if not self._queued:
            self._queued = True
            QTimer.singleShot(0, self._queued_refit)

    def _restyled(self) -> None:
        self.refit_soon()  # (a new style reaches the keys after this event: fit after them)

    # -------------------------------------------------------------- events
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """A row under the keys shown or hidden: fit again."""
        if event.type() in (QEvent.Type.ShowToParent, QEvent.Type.HideToParent):
            self.refit_soon()
        return False

    def _queued_refit(self) -> None:
        self._queued = False
        self.refit()

    # ----------------------------------------------------------- internals
    def _rows(self) -> list[list[QWidget]]:
        """The lines under the keys for `step`: each a list of rows side by side, or a text."""
        shown = [w for w in self.others if not w.isHidden()]
        lines: list[list[QWidget]] = []
        for widget in shown:
            last = lines[-1] if lines else None
            # two rows to a line, or a text (the asks' caption) beside the row after it
            if (self.step.pair and not isinstance(widget, QLabel) and last is not None
                    and len(last) == 1):
                last.append(widget)
            else:
                lines.append([widget])
        return lines

    def _title(self, width: int, f: int) -> tuple[int, int]:
        """The title's pixel size and height: as large as the step allows within its lines."""
        px = round(f * self.step.title_scale)
        while True:
            height, lines = text_height(self.heading, px, width)
            if lines <= self.step.title_lines or px <= SMALLEST_FONT_PX + 4:
                return px, height
            px -= 2

    def _field_chrome(self) -> int:
        """The field's height beyond its lines: border, padding, the document's margins, and
        the 2 px a line is drawn taller than its spacing (with less, the one line scrolls)."""
        self.field.ensurePolished()
        return (self.field.height() - self.field.contentsRect().height()
                + 2 * round(self.field.document().documentMargin()) + 2)

    def _plan(self, width: int, height: int) -> tuple[int, int, int, int, int, list[list[QWidget]]]:
        """For the current step: title px and height, field px and height, key height, lines."""
        f = font_px(self.size_percent())
        step = self.step
        title_px, title_h = self._title(width, f)
        field_px = round(f * step.field_scale)
        line = QFontMetrics(sized(self.field.font(), field_px)).lineSpacing()
        lines_wanted = step.field_lines if self.panel.field.multiline else 1
        field_h = lines_wanted * line + self._field_chrome()
        lines = self._rows()
        text_h = sum(text_height(w[0], font_px(self.size_percent()), width)[0]
                     for w in lines if is_text(w))
        tile_lines = sum(1 for w in lines if not is_text(w))
        rows = self.panel.row_count(step.predictions) + tile_lines
        blocks = 2 + len(lines)  # title, text, keys, and each line under them
        room = height - title_h - field_h - text_h - blocks * step.gap * 2
        pitch = (room - (rows - 1) * step.gap) // max(1, rows)  # a row, its frame's margins in
        return title_px, title_h, field_px, field_h, pitch - 2 * step.margin, lines

    def _fit(self) -> None:
        width, height = self.width(), self.height()
        full = key_px(self.size_percent()) + KEY_CHROME_PX
        for step in STEPS:
            self.step = step
            plan = self._plan(width, height)
            if plan[4] >= max(MIN_TARGET_PX, step.least * full):
                break
        title_px, title_h, field_px, field_h, key_h, lines = plan
        key_h = min(key_h, round(full * KEY_GROWTH))  # the keys share the height there is
        self.key_height = key_h
        key_font = self._key_font(key_h)
        self.panel.set_predictions(self._predictions_for(width, key_font))  # (may rebuild the rows)
        self._place(width, height, (title_px, title_h, field_px, field_h), key_h, lines, key_font)
        self._fit_fonts(key_font)

    def _key_font(self, key_h: int) -> int:
        """The keys' text: the Size's font, or smaller when the key is not tall enough."""
        px = font_px(self.size_percent())
        font = next(iter(self.panel.findChildren(Tile)), self.heading).font()
        while px > SMALLEST_FONT_PX and QFontMetrics(sized(font, px)).height() > key_h - KEY_CHROME_PX:
            px -= 1
        return px

    def _predictions_for(self, width: int, key_font: int) -> int:
        """As many predictions as leave each one room for a word at the keys' font."""
        if not self.step.predictions:
            return 0
        metrics = QFontMetrics(sized(self.heading.font(), key_font))
        each = metrics.averageCharWidth() * PREDICTION_CHARS + KEY_CHROME_PX + 14
        return max(1, (width + 14) // each)

    def _place(self, width: int, height: int, top: tuple[int, int, int, int], key_h: int,
               lines: Sequence[list[QWidget]], key_font: int) -> None:
        title_px, title_h, field_px, field_h = top
        step, f = self.step, font_px(self.size_percent())
        block = step.gap * 2
        self._own_font(self.heading, title_px)
        self._own_font(self.field, field_px)
        pitch = key_h + 2 * step.margin
        under = [pitch if not is_text(line) else text_height(line[0], f, width)[0] for line in lines]
        under_h = sum(under) + block * len(lines)
        keys_h = self.panel.row_count() * pitch + (self.panel.row_count() - 1) * step.gap
        spare = height - title_h - field_h - keys_h - under_h - 2 * block
        if self.panel.field.multiline and spare > 0:  # more of a long text in view
            metrics = QFontMetrics(sized(self.field.font(), field_px))
            more = min(spare // metrics.lineSpacing(),
                       MAX_FIELD_LINES - (field_h - self._field_chrome()) // metrics.lineSpacing())
            field_h += max(0, more) * metrics.lineSpacing()
        self.heading.setGeometry(0, 0, width, title_h)
        self.field.setGeometry(0, title_h + block, width, field_h)
        self.field.ensureCursorVisible()
        for group in self.panel.groups:
            group.frame.row.setContentsMargins(6, step.margin, 6, step.margin)
        self.panel.gap = step.gap
        self.panel.setGeometry(0, title_h + field_h + 2 * block, width, keys_h)
        self.panel.place_rows()
        y = height - under_h + block  # the rows under the keys sit at the bottom, as elsewhere
        for line, tall in zip(lines, under, strict=True):
            self._place_line(line, y, width, tall, step, f if is_text(line) else key_font)
            y += tall + block

    def _place_line(self, line: list[QWidget], y: int, width: int, tall: int, step: Step,
                    most_px: int) -> None:
        weights = [max(1, len(w.findChildren(Tile))) if isinstance(w, GroupFrame)
                   else 2 if isinstance(w, QLabel) else 1 for w in line]
        x, spacing = 0, 8
        room = width - spacing * (len(line) - 1)
        for i, (widget, weight) in enumerate(zip(line, weights, strict=True)):
            share = room * weight // sum(weights) if i < len(line) - 1 else width - x
            if isinstance(widget, GroupFrame):
                widget.row.setContentsMargins(6, step.margin, 6, step.margin)
                widget.row.setSpacing(8)
            widget.setGeometry(x, y, share, tall)
            if isinstance(widget, QLabel):
                self._own_font(widget, label_px(widget, share, tall, most_px))
            x += share + spacing

    def _fit_fonts(self, key_font: int) -> None:
        """Every tile's text at the keys' font, or smaller where its label needs it."""
        if key_font != self._sheet_px:
            self._sheet_px = key_font
            self.setStyleSheet(
                f'QPushButton[fit="true"] {{ min-height: 0px; min-width: 0px; padding: 2px 4px;'
                f' font-size: {key_font}px; }}')
        frames = [g.frame for g in self.panel.groups] + [w for w in self.others if isinstance(w, GroupFrame)]
        for frame in frames:
            frame.row.setGeometry(frame.rect())  # the tiles' sizes now, not at the next event
        for tile in self.findChildren(Tile):
            if not tile.property("fit"):
                continue
            label = tile.label
            if not label.strip():
                continue
            px = largest_fitting(tile.font(), label, tile_room(tile), key_font)
            wanted = "" if px >= key_font else f"font-size: {px}px;"
            if tile.styleSheet() != wanted:
                tile.setStyleSheet(wanted)

    @staticmethod
    def _own_font(widget: QWidget, px: int) -> None:
        wanted = f"font-size: {px}px;"
        if widget.styleSheet() != wanted:
            widget.setStyleSheet(wanted)
