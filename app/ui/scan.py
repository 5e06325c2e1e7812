"""The Qt side of scanning: a timer for the engine, focus, the highlight frame and cues."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QRect, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QAbstractButton, QScrollArea, QWidget

from app.access.profile import AccessProfile
from app.access.scan_tree import ScanListener, ScanNode
from app.access.scanner import Scanner
from app.access.switches import Switch
from app.speech.speaker import Speaker, SpeechKind
from app.ui.speech_bridge import SpeechBridge
from app.ui.widgets import GroupFrame, ScanGroup, Tile

CUE_SAFETY_MS = 8000


class SchedulingClock(Protocol):
    """A clock that can call back once at an absolute time (real or manual)."""

    def now(self) -> float: ...
    def call_at(self, deadline: float, callback: Callable[[], None]) -> None: ...
    def cancel(self) -> None: ...


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
        self.hide()

    def show_on(self, target: QWidget, is_group: bool) -> None:
        """Frame `target` (an item, or a whole group)."""
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
        self.setGeometry(rect.intersected(self.parentWidget().rect()))

    def clear(self) -> None:
        """Hide the frame."""
        self.target = None
        self.hide()

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


class ScanController(QObject, ScanListener):
    """Drives the engine with a clock, maps its nodes to widgets, and shows where it is."""

    def __init__(
        self,
        overlay_parent: QWidget,
        speaker: Speaker,
        clock: SchedulingClock | None = None,
        on_rest: Callable[[], None] | None = None,
    ) -> None:
        QObject.__init__(self, overlay_parent)
        self.clock: SchedulingClock = clock if clock is not None else QtClock(self)
        self.speaker = speaker
        self.profile = AccessProfile()
        self.scanner = Scanner(self.profile.scan_settings(), self)
        self.frame = HighlightFrame(overlay_parent)
        self._widgets: dict[str, QWidget] = {}
        self._groups: list[ScanGroup] = []
        self._on_rest = on_rest
        self.steps = 0
        # "Finish the cue before moving on": match each cue's end notice to its highlight.
        self._bridge = SpeechBridge(speaker, self)
        self._bridge.started.connect(self._speech_started)
        self._bridge.ended.connect(self._speech_ended)
        self._awaiting_cue: str | None = None
        self._after_announcement = False
        self._cue: tuple[int, str] | None = None
        self._cue_safety = QTimer(self)
        self._cue_safety.setSingleShot(True)
        self._cue_safety.timeout.connect(self._cue_overdue)

    # ------------------------------------------------------------ adapter API
    @property
    def active(self) -> bool:
        """True when the member scans (any mode but off)."""
        return self.scanner.mode != "off"

    @property
    def two_switches(self) -> bool:
        """True in step-scan, where switch 2 selects."""
        return self.scanner.mode == "step"

    def apply_profile(self, profile: AccessProfile, theme_highlight: str, theme_inner: str) -> None:
        """Take the member's timings, mode and highlight look (their colour, else the theme's)."""
        self.profile = profile
        self.frame.colour = QColor(profile.highlight_colour or theme_highlight)
        self.frame.inner = QColor(theme_inner)
        self.frame.thickness = profile.highlight_thickness
        self.scanner.update_settings(profile.scan_settings(), self.clock.now())
        self._show_back_items()
        if not self.active:
            self.frame.clear()
        self._rearm()

    def set_groups(self, groups: list[ScanGroup], keep_key: str | None = None) -> None:
        """Scan these groups (a new or refreshed screen)."""
        self._groups = groups
        self._widgets = {}
        roots: list[ScanNode] = []
        for group in groups:
            self._widgets[group.key] = group.frame
            children = []
            for i, tile in enumerate(group.items):
                key = f"{group.key}.{i}"
                self._widgets[key] = tile
                children.append(ScanNode.item(key, getattr(tile, "speech", tile.text())))
            roots.append(ScanNode.group(group.key, group.label, children))
        self._show_back_items()
        self.scanner.set_tree(roots, self.clock.now(), keep_key=keep_key)
        if not self.active:
            self.frame.clear()
        self._rearm()

    def highlighted_key(self) -> str | None:
        """The key of the highlighted node, to keep the place across a refresh."""
        node = self.scanner.highlighted
        return node.key if node is not None else None

    def press(self, switch: Switch) -> None:
        """A switch went down."""
        self.scanner.press(switch, self.clock.now())
        self._rearm()

    def release(self, switch: Switch) -> None:
        """A switch went up."""
        self.scanner.release(switch, self.clock.now())
        self._rearm()

    def cue_done(self) -> None:
        """The cue for the highlighted item has finished (from the speech bridge)."""
        self.scanner.cue_finished(self.clock.now())
        self._rearm()

    def announced(self) -> None:
        """Something was just announced: the next cue queues after it instead of cutting it off."""
        self._after_announcement = True

    def widget_for(self, key: str) -> QWidget | None:
        """The widget a node key stands for."""
        return self._widgets.get(key)

    # -------------------------------------------------------- listener events
    def on_highlight(self, node: ScanNode, is_group: bool, path: tuple[str, ...]) -> None:
        """Move focus and the frame to the node, and speak its cue."""
        row_column = self.scanner.settings.layout == "row-column"
        entered = path[-2] if row_column and len(path) >= 2 else None
        self._show_back_items(entered)
        widget = self._widget_of(node)
        self.steps += 1
        if widget is not None:
            self._scroll_to(widget)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            self.frame.show_on(widget, is_group)
        label = node.label
        if self.profile.speech_on and self.speaker.available and label:
            self._awaiting_cue, self._cue = node.key, None
            # A cue cuts off the previous cue, but waits for an announcement to finish.
            interrupt, self._after_announcement = not self._after_announcement, False
            self.speaker.say(label, SpeechKind.CUE, interrupt=interrupt)
            if self.profile.wait_for_cue:
                # A speaker that never reports the end must not stop the scan for good.
                self._cue_safety.start(CUE_SAFETY_MS)
        elif self.profile.wait_for_cue:
            self.scanner.cue_finished(self.clock.now())

    def on_select(self, node: ScanNode) -> None:
        """Activate the item as a click would."""
        widget = self._widgets.get(node.key)
        if isinstance(widget, QAbstractButton) and widget.isEnabled():
            widget.click()

    def on_rest(self) -> None:
        """The scan rests after its loops: hide the frame until the next press."""
        self.frame.clear()
        if self._on_rest is not None:
            self._on_rest()

    def on_stop(self) -> None:
        """Scanning was turned off."""
        self.frame.clear()

    # --------------------------------------------------------------- internals
    def _speech_started(self, utterance_id: int, _text: str, kind: str) -> None:
        if kind == SpeechKind.CUE.value and self._awaiting_cue is not None:
            self._cue = (utterance_id, self._awaiting_cue)
            self._awaiting_cue = None

    def _speech_ended(self, utterance_id: int, _completed: bool) -> None:
        if self._cue is not None and self._cue[0] == utterance_id:
            key = self._cue[1]
            self._cue = None
            self._cue_safety.stop()
            self.scanner.cue_finished(self.clock.now(), key=key)
            self._rearm()

    def _cue_overdue(self) -> None:
        self._cue = None
        self.scanner.cue_finished(self.clock.now())
        self._rearm()

    def _widget_of(self, node: ScanNode) -> QWidget | None:
        if node.is_back:
            group_key = node.key.removesuffix("/back")
            frame = self._widgets.get(group_key)
            if isinstance(frame, GroupFrame):
                return frame.back_tile
            return frame
        return self._widgets.get(node.key)

    def _show_back_items(self, entered: str | None = None) -> None:
        for group in self._groups:
            if isinstance(group.frame, GroupFrame):
                group.frame.show_back(self.active, entered == group.key)

    @staticmethod
    def _scroll_to(widget: QWidget) -> None:
        parent = widget.parentWidget()
        while parent is not None:
            if isinstance(parent, QScrollArea):
                parent.ensureWidgetVisible(widget, 20, 20)
                return
            parent = parent.parentWidget()

    def _rearm(self) -> None:
        deadline = self.scanner.next_deadline()
        if deadline is None:
            self.clock.cancel()
        else:
            self.clock.call_at(deadline, self._tick)

    def _tick(self) -> None:
        self.scanner.tick(self.clock.now())
        self._rearm()


def is_scan_only(widget: QWidget) -> bool:
    """Back tiles exist for the scanner only; keyboard users use Escape."""
    return isinstance(widget, Tile) and bool(widget.property("scan_only"))
