"""The Qt side of pointing and dwelling: the one place that owns the pointer's state.

Pointer moves reach :class:`PointerController` through the window's
:class:`~app.ui.switch_input.InputRouter` (as switch presses do); it hit-tests the current
screen's scan targets (its tiles: keys, predictions, choices, actions; never a text field or
a heading) and the pause tile with the pure :class:`~app.access.dwell.DwellEngine`, draws
the thick highlight frame at once with a filling progress bar, speaks the target's cue as
scanning does, and chooses by dwell, or by switch 1 in "point, then press a switch".
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QCursor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget
from shiboken6 import isValid

from app.access.dwell import PAUSE_KEY, DwellEngine, DwellListener, Target
from app.access.profile import AccessProfile
from app.access.switches import Switch
from app.ui.highlight import HighlightFrame, QtClock, SchedulingClock
from app.ui.widgets import ScanGroup, Tile, scroll_into_view

__all__ = ["DwellFrame", "PointerController"]

ANIMATION_MS = 40
LAYOUT_CHECK_S = 0.1  # where the targets are is looked up again this often while the pointer moves
PAUSE_TEXT = ("❚❚ Pause pointing", "Pause pointing")
RESUME_TEXT = ("▶ Resume pointing", "Resume pointing")


class DwellFrame(HighlightFrame):
    """The highlight frame with a bar along the inside of its target's bottom edge that
    fills from left to right as the dwell goes on: progress shows by length, inside a
    contrasting track, and never covers the tile's label."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.progress: float | None = None  # None: no dwell runs (spent, paused, switch chooses)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        """The frame, then the bar."""
        super().paintEvent(event)
        if self.progress is None or self.target is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pad = self.thickness + 2  # the frame's padding round its target
        target = QRectF(self.rect()).adjusted(pad, pad, -pad, -pad)
        height = max(14.0, self.thickness * 1.5)
        track = QRectF(target.left() + 4, target.bottom() - height - 1, target.width() - 8, height)
        painter.setPen(QPen(self.inner, 2))
        painter.setBrush(QColor("#000000"))
        painter.drawRect(track)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.colour)
        filled = track.adjusted(2, 2, -2, -2)
        filled.setWidth(filled.width() * max(0.0, min(1.0, self.progress)))
        painter.drawRect(filled)
        painter.end()


