"""Rows of tiles placed to fit (app/ui/settings_fit.py's PageFit places the pages of them).

A `FitRow` is a caption and its tiles; `arrange` finds where each part goes inside the row:
the tiles beside the caption when every word fits there at the font asked for, else in lines
under it, as many to a line as fit. Each tile's text is measured with its own font metrics,
wrapped as a Tile wraps it (app/ui/label_fit.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRect
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QStyle, QStyleOptionButton, QWidget

from app.ui.label_fit import SMALLEST_FONT_PX, sized, wrap
from app.ui.theme import MIN_TARGET_PX
from app.ui.widgets import GroupFrame, Tile, make_fitted
from app.ui.write_fit import text_height

SIDE = 6  # a row frame's margin left and right, inside its border
CAPTION_WEIGHT = 1.5  # a caption beside its tiles takes this many tiles' width


@dataclass(frozen=True)
class Step:
    """One way of laying a page out: gaps, margins, the title, and how much of the Size's
    target height (`pref`) a tile keeps when its text needs less."""

    gap: int
    margin: int
    title_scale: float
    title_lines: int
    pref: float


STEPS = (
    Step(10, 8, 1.4, 2, 1.0),
    Step(6, 6, 1.4, 2, 0.75),  # the gaps shrink, the tiles keep less than the Size's height
    Step(4, 4, 1.2, 1, 0.0),  # the tiles are as tall as their text, the title one line
    Step(2, 2, 1.0, 1, 0.0),
)


def chrome(tile: Tile) -> tuple[int, int]:
    """A tile's border and padding, across and down (its style's, at any size)."""
    known = getattr(tile, "_fit_chrome", None)
    if known is not None:
        return known
    tile.ensurePolished()
    option = QStyleOptionButton()
    tile.initStyleOption(option)
    option.rect = QRect(0, 0, 400, 200)
    room = tile.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, tile)
    tile._fit_chrome = (400 - room.width(), 200 - room.height())  # (its style never changes)
    return tile._fit_chrome


def tile_need(tile: Tile, width: int, px: int) -> int | None:
    """The height `tile` needs at `px` in a cell `width` wide, or None when a word is wider."""
    across, down = chrome(tile)
    font = tile.font()
    key = (font.family(), font.bold(), tile.label, width, px)
    needs: dict[tuple, int | None] = tile.__dict__.setdefault("_fit_needs", {})
    if key in needs:  # (measured once: a page is planned many ways, and again at each turn)
        return needs[key]
    room = width - across
    metrics = QFontMetrics(sized(font, px))
    lines = wrap(metrics, tile.label, room)
    need = None
    if room > 0 and max(metrics.horizontalAdvance(line) for line in lines) <= room:
        need = metrics.lineSpacing() * (len(lines) - 1) + metrics.height() + down
    needs[key] = need
    return need


def caption_need(label: QLabel, width: int, px: int) -> int | None:
    """The height a caption needs at `px` wrapped to `width`, or None when a word is wider."""
    metrics = QFontMetrics(sized(label.font(), px))
    widest = max((metrics.horizontalAdvance(w) for w in label.text().split()), default=0)
    return None if widest > width else text_height(label, px, width)[0]


class FitRow(GroupFrame):
    """A row placed by its PageFit: an optional caption and its tiles, in one line or more.

    The scanner's "Leave row" tile (GroupFrame.show_back) takes a cell of its own here too,
    kept while it is hidden, so entering the row never moves the other tiles."""

    def __init__(self, label: str, caption: str | None, tiles: Sequence[Tile]) -> None:
        super().__init__(label)
        self.setProperty("fit", True)
        self.caption: QLabel | None = None
        if caption is not None:
            self.caption = QLabel(caption, self)
            self.caption.setWordWrap(True)
            self.caption.setAccessibleName(caption)
        self.tiles = list(tiles)
        for tile in self.tiles:
            tile.setParent(self)
            make_fitted(tile)
        self.scanning = False

    def show_back(self, scanning: bool, entered: bool = False) -> None:
        """As a GroupFrame's, but the Leave row tile is placed by the PageFit, not the row."""
        super().show_back(scanning, entered)
        if self.back_tile is not None and self.row.indexOf(self.back_tile) >= 0:
            self.row.removeWidget(self.back_tile)

    def cells(self) -> list[Tile]:
        """The tiles to place: the row's own, and the Leave row tile while scanning (its place
        is planned from the member's profile, before the scanner first shows the rows)."""
        back = [self.back_tile] if self.scanning and self.back_tile is not None else []
        return [*self.tiles, *back]


