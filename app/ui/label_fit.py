"""Fitting a label into the room a tile gives it: wrapped at spaces, smaller if it must, cut last.

One place for the rule every tile follows (issue 16, "tiles never clip their text"): the label is
broken into lines at spaces; when the lines are still wider or taller than the room, the font
shrinks, but never below a floor (a share of the member's own Size); only then is the text cut,
with "…", in what is shown. What is spoken, and the accessible name, always hold the whole
label. The writing screen places its keys itself (app/ui/write_fit.py) and uses the same wrap.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics

ELLIPSIS = "…"
SHRINK_FLOOR = 0.6  # a label shrinks to 60 % of the Size's font at most, then it is cut
SMALLEST_PX = 12  # a tile's label, shrunk to fit, is no smaller than this
SMALLEST_FONT_PX = 8  # a key's label (it fits a 44 px key many times)


def wrap(metrics: QFontMetrics, text: str, width: int) -> list[str]:
    """`text` broken into lines at spaces so each fits `width` where it can (a single word
    wider than `width` keeps a line of its own)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            longer = f"{line} {word}" if line else word
            if line and metrics.horizontalAdvance(longer) > width:
                lines.append(line)
                line = word
            else:
                line = longer
        lines.append(line)
    return lines


def lines_fit(metrics: QFontMetrics, lines: list[str], room: QRect) -> bool:
    """True when these lines, drawn with `metrics`, lie inside `room`."""
    widest = max((metrics.horizontalAdvance(line) for line in lines), default=0)
    tall = metrics.lineSpacing() * (len(lines) - 1) + metrics.height()
    return widest <= room.width() and tall <= room.height()


def sized(font: QFont, px: int) -> QFont:
    """A copy of `font` at `px` pixels."""
    copy = QFont(font)
    copy.setPixelSize(max(1, px))
    return copy


def label_fits(font: QFont, text: str, room: QRect) -> bool:
    """True when `text`, wrapped to the room's width in `font`, fits inside the room."""
    metrics = QFontMetrics(font)
    return lines_fit(metrics, wrap(metrics, text, room.width()), room)


def largest_fitting(font: QFont, text: str, room: QRect, most: int,
                    least: int = SMALLEST_FONT_PX) -> int:
    """The largest pixel size from `least` up to `most` at which `text` fits `room` (binary
    search; `least` when none does)."""
    low, high = least, max(least, most)
    if label_fits(sized(font, high), text, room):
        return high
    while low < high:
        middle = (low + high + 1) // 2
        if label_fits(sized(font, middle), text, room):
            low = middle
        else:
            high = middle - 1
    return low


@dataclass(frozen=True)
class Fitted:
    """How a label is shown: its lines, at which pixel size, and whether it had to be cut."""

    text: str
    px: int
    cut: bool


def fit_label(font: QFont, label: str, room: QRect, px: int) -> Fitted:
    """The label wrapped into `room` at `px` (the Size's font), smaller down to the floor when it
    must, and cut with "…" (lines dropped from the end, a too-wide word shortened) when even the
    floor does not fit."""
    if room.width() <= 0 or room.height() <= 0 or not label:
        return Fitted(label, px, False)
    floor = max(SMALLEST_PX, min(px, round(px * SHRINK_FLOOR)))
    size = largest_fitting(font, label, room, px, least=floor)
    metrics = QFontMetrics(sized(font, size))
    lines = wrap(metrics, label, room.width())
    if lines_fit(metrics, lines, room):
        return Fitted("\n".join(lines), size, False)
    return Fitted(_cut(metrics, lines, room), floor, True)


def _cut(metrics: QFontMetrics, lines: list[str], room: QRect) -> str:
    """As many lines as the room's height holds, each no wider than the room; "…" where cut."""
    most = max(1, 1 + (room.height() - metrics.height()) // max(1, metrics.lineSpacing()))
    kept = lines[:most]
    if len(lines) > most:
        kept[-1] = f"{kept[-1]} {ELLIPSIS}"
    return "\n".join(metrics.elidedText(line, Qt.TextElideMode.ElideRight, room.width())
                     for line in kept)
