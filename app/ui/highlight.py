"""Parts of the scan adapter: the clock that fires the engine's deadlines, and the frame."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QRect, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QScrollArea, QWidget
from shiboken6 import isValid


def _scroll_area(widget: QWidget) -> QScrollArea | None:
    """The nearest scroll area holding `widget`, if any."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent


class SchedulingClock(Protocol):
    """A clock that can call back once at an absolute time (real or manual)."""

    def now(self) -> float: ...
    def call_at(self, deadline: float, callback: Callable[[], None]) -> None: ...
    def cancel(self) -> None: ...
    def channel(self) -> SchedulingClock: ...


class QtClock(QObject):
    """time.monotonic with one precise single-shot QTimer, armed for absolute deadlines."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._callback: Callable[[], None] | None = None
        self._timer.timeout.connect(self._fire)

    def now(self) -> float:
        """Seconds on the monotonic clock."""
        return time.monotonic()

    def call_at(self, deadline: float, callback: Callable[[], None]) -> None:
        """Call `callback` once at `deadline`, replacing any earlier request."""
        self._callback = callback
        self._timer.start(max(0, round((deadline - self.now()) * 1000)))

    def cancel(self) -> None:
        """Forget the pending call."""
        self._timer.stop()
        self._callback = None

    def channel(self) -> QtClock:
        """Another clock with a pending call (a timer) of its own."""
        return QtClock(self)

    def _fire(self) -> None:
        callback, self._callback = self._callback, None
        if callback is not None:
            callback()


class HighlightFrame(QWidget):
    """A thick two-band frame over the highlighted widget: solid for items, dashed for groups.

    The outer band is the member's colour; the inner band is the theme's contrast colour,
    so the frame shows on any background and is recognisable by shape alone.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.colour = QColor("#FFD700")
        self.inner = QColor("#FFFFFF")
        self.thickness = 8
        self.is_group = False
        self.target: QWidget | None = None
        self.area: QScrollArea | None = None  # the scrolling list the target is in, if any
        self.hide()

    def show_on(self, target: QWidget, is_group: bool) -> None:
        """Frame `target` (an item, or a whole group), following it when it moves or resizes
        (a new screen is laid out only after it is first framed)."""
        if target is not self.target:
            self._unwatch()
            target.installEventFilter(self)
            # A scrolled list moves the widget holding the target, not the target itself.
            self.area = _scroll_area(target)
            if self.area is not None and self.area.widget() is not None:
                self.area.widget().installEventFilter(self)
        self.target = target
        self.is_group = is_group
        self.reposition()
        self.show()
        self.raise_()
        self.update()

    def reposition(self) -> None:
        """Follow the target after a move, resize or scroll."""
        if self.target is None or self.parentWidget() is None:
            return
        pad = self.thickness + 2
        top_left = self.target.mapTo(self.parentWidget(), self.target.rect().topLeft())
        rect = QRect(top_left, self.target.size()).adjusted(-pad, -pad, pad, pad)
        bounds = self.parentWidget().rect()
        if self.area is not None and isValid(self.area):  # never drawn over what lies outside the list
            port = self.area.viewport()
            seen = QRect(port.mapTo(self.parentWidget(), port.rect().topLeft()), port.size())
            bounds = bounds.intersected(seen.adjusted(-pad, -pad, pad, pad))
        self.setGeometry(rect.intersected(bounds))

    def clear(self) -> None:
        """Hide the frame."""
        self._unwatch()
        self.target = None
        self.hide()

    def _unwatch(self) -> None:
        if self.target is not None and isValid(self.target):
            self.target.removeEventFilter(self)
        if self.area is not None and isValid(self.area) and self.area.widget() is not None:
            self.area.widget().removeEventFilter(self)
        self.area = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Keep up with the framed widget's moves and resizes."""
        if event.type() in (QEvent.Type.Move, QEvent.Type.Resize) and (
                watched is self.target or (self.area is not None and isValid(self.area)
                                           and watched is self.area.widget())):
            self.reposition()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        """Draw the outer coloured band and the inner contrast band."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        t = self.thickness
        outer = QPen(self.colour, t)
        outer.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        if self.is_group:
            outer.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(outer)
        half = t / 2
        painter.drawRect(QRectF(self.rect()).adjusted(half, half, -half, -half))
        painter.setPen(QPen(self.inner, 3))
        painter.drawRect(QRectF(self.rect()).adjusted(t + 1.5, t + 1.5, -t - 1.5, -t - 1.5))
        painter.end()
