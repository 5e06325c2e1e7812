"""Qt bridge: re-emits speaker notices (from any thread) as GUI-thread signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

from app.speech import Speaker, SpeechKind


class SpeechBridge(QObject):
    """Listens to a :class:`Speaker` and emits ``started``/``ended`` in its own thread.

    Create it in the GUI thread. Notices arrive on a background thread; they are
    relayed through queued connections, so every slot connected to ``started``
    or ``ended`` (including plain functions) runs in the GUI thread.
    """

    started = Signal(int, str, str)  # utterance id, spoken text, SpeechKind value
    ended = Signal(int, bool)  # utterance id, completed (False if cut off)
    _start_relay = Signal(int, str, str)
    _end_relay = Signal(int, bool)

    def __init__(self, speaker: Speaker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._start_relay.connect(self.started, Qt.ConnectionType.QueuedConnection)
        self._end_relay.connect(self.ended, Qt.ConnectionType.QueuedConnection)
        speaker.add_listener(self)

    def on_start(self, utterance_id: int, text: str, kind: SpeechKind) -> None:
        """SpeechListener hook (any thread)."""
        self._start_relay.emit(utterance_id, text, SpeechKind(kind).value)

    def on_end(self, utterance_id: int, completed: bool) -> None:
        """SpeechListener hook (any thread)."""
        self._end_relay.emit(utterance_id, bool(completed))