@dataclass
class Arranged:
    """Where a row's parts go, inside the row, and how tall the row is."""

    height: int
    places: list[tuple[QWidget, QRect]]
    px: int  # the font the row was planned at


def arrange(row: FitRow, width: int, px: int, least: int, step: Step) -> Arranged | None:
    """The lowest arrangement of `row` at `px` in which every word fits, or None."""
    cells = row.cells()
    inner = width - 2 * SIDE
    spacing = max(4, step.gap)
    best: Arranged | None = None
    if row.caption is not None or len(cells) > 0:
        # beside: the caption takes CAPTION_WEIGHT cells of the line, each tile one
        weight = CAPTION_WEIGHT if row.caption is not None else 0.0
        parts = len(cells) + (1 if row.caption is not None else 0)
        unit = (inner - spacing * (parts - 1)) / (len(cells) + weight)
        needs = [tile_need(tile, int(unit), px) for tile in cells]
        cap_w = int(unit * weight)
        cap = caption_need(row.caption, cap_w, px) if row.caption is not None else 0
        if None not in needs and cap is not None:
            tall = max([least, cap, *[n for n in needs if n is not None]])
            places, x = [], float(SIDE)
            if row.caption is not None:
                places.append((row.caption, QRect(SIDE, step.margin, cap_w, tall)))
                x += cap_w + spacing
            for tile in cells:
                places.append((tile, QRect(round(x), step.margin, int(unit), tall)))
                x += unit + spacing
            best = Arranged(tall + 2 * step.margin, places, px)
    cap_h = caption_need(row.caption, inner, px) if row.caption is not None else 0
    if cap_h is None:
        return best
    for columns in range(len(cells), 0, -1):
        unit = (inner - spacing * (columns - 1)) / columns
        needs = [tile_need(tile, int(unit), px) for tile in cells]
        if None in needs:
            continue
        places, y = [], step.margin
        if row.caption is not None:
            places.append((row.caption, QRect(SIDE, y, inner, cap_h)))
            y += cap_h + spacing
        for start in range(0, len(cells), columns):
            line = cells[start:start + columns]
            tall = max([least, *[n for n in needs[start:start + columns] if n is not None]])
            for i, tile in enumerate(line):
                places.append((tile, QRect(round(SIDE + i * (unit + spacing)), y, int(unit), tall)))
            y += tall + spacing
        height = y - spacing + step.margin
        if best is None or height < best.height:
            best = Arranged(height, places, px)
        break  # the most to a line that fits: fewer lines are lower
    return best


def squeezed(row: FitRow, width: int, px: int, least: int, step: Step, room: int) -> Arranged:
    """`row` arranged to be no taller than `room` if it can be: its font shrinks first."""
    found = None
    for size in range(px, SMALLEST_FONT_PX - 1, -2):
        found = arrange(row, width, size, least if size == px else MIN_TARGET_PX, step) or found
        if found is not None and found.height <= room:
            return found
    if found is not None:
        return found
    # No word fits even at the smallest font (a very narrow window): one tile to a line.
    places, y = [], step.margin
    for part in [*([row.caption] if row.caption is not None else []), *row.cells()]:
        places.append((part, QRect(SIDE, y, width - 2 * SIDE, MIN_TARGET_PX)))
        y += MIN_TARGET_PX + 2
    return Arranged(y + step.margin, places, SMALLEST_FONT_PX)
