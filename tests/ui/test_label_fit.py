"""A tile's label is shown whole: wrapped, then smaller (to 60 % of the Size's font at most),
then cut with "…" in what is shown only; the accessible name always holds the whole label."""

from __future__ import annotations

from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QWidget

from app.ui.widgets import Tile
from tests.ui.fit_check import settle, text_problem

SHEET = "QWidget { font-size: 54px; font-weight: bold; }"  # the window's style at 300 %


def placed(qtbot, label: str, width: int, height: int) -> tuple[QWidget, Tile]:
    holder = QWidget()
    holder.setStyleSheet(SHEET)
    tile = Tile(label, parent=holder)
    tile.setFixedSize(width, height)
    qtbot.addWidget(holder)
    holder.show()
    settle()
    return holder, tile


def px(tile: Tile) -> int:
    return QFontInfo(tile.font()).pixelSize()


def test_a_label_too_wide_for_its_tile_is_drawn_smaller_and_whole(qtbot):
    _holder, tile = placed(qtbot, "Our definition", 230, 200)
    assert text_problem(tile) is None
    assert 32 <= px(tile) < 54 and "…" not in tile.text()
    assert tile.text().replace("\n", " ") == "Our definition"
    assert tile.accessibleName() == "Our definition"


def test_a_label_that_cannot_fit_even_smaller_is_cut_on_screen_only(qtbot):
    label = "Extraordinarily long keyword nobody could fit in here"
    _holder, tile = placed(qtbot, label, 150, 70)
    assert text_problem(tile) is None
    assert tile.text().endswith("…") and px(tile) == round(54 * 0.6)
    assert tile.accessibleName() == label and tile.speech == label


def test_given_room_again_the_label_goes_back_to_the_sizes_font(qtbot):
    _holder, tile = placed(qtbot, "Our definition", 230, 200)
    assert px(tile) < 54
    tile.setFixedSize(700, 200)
    settle()
    assert px(tile) == 54 and tile.text() == "Our definition"
    tile.set_label("What happened to my words")  # a new label is fitted too
    assert text_problem(tile) is None and tile.accessibleName() == "What happened to my words"


def test_a_tiles_own_style_is_kept_when_its_font_is_fitted(qtbot):
    _holder, tile = placed(qtbot, "Our definition", 230, 200)
    tile.set_style("text-align: left;")
    settle()
    assert "text-align: left;" in tile.styleSheet() and px(tile) < 54


def test_an_ampersand_is_drawn(qtbot):
    # "&" alone marks a button's shortcut letter: the symbols page's "&" key was drawn empty.
    _holder, tile = placed(qtbot, "&", 120, 80)
    assert tile.text() == "&&" and tile.accessibleName() == "&"
    _holder, tile = placed(qtbot, "Fish & chips", 600, 200)
    assert tile.text() == "Fish && chips"
