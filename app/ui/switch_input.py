"""One event filter for every switch press, every navigation key and every pointer move.

Switches reach the app as key presses or mouse clicks. This filter turns them
into switch presses for the scanner (when the member scans) or the pointer (when
they point and dwell), into focus moves and activations (keyboard-only use), and
reports raw presses to the switch test. Pointer moves over the window go to the
pointer. Tests drive the app through it with ordinary key and mouse events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent, QWindow
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from app.access.switches import Switch, SwitchMap
from app.ui.guard import run_action

MOUSE_NAMES = {
    Qt.MouseButton.LeftButton: "Mouse:Left",
    Qt.MouseButton.RightButton: "Mouse:Right",
    Qt.MouseButton.MiddleButton: "Mouse:Middle",
}
NEXT_KEYS = {Qt.Key.Key_Right, Qt.Key.Key_Down}
PREVIOUS_KEYS = {Qt.Key.Key_Left, Qt.Key.Key_Up}
ACTIVATE_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space}
TEXT_FIELDS = (QLineEdit, QPlainTextEdit, QTextEdit)


def key_name(key: int) -> str:
    """The name a key is known by in profiles: "Space", "Return", "F5", "1", "A" …"""
    names = {
        Qt.Key.Key_Return: "Return", Qt.Key.Key_Enter: "Enter", Qt.Key.Key_Space: "Space",
        Qt.Key.Key_Tab: "Tab", Qt.Key.Key_Escape: "Escape", Qt.Key.Key_Backspace: "Backspace",
    }
    if key in names:
        return names[key]
    return QKeySequence(key).toString() or f"Key{int(key)}"


class SwitchSink(Protocol):
    """Where switch presses go: the scan controller."""

    @property
    def active(self) -> bool: ...
    @property
    def two_switches(self) -> bool: ...
    def press(self, switch: Switch) -> None: ...
    def release(self, switch: Switch) -> None: ...


class PointerSink(Protocol):
    """Where pointer moves go, and switch presses while the member points: the pointer."""

    @property
    def active(self) -> bool: ...
    def move(self, position: QPointF) -> None: ...
    def leave(self) -> None: ...
    def press(self, switch: Switch) -> None: ...
    def release(self, switch: Switch) -> None: ...
    def toggle_pause(self) -> None: ...


RawListener = Callable[[str, bool], None]
PAUSE_KEY_NAME = "Pause"


class InputRouter(QObject):
    """Installed on the QApplication; only events for widgets inside `window` are handled."""

    def __init__(self, window: QWidget, sink: SwitchSink, on_escape: Callable[[], None]) -> None:
        super().__init__(window)
        self.window = window
        self.sink = sink
        self.on_escape = on_escape
        self.switches = SwitchMap("Space", "Return")
        self.raw_listener: RawListener | None = None
        self.capture: Callable[[str], None] | None = None
        # Where typing on a physical keyboard goes when the focus is on a key or tile (a
        # scanning profile): the open screen's text field, if it has one.
        self.typing: QWidget | None = None
        self.pointer: PointerSink | None = None
        # Voice: what was heard goes to the switch test; a choice waiting for confirmation
        # ("confirm before choosing") is taken by the next switch press.
        self.heard_listener: Callable[[str], None] | None = None
        self.pending_choice: Callable[[], bool] | None = None
        self._forwarding = False
        self._last: tuple[object, bool] | None = None

    def install(self) -> None:
        """Start filtering the application's events."""
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def remove(self) -> None:
        """Stop filtering."""
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Route key and mouse events; True means the event was used here."""
        kind = event.type()
        if kind in (QEvent.Type.MouseMove, QEvent.Type.Leave) and isinstance(obj, QWindow):
            # Every move over the window reaches its QWindow first, tracked or not.
            self._pointer_event(obj, event)
            return False
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            if not self._ours(obj):
                return False
            assert isinstance(event, QKeyEvent)
            if event.isAutoRepeat():
                return self._is_switch(key_name(event.key()))
            return self._once(
                (kind, event.key(), event.timestamp()),
                lambda: self._guarded(key_name(event.key()), kind == QEvent.Type.KeyPress, event),
            )
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
            if not self._ours(obj):
                return False
            assert isinstance(event, QMouseEvent)
            name = MOUSE_NAMES.get(event.button())
            if name is None:
                return False
            return self._once(
                (kind, name, event.timestamp()),
                lambda: self._guarded(name, kind == QEvent.Type.MouseButtonPress, None),
            )
        return False

    # ------------------------------------------------------------------- voice
    def voice_press(self, switch: Switch, pressed: bool) -> None:
        """A sound counted as a switch (voice as a switch): the same way in as a physical one.
        With scanning off, switch 1 activates the focused tile and switch 2 moves on."""
        name = f"Voice switch {int(switch)}"
        if self.raw_listener is not None:
            self.raw_listener(name, pressed)
        if self.capture is not None:
            return  # "Set my switches" waits for a key or button it can store
        if pressed and self.pending_choice is not None and self.pending_choice():
            return
        if self.sink.active:
            if switch is Switch.TWO and not self.sink.two_switches:
                switch = Switch.ONE
            (self.sink.press if pressed else self.sink.release)(switch)
        elif pressed:
            focus = QApplication.focusWidget()
            if switch is Switch.TWO:
                self.window.focusNextPrevChild(True)
            elif isinstance(focus, QAbstractButton) and focus.isEnabled() and self._ours(focus):
                focus.click()

    def voice_heard(self, text: str, target: QAbstractButton | None, choose: bool) -> None:
        """Words were heard: report them, and choose (or only show) the target they name."""
        if self.heard_listener is not None:
            self.heard_listener(text)
        if target is not None and choose and target.isEnabled():
            target.click()

    # --------------------------------------------------------------- internals
    def _ours(self, obj: QObject) -> bool:
        return isinstance(obj, QWidget) and (obj is self.window or self.window.isAncestorOf(obj))

    def _is_switch(self, name: str) -> bool:
        return self._switch_sink() is not None and self.switches.switch_for(name) is not None

    def _pointing(self) -> PointerSink | None:
        return self.pointer if self.pointer is not None and self.pointer.active else None

    def _switch_sink(self) -> SwitchSink | PointerSink | None:
        """Who takes switch presses: the scanner while scanning, the pointer while pointing."""
        return self.sink if self.sink.active else self._pointing()

    def _pointer_event(self, window: QWindow, event: QEvent) -> None:
        pointer = self._pointing()
        if pointer is None or window is not self.window.windowHandle():
            return
        if isinstance(event, QMouseEvent):
            pointer.move(event.position())
        else:
            pointer.leave()

    def _once(self, identity: object, handle: Callable[[], bool]) -> bool:
        # Qt delivers an unused event again to each parent while it propagates: act once.
        if self._last is not None and self._last[0] == identity:
            return self._last[1]
        verdict = handle()
        self._last = (identity, verdict)
        return verdict

    def _guarded(self, name: str, pressed: bool, key_event: QKeyEvent | None) -> bool:
        """Every key action runs through the window's guard; a failed one counts as used."""
        verdict = run_action(self.window, lambda: self._handle(name, pressed, key_event))
        return True if verdict is None else verdict

    def _handle(self, name: str, pressed: bool, key_event: QKeyEvent | None) -> bool:
        if self.raw_listener is not None:
            self.raw_listener(name, pressed)
        if self.capture is not None and pressed:
            capture, self.capture = self.capture, None
            capture(name)
            return True
        as_text = self._as_text(key_event, pressed) if key_event is not None else None
        if as_text is not None:
            return as_text
        sink = self._switch_sink()
        if sink is not None and sink is self._pointing() and name == PAUSE_KEY_NAME:
            if pressed:
                sink.toggle_pause()  # the Pause key stops and resumes dwelling
            return True
        switch = self.switches.switch_for(name) if sink is not None else None
        confirming = switch is not None or name in ("Space", "Return")
        if pressed and confirming and self.pending_choice is not None and self.pending_choice():
            return True
        if switch is Switch.TWO and sink is self.sink and not self.sink.two_switches:
            switch = None
        if sink is not None and switch is not None:
            if pressed:
                sink.press(switch)
            else:
                sink.release(switch)
            return True
        if key_event is None:
            return False
        return self._keyboard(key_event, pressed)

    def _keyboard(self, event: QKeyEvent, pressed: bool) -> bool:
        key = event.key()
        focus = QApplication.focusWidget()
        if key not in NEXT_KEYS | PREVIOUS_KEYS | ACTIVATE_KEYS | {Qt.Key.Key_Escape}:
            return self._type(event, pressed, focus)
        if key != Qt.Key.Key_Escape and isinstance(focus, TEXT_FIELDS):
            return False  # a text field uses Space, Enter and the arrows itself
        if not pressed:
            return True
        if key == Qt.Key.Key_Escape:
            self.on_escape()
        elif key in ACTIVATE_KEYS:
            if isinstance(focus, QAbstractButton) and focus.isEnabled():
                focus.click()
        elif focus is not None:
            focus_next = key in NEXT_KEYS
            self.window.focusNextPrevChild(focus_next)
        return True

    def _as_text(self, event: QKeyEvent, pressed: bool) -> bool | None:
        """Keys typed on a physical keyboard are text while nothing scans or points (None: not
        text, route it as usual). A key typed into a text field stays there (False: the field
        takes it), Space, Return and the arrows too. A character typed while a key or tile has
        the focus takes the focus into the field (True: sent there), so the Space after a word
        types a space instead of choosing the focused key, a prediction: "PA came" was saved
        as "PARTY cameras", for the facilitator and for a member typing with scanning off
        alike. Space on a key moved to with Tab or the arrows still presses it. While the
        member scans or points, Space and Return are their switches and stay so."""
        if event.key() == Qt.Key.Key_Escape:
            return None
        focus = QApplication.focusWidget()
        if isinstance(focus, TEXT_FIELDS) and self._ours(focus):
            return False
        field = self.typing
        typed = self._wanted(event) and event.key() not in ACTIVATE_KEYS  # Space presses a key
        if field is None or self._switch_sink() is not None or not typed:
            return None
        if pressed:
            field.setFocus(Qt.FocusReason.OtherFocusReason)
            self._forward(event, field)
        return True

    @staticmethod
    def _wanted(event: QKeyEvent) -> bool:
        """Typing, not a shortcut: a character, Backspace, or F1–F6 (a prediction)."""
        key = event.key()
        wanted = (event.text().isprintable() and event.text() != "" or key == Qt.Key.Key_Backspace
                  or Qt.Key.Key_F1 <= key <= Qt.Key.Key_F6)
        shortcut = event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        return bool(wanted and not shortcut)

    def _forward(self, event: QKeyEvent, field: QWidget) -> None:
        self._forwarding = True  # the copy passes this filter too, on its way to the field
        try:
            copy = QKeyEvent(event.type(), event.key(), event.modifiers(), event.text())
            QApplication.sendEvent(field, copy)
        finally:
            self._forwarding = False

    def _type(self, event: QKeyEvent, pressed: bool, focus: QWidget | None) -> bool:
        """A letter, digit, punctuation, Backspace or F1–F6 typed while a key or tile has the
        focus goes to the text field (which handles it as if it had the focus)."""
        field = self.typing
        if field is None or focus is field or isinstance(focus, TEXT_FIELDS):
            return False
        if not self._wanted(event):
            return False
        if pressed and not self._forwarding:
            self._forward(event, field)
            return True
        return not self._forwarding
