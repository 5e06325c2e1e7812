"""The Qt side of scanning: drives the engines, moves focus and the frame, speaks cues."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractButton, QWidget
from shiboken6 import isValid

from app.access.adaptive import MORE, AdaptiveScan
from app.access.profile import AccessProfile
from app.access.scan_tree import ScanListener, ScanNode
from app.access.scanner import Scanner
from app.access.switches import Switch
from app.speech.speaker import Speaker, SpeechKind
from app.ui.guard import run_action
from app.ui.highlight import HighlightFrame, QtClock, SchedulingClock
from app.ui.speech_bridge import SpeechBridge
from app.ui.widgets import GroupFrame, ScanGroup, Tile, scroll_into_view

__all__ = ["HighlightFrame", "QtClock", "ScanController", "SchedulingClock", "is_scan_only"]

CUE_SAFETY_MS = 8000


class AdaptiveProvider(Protocol):
    """A screen's keys for adaptive scanning: their odds, their tiles, and pressing one."""

    def key_probabilities(self) -> dict[str, float]: ...
    def tile_for(self, key_id: str) -> QWidget | None: ...
    def perform(self, key_id: str) -> None: ...


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
        self._roots: list[ScanNode] = []
        self._on_rest = on_rest
        # "Finish the cue before moving on": match each cue's end notice to its highlight.
        self._bridge = SpeechBridge(speaker, self)
        self._bridge.started.connect(self._speech_started)
        self._bridge.ended.connect(self._speech_ended)
        self._awaiting_cue: str | None = None
        self._after_announcement = False
        self._back_state: tuple[bool, str | None] | None = None
        self._cue: tuple[int, str] | None = None
        self._cue_safety = QTimer(self)
        self._cue_safety.setSingleShot(True)
        self._cue_safety.timeout.connect(self._cue_overdue)
        self.adaptive = AdaptiveScan(self.profile.scan_settings(), self._adaptive_show, self._adaptive_chosen)
        self._provider: AdaptiveProvider | None = None
        self._inset: list[QWidget] = []

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
        self._show_back_items(force=True)
        if not self.active:
            self.frame.clear()
        self._rearm()

    def set_groups(self, groups: list[ScanGroup], keep_key: str | None = None,
                   provider: AdaptiveProvider | None = None) -> None:
        """Scan these groups (a new or refreshed screen). With `provider` (a keyboard, for a
        member who chose adaptive scanning) its keys are scanned by likelihood first, and the
        rows only once "Other choices" is taken: no row is highlighted (or spoken) meanwhile."""
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
        self._roots = roots
        self._show_back_items(force=True)
        if provider is not None and self.scanner.mode in ("auto", "step"):
            self.start_adaptive(provider)  # first, so the row scanner below stays silent
        else:
            self.stop_adaptive()
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
        engine = self.adaptive if self.adaptive.active else self.scanner
        engine.press(switch, self.clock.now())
        self._rearm()

    def release(self, switch: Switch) -> None:
        """A switch went up."""
        engine = self.adaptive if self.adaptive.active else self.scanner
        engine.release(switch, self.clock.now())
        self._rearm()

    def start_adaptive(self, provider: AdaptiveProvider) -> None:
        """Scan the provider's keys by likelihood (Huffman scanning) instead of by rows."""
        if self.scanner.mode not in ("auto", "step"):
            self.stop_adaptive()
            return
        self._provider = provider
        self.adaptive.settings = self.profile.scan_settings()
        self.frame.clear()
        self.adaptive.start(provider.key_probabilities(), self.clock.now())
        self._rearm()

    def stop_adaptive(self) -> None:
        """Back to scanning by rows."""
        if self.adaptive.active or self._inset:
            self.adaptive.stop()
            self._mark_inset([])
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
        if self.adaptive.active:
            return  # keys are scanned by likelihood; the rows wait for "Other choices"
        row_column = self.scanner.settings.layout == "row-column"
        entered = path[-2] if row_column and len(path) >= 2 else None
        self._show_back_items(entered)
        widget = self._widget_of(node)
        if widget is not None:
            scroll_into_view(widget)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            self.frame.show_on(widget, is_group)
        self._awaiting_cue, self._cue = node.key, None
        if self.say_cue(node.label):
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

    def _show_back_items(self, entered: str | None = None, force: bool = False) -> None:
        # Runs on every scan step: touch the rows only when the entered row changes.
        state = (self.active, entered)
        if state == self._back_state and not force:
            return
        self._back_state = state
        for group in self._groups:
            if isinstance(group.frame, GroupFrame):
                group.frame.show_back(self.active, entered == group.key)

    def say_cue(self, label: str) -> bool:
        """Speak a cue; it cuts off the previous cue but waits for an announcement to end."""
        if not (self.profile.speech_on and self.speaker.available and label):
            return False
        interrupt, self._after_announcement = not self._after_announcement, False
        self.speaker.say(label, SpeechKind.CUE, interrupt=interrupt)
        return True

    def _adaptive_show(self, keys: frozenset[str]) -> None:
        provider = self._provider
        if provider is None:
            return
        tiles = [w for w in (provider.tile_for(k) for k in sorted(keys)) if w is not None]
        self._mark_inset(tiles)
        if tiles:
            tiles[0].setFocus(Qt.FocusReason.OtherFocusReason)
        names = [getattr(w, "speech", "") for w in tiles[:3]]
        more = f" and {len(keys) - 3} more" if len(keys) > 3 else ""
        label = ", ".join(n for n in names if n) + more
        if MORE in keys and len(keys) == 1:
            label = "other choices"
        self.say_cue(label)

    def _adaptive_chosen(self, key: str) -> None:
        self._mark_inset([])
        if key == MORE or self._provider is None:
            # The rest of the screen (phrases, options, cancel) by rows, from the top.
            self.scanner.set_tree(self._roots, self.clock.now())
            return
        self._provider.perform(key)

    def _mark_inset(self, tiles: list[QWidget]) -> None:
        for widget in self._inset:
            if isValid(widget):
                widget.setProperty("inset", "false")
                widget.style().unpolish(widget)
                widget.style().polish(widget)
        self._inset = tiles
        for widget in tiles:
            widget.setProperty("inset", "true")
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def _rearm(self) -> None:
        if self.adaptive.active:
            deadline = self.adaptive.next_deadline()
            if deadline is None:
                self.clock.cancel()
            else:
                self.clock.call_at(deadline, self._tick)
            return
        deadline = self.scanner.next_deadline()
        if deadline is None:
            self.clock.cancel()
        else:
            self.clock.call_at(deadline, self._tick)

    def _tick(self) -> None:
        # A timer callback: through the window's guard, and the scan goes on whatever happens.
        engine = self.adaptive if self.adaptive.active else self.scanner
        try:
            run_action(self.frame, lambda: engine.tick(self.clock.now()), timer=True)
        finally:
            self._rearm()


def is_scan_only(widget: QWidget) -> bool:
    """Back tiles exist for the scanner only; keyboard users use Escape."""
    return isinstance(widget, Tile) and bool(widget.property("scan_only"))
