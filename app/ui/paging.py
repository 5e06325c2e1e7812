"""Pages instead of scrolling: the one paging helper of every participant screen.

Usage (a Screen's `self.body` is a PagedBody unless the screen sets `paged = False`):
    self.body.addWidget(label)                          # a block, kept whole on one page
    self.add_tiles("keywords", "Keywords", tiles, 4)    # tiles reflow: fewer columns when long
    self.body.addWidget(keyboard, 1)                    # stretch: takes the page's spare height
Screen.scan_groups() then holds only the page on show, then its "Next page 2 of 3" tile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.ui.widgets import GroupFrame, ScanGroup, Tile

GAP = 10


class TileGrid:
    """Tiles in rows of at most `columns`, fewer when a label's longest word needs the room.

    Each row is a GroupFrame scanned as "<label>, row N"; the rows are rebuilt when the
    width changes the number of columns.
    """

    def __init__(self, body: PagedBody, key: str, label: str, tiles: list[Tile], columns: int) -> None:
        self.body = body
        self.key, self.label, self.tiles, self.most = key, label, tiles, max(1, columns)
        self.columns = 0
        self.frames: list[GroupFrame] = []
        self.groups: list[ScanGroup] = []

    def reflow(self, width: int) -> bool:
        """Rows for this width; True when they changed."""
        columns = self._columns_for(width)
        if columns == self.columns:
            return False
        self.columns = columns
        old = self.frames
        self.frames, self.groups = [], []
        for start in range(0, len(self.tiles), columns):
            chunk = self.tiles[start:start + columns]
            index = start // columns + 1
            name = f"{self.label}, row {index}" if len(self.tiles) > columns else self.label
            frame = GroupFrame(name, self.body)
            for tile in chunk:
                frame.row.addWidget(tile, 1)
            for _ in range(columns - len(chunk)):
                frame.row.addStretch(1)
            self.frames.append(frame)
            self.groups.append(ScanGroup(f"{self.key}{index}", name, frame, list(chunk)))
        for frame in old:
            frame.hide()
            frame.deleteLater()
        return True

    def _columns_for(self, width: int) -> int:
        margins, spacing = 20, 14  # GroupFrame's own
        for columns in range(min(self.most, max(1, len(self.tiles))), 0, -1):
            each = (width - margins - spacing * (columns - 1)) // columns
            if all(tile.fits_width(each) for tile in self.tiles):
                return columns
        return 1


@dataclass
class Block:
    """One thing on a page: a widget (a paragraph, a framed row) or a row of a TileGrid."""

    widget: QWidget
    stretch: int = 0


class PagedBody(QWidget):
    """Lays its blocks out top to bottom and splits them into pages that fit its height.

    Only the current page's blocks are shown; when there is more than one page a row with
    "Next page" (and "Previous page" from three pages on) ends the page. `on_turn` is
    called after every page turn or reflow, with the page number (the screen rescans).
    """

    def __init__(self, on_turn: Callable[[int], None] | None = None) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._items: list[QWidget | TileGrid] = []
        self._stretch: dict[int, int] = {}
        self._pages: list[list[Block]] = [[]]
        self.page = 0
        self.on_turn = on_turn
        self._size = QSize()
        self.next_tile = Tile("Next page", self.next_page, role="action")
        self.next_tile.setObjectName("page-next")
        self.back_tile = Tile("Previous page", self.previous_page, role="action")
        self.back_tile.setObjectName("page-previous")
        self.page_frame = GroupFrame("Pages", self)
        self.page_frame.row.addWidget(self.next_tile, 1)  # first: the way on is the usual one
        self.page_frame.row.addWidget(self.back_tile, 1)
        self.page_frame.hide()
        self.page_group = ScanGroup("page", "Pages", self.page_frame, [self.next_tile])

    # ----------------------------------------------------------------- building
    def addWidget(self, widget: QWidget, stretch: int = 0) -> None:  # noqa: N802 - as QBoxLayout
        """Add a block; one with `stretch` takes the spare height of its page."""
        widget.setParent(self)
        self._items.append(widget)
        if stretch:
            self._stretch[id(widget)] = stretch
        self._size = QSize()

    def addStretch(self, _stretch: int = 0) -> None:  # noqa: N802 - as QBoxLayout
        """Pages fill from the top: the space after the last block is already there."""

    def add_tiles(self, key: str, label: str, tiles: list[Tile], columns: int) -> TileGrid:
        """Add tiles in reflowing rows of at most `columns` (see TileGrid)."""
        grid = TileGrid(self, key, label, tiles, columns)
        self._items.append(grid)
        self._size = QSize()
        return grid

    # ------------------------------------------------------------------ paging
    @property
    def pages(self) -> int:
        """How many pages there are at this size."""
        return len(self._pages)

    def next_page(self) -> None:
        """Turn to the next page, or from the last back to the first."""
        self.turn((self.page + 1) % self.pages)

    def previous_page(self) -> None:
        """Turn back a page."""
        self.turn((self.page - 1) % self.pages)

    def turn(self, page: int) -> None:
        """Show page `page` (counted from 0)."""
        self.page = max(0, min(page, self.pages - 1))
        self._place()
        if self.on_turn is not None:
            self.on_turn(self.page)

    def page_of(self, widget: QWidget) -> int | None:
        """The page holding `widget` (or the block it is in), None when it is not in the body."""
        for number, blocks in enumerate(self._pages):
            if any(b.widget is widget or b.widget.isAncestorOf(widget) for b in blocks):
                return number
        return None

    def scan_groups(self, groups: list[ScanGroup]) -> list[ScanGroup]:
        """The groups of the page on show, in page order (of `groups`, the screen's, and the
        tile grids'), then the page tiles."""
        shown: list[ScanGroup] = []
        for block in self._pages[self.page] if self._pages else []:
            grid = next((g for g in self._items if isinstance(g, TileGrid) and block.widget in g.frames),
                        None)
            if grid is not None:
                shown.extend(g for g in grid.groups if g.frame is block.widget)
            else:
                shown.extend(g for g in groups
                             if g.frame is block.widget or block.widget.isAncestorOf(g.frame))
        if self.pages > 1:
            shown.append(self.page_group)
        return shown

    def relayout(self) -> None:
        """Measure every block again (after a change of content) and page them."""
        self._size = QSize()
        self._paginate()

    # --------------------------------------------------------------- internals
    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Any size will do: what does not fit goes to another page."""
        return QSize(200, 200)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Never asks the window for more room."""
        return QSize(100, 100)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """A new size: page again."""
        super().resizeEvent(event)
        self._paginate()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Paged before it is first seen."""
        super().showEvent(event)
        self._paginate()

    def _blocks(self, width: int) -> tuple[list[Block], bool]:
        blocks: list[Block] = []
        changed = False
        for item in self._items:
            if isinstance(item, TileGrid):
                changed = item.reflow(width) or changed
                blocks.extend(Block(frame) for frame in item.frames)
            else:
                blocks.append(Block(item, self._stretch.get(id(item), 0)))
        return blocks, changed

    @staticmethod
    def _height(block: Block, width: int) -> int:
        widget = block.widget
        if block.stretch:
            return max(widget.minimumSizeHint().height(), widget.minimumHeight())
        hfw = widget.hasHeightForWidth()
        wanted = widget.heightForWidth(width) if hfw else widget.sizeHint().height()
        return max(wanted, widget.minimumSizeHint().height(), widget.minimumHeight())

    def _paginate(self) -> None:
        if self.size() == self._size or self.width() <= 0 or self.height() <= 0:
            return
        self._size = self.size()
        width, height = self.width(), self.height()
        blocks, changed = self._blocks(width)
        heights = [(b, self._height(b, width)) for b in blocks]
        total = sum(h for _b, h in heights) + GAP * max(0, len(heights) - 1)
        pages: list[list[Block]] = [[]]
        if total > height:
            room = height - self._height(Block(self.page_frame), width) - GAP
            used = 0
            for block, h in heights:
                if pages[-1] and used + GAP + h > room:
                    pages.append([])
                    used = 0
                used += h + (GAP if pages[-1] else 0)
                pages[-1].append(block)
        else:
            pages = [blocks]
        before = [[b.widget for b in p] for p in self._pages]
        self._pages = pages
        self.page = min(self.page, self.pages - 1)
        self._place()
        if (changed or before != [[b.widget for b in p] for p in pages]) and self.on_turn is not None:
            self.on_turn(self.page)

    def _place(self) -> None:
        width, height = self.width(), self.height()
        current = self._pages[self.page] if self._pages else []
        on_page = {id(b.widget) for b in current}
        for item in self._items:
            for widget in item.frames if isinstance(item, TileGrid) else [item]:
                if id(widget) not in on_page:
                    widget.hide()
        paged = self.pages > 1
        bottom = height
        if paged:
            row_h = self._height(Block(self.page_frame), width)
            bottom = height - row_h
            self.page_frame.setGeometry(0, bottom, width, row_h)
            self._label_page_tiles()
            self.page_frame.show()
        else:
            self.page_frame.hide()
        sizes = [self._height(b, width) for b in current]
        spare = bottom - sum(sizes) - GAP * len(current)
        stretch = sum(b.stretch for b in current)
        y = 0
        for block, h in zip(current, sizes, strict=True):
            if block.stretch and spare > 0:
                h += spare * block.stretch // stretch
            block.widget.setGeometry(0, y, width, h)
            block.widget.show()
            y += h + GAP

    def _label_page_tiles(self) -> None:
        count = self.pages
        upcoming = (self.page + 1) % count
        if upcoming == 0:
            self.next_tile.set_label(f"First page: 1 of {count}", f"First page, page 1 of {count}")
        else:
            self.next_tile.set_label(f"Next page: {upcoming + 1} of {count}",
                                     f"Next page, page {upcoming + 1} of {count}")
        earlier = self.page - 1
        self.back_tile.set_label(f"Previous page: {earlier + 1} of {count}",
                                 f"Previous page, page {earlier + 1} of {count}")
        backwards = count > 2 and self.page > 0
        self.back_tile.setVisible(backwards)
        self.page_group.items = [self.next_tile, self.back_tile] if backwards else [self.next_tile]
