"""Settings fit the window at every Size: pages of rows instead of a scrolled list.

`PageFit` holds a screen's title, its rows (`FitRow`, app/ui/fit_rows.py: a caption and its
tiles; or a line of text) and the rows under them (the action bar, any asks), and places each
itself, with no minimum size of its own, so nothing can make the window grow and nothing scrolls. A row's
tiles sit beside its caption when every word fits there at the Size's font, else in lines
under it (as many to a line as fit). It tries ways of laying the page out from the roomiest
to the most compact (`STEPS`: the gaps shrink, the tiles lose the height the Size gives
them beyond what their text needs, the title gives up lines); when the rows still do not fit
one page they are shared out over pages, turned by a "Next page: 2 of 3" tile placed beside
the action bar (scanned last). A label that would not fit its tile is drawn smaller (measured
with its own font metrics, app/ui/write_fit.py's helpers); what is spoken stays whole.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QWidget

from app.ui.fit_area import FittingArea
from app.ui.fit_rows import SIDE, STEPS, Arranged, FitRow, Step, arrange, squeezed, tile_need
from app.ui.label_fit import largest_fitting, sized
from app.ui.theme import MIN_TARGET_PX, font_px, target_px
from app.ui.widgets import GroupFrame, ScanGroup, Tile, make_fitted
from app.ui.write_fit import SMALLEST_FONT_PX, label_px, text_height, tile_room


class PageFit(FittingArea):
    """A screen's contents placed to fit, in pages (see the module docstring)."""

    def __init__(self, heading: QLabel, size_percent: Callable[[], int], scanning: Callable[[], bool],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = heading
        heading.setParent(self)
        self.size_percent = size_percent
        self.scanning = scanning  # the member scans: every row keeps a place for "Leave row"
        self.blocks: list[QWidget] = []  # FitRows, texts, or a widget with a text of its own
        self.bottom: list[QWidget] = []  # the action bar and asks, under the pages
        self.pager_tile = Tile("Next page", self._turn, role="action")
        self.pager_tile.setObjectName("page-next")
        self.pager = GroupFrame("Pages")
        self.pager.setProperty("fit", True)
        self.pager.setParent(self)
        make_fitted(self.pager_tile)
        self.pager.row.addWidget(self.pager_tile, 1)
        self.pager.show_back(scanning())
        self.pager_group = ScanGroup("pages", "Pages", self.pager, [self.pager_tile])
        self.page = 0
        self.pages = 1
        self.anchor = 0  # the block to keep in view when the pages are shared out again
        self.on_groups: Callable[[], None] | None = None  # the rows on show changed
        self.on_turn: Callable[[int, int], None] | None = None  # a page was turned (to page, of)
        self._pages: list[list[int]] = [[]]
        self._planned: tuple | None = None
        self.setStyleSheet('QPushButton[fit="true"] { min-height: 0px; min-width: 0px; }')

    # ------------------------------------------------------------------ API
    def add_block(self, widget: QWidget) -> None:
        """A row (a FitRow) or a text, in order."""
        widget.setParent(self)
        if isinstance(widget, FitRow):
            widget.scanning = self.scanning()
            widget.show_back(widget.scanning)  # (made now, so that the plan holds its place)
        self.blocks.append(widget)

    def add_bottom(self, widget: QWidget) -> None:
        """A row under the pages (the action bar, the asks and their caption)."""
        widget.setParent(self)
        if isinstance(widget, GroupFrame):
            widget.setProperty("fit", True)
            for tile in widget.findChildren(Tile):
                make_fitted(tile)
            widget.show_back(self.scanning())  # its place kept from the start, as the scanner will
        widget.show()
        self.bottom.append(widget)

    def show_block(self, index: int) -> None:
        """Turn to the page that holds block `index` (a row just changed)."""
        self.anchor = index
        self.refit()

    def rows_on_show(self) -> list[FitRow]:
        """The rows of the page on show, in order."""
        return [self.blocks[i] for i in self._pages[self.page] if isinstance(self.blocks[i], FitRow)]

    def _fit(self) -> None:
        """Share the rows out over pages for this size and place the page on show; say so when
        the rows on show change."""
        before = [id(r) for r in self.rows_on_show()], self.pages > 1
        self._share_and_place()
        if ([id(r) for r in self.rows_on_show()], self.pages > 1) != before and self.on_groups:
            self.on_groups()

    # ----------------------------------------------------------- internals
    def _turn(self) -> None:
        self.page = (self.page + 1) % self.pages
        self.anchor = self._pages[self.page][0]
        self.refit()
        if self.on_groups is not None:  # (the rows on show changed; refit saw the new page only)
            self.on_groups()
        if self.on_turn is not None:
            self.on_turn(self.page, self.pages)

    def _title(self, width: int, f: int, step: Step) -> tuple[int, int]:
        px = round(f * step.title_scale)
        while True:
            height, lines = text_height(self.heading, px, width)
            if lines <= step.title_lines or px <= SMALLEST_FONT_PX + 4:
                return px, height
            px -= 2

    def _bottom_lines(self, paged: bool) -> list[list[QWidget]]:
        """The lines under the pages; the page tile shares the first row's line."""
        lines = [[w] for w in self.bottom if not w.isHidden()]
        first = next((line for line in lines if isinstance(line[0], GroupFrame)), None)
        if paged:
            if first is None:
                lines.append([self.pager])
            else:
                first.append(self.pager)
        return lines

    @staticmethod
    def _frame_cells(frame: GroupFrame) -> list[Tile]:
        tiles = [t for t in frame.findChildren(Tile) if not t.isHidden()]
        back = frame.back_tile
        if back is not None and back.isHidden() and back.sizePolicy().retainSizeWhenHidden():
            tiles.append(back)
        return tiles

    def _line_height(self, line: list[QWidget], width: int, f: int, least: int, step: Step) -> int:
        if isinstance(line[0], QLabel):
            return text_height(line[0], f, width)[0]
        tall = least
        for frame, share in zip(line, self._shares(line, width), strict=True):
            cells = self._frame_cells(frame)  # type: ignore[arg-type]
            unit = (share - 2 * SIDE - 8 * (len(cells) - 1)) // max(1, len(cells))
            for tile in cells:
                need = tile_need(tile, unit, f)
                tall = max(tall, need if need is not None else least)
        return tall + 2 * step.margin

    def _shares(self, line: list[QWidget], width: int) -> list[int]:
        weights = [max(1, len(self._frame_cells(w))) if isinstance(w, GroupFrame) else 1 for w in line]
        room = width - 8 * (len(line) - 1)
        shares = [room * w // sum(weights) for w in weights]
        shares[-1] = room - sum(shares[:-1])
        return shares

    def _block_height(self, block: QWidget, width: int, f: int, least: int, step: Step,
                      room: int) -> tuple[int, Arranged | None]:
        if isinstance(block, FitRow):
            arranged = arrange(block, width, f, least, step)
            if arranged is None or arranged.height > room:
                arranged = squeezed(block, width, f, least, step, room)
            return arranged.height, arranged
        if isinstance(block, QLabel):
            return text_height(block, f, width)[0], None
        return max(40, QFontMetrics(sized(block.font(), f)).height() + 12), None

    def _plan(self, width: int, height: int, step: Step) -> tuple:
        f = font_px(self.size_percent())
        least = max(MIN_TARGET_PX, round(target_px(self.size_percent()) * step.pref))
        title_px, title_h = self._title(width, f, step)
        plans = {}
        for paged in (False, True):
            lines = self._bottom_lines(paged)
            bottom_h = sum(self._line_height(line, width, f, least, step) for line in lines)
            bottom_h += step.gap * 2 * len(lines)
            room = height - title_h - bottom_h - step.gap * 2
            sized_blocks = [self._block_height(b, width, f, least, step, max(1, room))
                            for b in self.blocks]
            pages: list[list[int]] = [[]]
            used = 0
            for i, (tall, _arranged) in enumerate(sized_blocks):
                extra = tall + (step.gap * 2 if pages[-1] else 0)
                if pages[-1] and used + extra > room:
                    pages.append([])
                    used, extra = 0, tall
                pages[-1].append(i)
                used += extra
            plans[paged] = (pages, sized_blocks, lines, title_px, title_h, room, f, least)
            if not paged and len(pages) == 1:
                return plans[False]
        return plans[True]

    def _signature(self) -> tuple:
        """What the plan depends on: a page turn or a repeated style event plans nothing."""
        rows = self.scanning()
        bottom = tuple((w.isHidden(), len(self._frame_cells(w)) if isinstance(w, GroupFrame) else 0)
                       for w in self.bottom)
        return self.width(), self.height(), self.size_percent(), rows, bottom, len(self.blocks)

    def _share_and_place(self) -> None:
        width, height = self.width(), self.height()
        signature = self._signature()
        if self._planned is not None and self._planned[0] == signature:
            chosen = self._planned[1]
        else:
            chosen = None
            for step in STEPS:
                plan = self._plan(width, height, step)
                if chosen is None or len(plan[0]) < len(chosen[1][0]):
                    chosen = (step, plan)
                if len(plan[0]) == 1:
                    break
            self._planned = (signature, chosen)
        step, (pages, sized_blocks, lines, title_px, title_h, room, f, least) = chosen
        self._pages, self.pages = pages, len(pages)
        self.page = next((p for p, blocks in enumerate(pages) if self.anchor in blocks), 0)
        self._own_font(self.heading, title_px)
        self.heading.setGeometry(0, 0, width, title_h)
        y = title_h + step.gap * 2
        for i, block in enumerate(self.blocks):
            if i not in pages[self.page]:
                block.hide()
                continue
            tall, arranged = sized_blocks[i]
            block.setGeometry(0, y, width, tall)
            if arranged is not None and isinstance(block, FitRow):
                self._place_row(block, arranged)
            elif isinstance(block, QLabel):
                self._own_font(block, label_px(block, width, tall, f))
            else:
                self._own_font(block, f)
            block.show()
            y += tall + step.gap * 2
        self.pager.setVisible(self.pages > 1)
        if self.pages > 1:
            following = (self.page + 1) % self.pages
            name = "Next page" if following else "First page"
            self.pager_tile.set_label(f"{name}:\n{following + 1} of {self.pages}",
                                      f"{name}, page {following + 1} of {self.pages}")
        self._place_bottom(lines, width, height, f, least, step)

    def _place_row(self, row: FitRow, arranged: Arranged) -> None:
        f = font_px(self.size_percent())
        placed = {id(w) for w, _ in arranged.places}
        if row.back_tile is not None and id(row.back_tile) not in placed:
            row.back_tile.setGeometry(0, 0, 0, 0)
        for widget, rect in arranged.places:
            widget.setGeometry(rect)
            if isinstance(widget, QLabel):
                self._own_font(widget, label_px(widget, rect.width(), rect.height(), arranged.px))
            elif isinstance(widget, Tile):
                px = largest_fitting(widget.font(), widget.label, tile_room(widget), arranged.px)
                self._own_font(widget, px, px >= f)

    def _place_bottom(self, lines: list[list[QWidget]], width: int, height: int, f: int,
                      least: int, step: Step) -> None:
        heights = [self._line_height(line, width, f, least, step) for line in lines]
        y = height - sum(heights) - step.gap * 2 * (len(lines) - 1)
        for line, tall in zip(lines, heights, strict=True):
            x = 0
            for widget, share in zip(line, self._shares(line, width), strict=True):
                widget.setGeometry(x, y, share, tall)
                if isinstance(widget, GroupFrame):
                    widget.row.setContentsMargins(SIDE, step.margin, SIDE, step.margin)
                    widget.row.setSpacing(8)
                    widget.row.setGeometry(widget.rect())  # the tiles' sizes now
                    for tile in widget.findChildren(Tile):
                        px = largest_fitting(tile.font(), tile.label, tile_room(tile), f)
                        self._own_font(tile, px, px >= f)
                elif isinstance(widget, QLabel):
                    self._own_font(widget, label_px(widget, share, tall, f))
                x += share + 8
            y += tall + step.gap * 2

    @staticmethod
    def _own_font(widget: QWidget, px: int, window_font: bool = False) -> None:
        wanted = "" if window_font else f"font-size: {px}px;"
        if widget.styleSheet() != wanted:
            widget.setStyleSheet(wanted)

