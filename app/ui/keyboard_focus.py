"""Keyboard focus on the window's screens: the tiles in scan order, the same place kept on a
rebuilt screen, and the scanner's thick frame drawn where the keyboard focus is.

A mixin of MainWindow (it reads `current`, `scan` and `pointer`), apart from the window's
building and navigation: how a keyboard user's place behaves is one idea of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from app.ui.widgets import Tile, scroll_into_view

if TYPE_CHECKING:
    from app.ui.pointer import PointerController
    from app.ui.scan import ScanController
    from app.ui.screens.base import Screen


class KeyboardFocus:  # (focusWidget, isAncestorOf: the window's own, as a QWidget)
    """Where Tab, the arrows and Enter act, kept as the scanner keeps its place."""

    current: Screen | None
    scan: ScanController
    pointer: PointerController

    def tiles(self) -> list[Tile]:
        """The current screen's tiles in scan order (what Tab walks too)."""
        if self.current is None:
            return []
        return [tile for group in self.current.scan_groups() for tile in group.items]

    def _focus_index(self) -> int | None:
        focus = self.focusWidget()
        tiles = self.tiles()
        return tiles.index(focus) if focus in tiles else None

    def _focus_place(self) -> tuple[str, int] | None:
        """Where the keyboard focus is, as the scanner keeps its place: its row and its tile."""
        focus = self.focusWidget()
        groups = self.current.scan_groups() if self.current is not None else []
        return next(((g.key, g.items.index(focus)) for g in groups if focus in g.items), None)

    def _focus_again(self, place: tuple[str, int] | None) -> None:
        """Focus the same row and tile on a rebuilt screen; if that row is gone (a Reveal done,
        an ask answered), the first tile, as the scanner goes back to the top: never the tile that
        slid into its place, which a second Enter would choose unasked (on the facilitator's
        meeting screen that moved the whole group back to step 1)."""
        groups = self.current.scan_groups() if self.current is not None else []
        if place is not None:
            for group in groups:
                if group.key == place[0] and place[1] < len(group.items):
                    group.items[place[1]].setFocus(Qt.FocusReason.OtherFocusReason)
                    return
        self._focus_tile(0)

    def _focus_tile(self, index: int) -> None:
        tiles = self.tiles()
        if tiles:
            tiles[min(index, len(tiles) - 1)].setFocus(Qt.FocusReason.OtherFocusReason)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        # Keyboard users get the same thick frame the scanner draws.
        if self.scan.active or self.pointer.active or new is None or not self.isAncestorOf(new):
            return  # (the pointer draws its own frame where it points)
        if isinstance(new, QAbstractScrollArea):  # the list itself: its own dashed frame (theme.py),
            self.scan.frame.clear()  # not a tile's frame left behind as if that tile still had it
            return
        if not isinstance(new, Tile):
            return
        scroll_into_view(new)  # a place kept on a rebuilt screen may lie below the list's edge
        self.scan.frame.show_on(new, is_group=False)