class PointerController(QObject, DwellListener):
    """Owns the pointer: its dwell engine, its frame and progress bar, the pause tile, the cursor."""

    #: a target was chosen: its key and what it says
    chosen = Signal(str, str)

    def __init__(self, window: QWidget, overlay_parent: QWidget, say_cue: Callable[[str], bool],
                 announce: Callable[[str], None], clock: SchedulingClock | None = None) -> None:
        QObject.__init__(self, overlay_parent)
        self.window = window
        self.clock: SchedulingClock = clock.channel() if clock is not None else QtClock(self)
        self.say_cue = say_cue
        self.announce = announce
        self.profile = AccessProfile()
        self.engine = DwellEngine(self.profile.dwell_settings(), self)
        self.frame = DwellFrame(overlay_parent)
        self.pause_tile = Tile(PAUSE_TEXT[0], self.toggle_pause, speech=PAUSE_TEXT[1], role="action")
        self.pause_tile.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.pause_tile.setVisible(False)
        self._widgets: dict[str, QWidget] = {}
        self._spoken: tuple[str, str] | None = None
        self._layout_at = -1.0
        self._cursor_hidden = False
        self._animation = QTimer(self)
        self._animation.setInterval(ANIMATION_MS)
        self._animation.timeout.connect(self._show_progress)

    # ------------------------------------------------------------ adapter API
    @property
    def active(self) -> bool:
        """True when the member points and dwells."""
        return self.profile.scan_mode == "dwell"

    def apply_profile(self, profile: AccessProfile, theme_highlight: str, theme_inner: str) -> None:
        """Take the member's dwell settings and highlight look; show or hide the pause tile."""
        was_active = self.active
        self.profile = profile
        self.engine.update_settings(profile.dwell_settings())
        self.frame.colour = QColor(profile.highlight_colour or theme_highlight)
        self.frame.inner = QColor(theme_inner)
        self.frame.thickness = profile.highlight_thickness
        self.pause_tile.setVisible(self.active)
        self.pause_tile.ensurePolished()  # room for the longer label, so the tile keeps its size
        metrics = self.pause_tile.fontMetrics()
        longest = max(metrics.horizontalAdvance(text) for text in (PAUSE_TEXT[0], RESUME_TEXT[0]))
        self.pause_tile.setMinimumWidth(longest + 56)
        self._hide_cursor(self.active and profile.hide_pointer)
        if not self.active:
            if was_active:
                self.engine.leave(self.clock.now())
            self.frame.clear()
            self._animation.stop()
            self.clock.cancel()
        elif not was_active:
            self._spoken = None
            self._refresh_targets(fresh=True)
            self._seed_from_cursor()
            self._rearm()

    def set_groups(self, groups: list[ScanGroup]) -> None:
        """The current screen's targets (a new or refreshed screen, or its keys rebuilt)."""
        self._widgets = {f"{g.key}.{i}": tile for g in groups for i, tile in enumerate(g.items)}
        self._widgets[PAUSE_KEY] = self.pause_tile
        if self.active:
            self._refresh_targets(fresh=True)

    def move(self, position: QPointF) -> None:
        """The pointer is at `position` (window coordinates)."""
        if not self.active:
            return
        now = self.clock.now()
        if not 0 <= now - self._layout_at < LAYOUT_CHECK_S:
            self._layout_at = now  # (looking up 60 tiles at every sample costs a millisecond)
            self.engine.set_targets(self._targets(), now)
        self.engine.move(position.x(), position.y(), now)
        self._show_progress()
        self._rearm()

    def leave(self) -> None:
        """The pointer left the window."""
        if self.active:
            self.engine.leave(self.clock.now())
            self._rearm()

    def press(self, switch: Switch) -> None:
        """A switch went down: it chooses (point, then switch) or pauses (dwelling)."""
        self.engine.press(switch, self.clock.now())
        self._rearm()

    def release(self, switch: Switch) -> None:
        """A switch went up."""
        self.engine.release(switch, self.clock.now())
        self._rearm()

    def toggle_pause(self) -> None:
        """Stop or resume dwelling (the pause tile clicked, or the Pause key)."""
        if self.active:
            self.engine.toggle_pause(self.clock.now())
            self._rearm()

    def stop(self) -> None:
        """The window closes: give the cursor back."""
        self._hide_cursor(False)
        self._animation.stop()
        self.clock.cancel()

    # -------------------------------------------------------- listener events
    def on_point(self, target: Target | None, spent: bool) -> None:
        """Frame the target at once, give it the focus, speak its cue."""
        widget = self._widgets.get(target.key) if target is not None else None
        if widget is None or not isValid(widget):
            self.frame.clear()
            self._animation.stop()
            return
        self.frame.show_on(widget, is_group=False)
        if widget is not self.pause_tile and widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)  # screen readers follow the pointer
        assert target is not None
        if target.ident != self._spoken:
            self._spoken = target.ident
            self.say_cue(getattr(widget, "speech", target.label))
        self._show_progress()

    def on_choose(self, target: Target) -> None:
        """Activate the target as a click would."""
        widget = self._widgets.get(target.key)
        self.frame.progress = None
        self.frame.update()
        if target.key == PAUSE_KEY:  # the engine has toggled it: say what was chosen
            self.chosen.emit(target.key, PAUSE_TEXT[1] if self.engine.paused else RESUME_TEXT[1])
        elif isinstance(widget, QAbstractButton) and isValid(widget) and widget.isEnabled():
            if self._partly_hidden(widget) and scroll_into_view(widget):
                # A tile cut off by the edge of a scrolling screen is brought into view by its
                # first dwell (a pointer cannot scroll); what is under the pointer then waits.
                self._refresh_targets(fresh=True)
                return
            self.chosen.emit(target.key, getattr(widget, "speech", target.label))
            widget.click()

    def on_pause(self, paused: bool) -> None:
        """Show and say that dwelling stopped or goes on."""
        text, speech = RESUME_TEXT if paused else PAUSE_TEXT
        self.pause_tile.set_label(text, speech)
        self.announce("Pointing paused. Rest on Resume pointing to go on." if paused
                      else "Pointing on.")

    # --------------------------------------------------------------- internals
    def _targets(self) -> list[Target]:
        """Every tile on show that can be chosen, where it is on screen now."""
        targets = []
        for key, widget in self._widgets.items():
            if not isValid(widget) or not widget.isVisible() or not widget.isEnabled():
                continue
            if widget.property("scan_only") or not getattr(widget, "speech", "").strip():
                continue  # the scanner's own items; an empty prediction
            shown = widget.visibleRegion().boundingRect()
            if shown.isEmpty():
                continue  # scrolled out of view
            corner = widget.mapTo(self.window, shown.topLeft())
            label = "pause" if key == PAUSE_KEY else getattr(widget, "speech", "")
            targets.append(Target(key, corner.x(), corner.y(), shown.width(), shown.height(), label))
        return targets

    @staticmethod
    def _partly_hidden(widget: QWidget) -> bool:
        return widget.visibleRegion().boundingRect().size() != widget.size()

    def _refresh_targets(self, fresh: bool) -> None:
        # A new screen is laid out only when its posted layout requests run: run them now,
        # so the targets are where they will be drawn.
        for _ in range(2):
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self._layout_at = self.clock.now()
        self.engine.set_targets(self._targets(), self._layout_at, fresh=fresh)
        self._rearm()

    def _seed_from_cursor(self) -> None:
        """A pointer already resting over the window when dwelling is switched on is where it
        is; what it rests on (the setting just chosen) waits until the pointer leaves it."""
        position = self.window.mapFromGlobal(QCursor.pos())
        if self.window.rect().contains(position) and self.window.isActiveWindow():
            self.engine.move(position.x(), position.y(), self.clock.now())
            self.engine.spend_current()

    def _show_progress(self) -> None:
        now = self.clock.now()
        running = self.engine.dwell_due() is not None
        self.frame.progress = self.engine.progress(now) if running else None
        self.frame.update()
        if running and not self._animation.isActive():
            self._animation.start()
        elif not running:
            self._animation.stop()

    def _hide_cursor(self, hide: bool) -> None:
        if hide and not self._cursor_hidden:
            QApplication.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))
        elif not hide and self._cursor_hidden:
            QApplication.restoreOverrideCursor()
        self._cursor_hidden = hide

    def _rearm(self) -> None:
        deadline = self.engine.next_deadline()
        if deadline is None:
            self.clock.cancel()
        else:
            self.clock.call_at(deadline, self._tick)

    def _tick(self) -> None:
        self.engine.tick(self.clock.now())
        self._show_progress()
        self._rearm()


def window_point(window: QWidget, widget: QWidget) -> QPoint:
    """The centre of `widget` in `window` coordinates (for tests and the benchmark)."""
    return widget.mapTo(window, widget.rect().center())
