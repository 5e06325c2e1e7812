"""Measuring a screen as a low-vision member meets it: every word whole, nothing to scroll.

Each visible label and tile is checked with its own font metrics: its text, wrapped the way it
is drawn, must fit inside its contents rectangle, and the widget itself must lie inside the
window. Scroll areas must not scroll (the text field being written excepted: its cursor's line
must be in view), and every target must be at least 44 x 44 px.
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QPlainTextEdit,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from app.ui.scan import is_scan_only

MIN_PX = 44


def settle() -> None:
    """Let posted layout requests run so sizes are final (no waiting on time)."""
    for _ in range(3):
        QApplication.processEvents()


def name_of(widget: QWidget) -> str:
    text = widget.accessibleName() or getattr(widget, "text", lambda: "")() or repr(widget)
    return " ".join(str(text).split())[:60]


def shown(screen: QWidget) -> Iterator[QWidget]:
    """The screen's widgets a member can see (visible, with a size)."""
    for widget in screen.findChildren(QWidget):
        if widget.isVisible() and widget.width() > 0 and widget.height() > 0:
            yield widget


def _button_room(button: QAbstractButton) -> QRect:
    option = QStyleOptionButton()
    button.initStyleOption(option)
    return button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)


def text_problem(widget: QWidget) -> str | None:
    """Why `widget`'s text does not fit inside it, or None when it fits."""
    if isinstance(widget, QAbstractButton):
        text = widget.text()
        if not text:
            return None
        room = _button_room(widget)
        metrics = widget.fontMetrics()
        lines = text.split("\n")
        widest = max(metrics.horizontalAdvance(line) for line in lines)
        tall = metrics.lineSpacing() * (len(lines) - 1) + metrics.height()
        if widest > room.width() or tall > room.height():
            return f"{widest}x{tall} px of text in {room.width()}x{room.height()}"
        return None
    if isinstance(widget, QLabel):
        text = widget.text()
        if not text:
            return None
        room = widget.contentsRect()
        metrics = widget.fontMetrics()
        flags = int(widget.alignment().value) | (int(Qt.TextFlag.TextWordWrap.value)
                                                 if widget.wordWrap() else 0)
        needed = metrics.boundingRect(QRect(0, 0, room.width(), 100_000), flags, text)
        widest_word = max((metrics.horizontalAdvance(w) for w in text.split()), default=0)
        if needed.height() > room.height() or widest_word > room.width() or (
                not widget.wordWrap() and needed.width() > room.width()):
            return f"{needed.width()}x{needed.height()} px of text in {room.width()}x{room.height()}"
    return None


def outside(widget: QWidget, window: QWidget) -> bool:
    """True when part of `widget` lies outside the window, or outside its parent."""
    top_left = widget.mapTo(window, QPoint(0, 0))
    inside_window = window.rect().contains(QRect(top_left, widget.size()))
    parent = widget.parentWidget()
    inside_parent = parent is None or parent.rect().contains(widget.geometry())
    return not (inside_window and inside_parent)


def problems(screen: QWidget, window: QWidget) -> list[str]:
    """Everything on `screen` a member would lose: clipped words, scrolling, small targets."""
    found: list[str] = []
    for widget in shown(screen):
        if isinstance(widget, QAbstractButton) and is_scan_only(widget):
            continue  # shown only while its row is entered; its place is kept
        problem = text_problem(widget)
        if problem:
            found.append(f"clipped {name_of(widget)!r}: {problem}")
        if isinstance(widget, (QAbstractButton, QLabel, QAbstractScrollArea)) and outside(widget, window):
            found.append(f"outside the window: {name_of(widget)!r}")
        if isinstance(widget, QAbstractButton) and (widget.width() < MIN_PX or widget.height() < MIN_PX):
            found.append(f"small target {name_of(widget)!r}: {widget.width()}x{widget.height()}")
        if isinstance(widget, QPlainTextEdit):
            cursor = widget.cursorRect()
            if not widget.viewport().rect().contains(cursor):
                found.append(f"the cursor's line is out of view in {name_of(widget)!r}")
        elif isinstance(widget, QAbstractScrollArea):
            for bar in (widget.verticalScrollBar(), widget.horizontalScrollBar()):
                if bar.maximum() > bar.minimum():
                    found.append(f"scrolls: {name_of(widget)!r} by {bar.maximum() - bar.minimum()} px")
    return found
