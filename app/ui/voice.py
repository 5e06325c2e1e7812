"""Voice control in the window: "say what you see", voice as a switch, and the level meter.

Each time the screen changes, the labels of the targets on show (tiles, keys, predictions,
actions) and the commands that work everywhere go to the recogniser as its grammar. What it
hears comes back on its reader thread and is turned into a Qt signal, so everything here runs
in the GUI thread; choices go through the window's input router, like a switch press.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractButton, QLabel, QProgressBar, QWidget
from shiboken6 import isValid

from app.access.profile import AccessProfile
from app.access.switches import Switch
from app.speech.speaker import Speaker, SpeechKind
from app.ui.widgets import Tile
from app.voice.listener import Listener, Notice, NullListener
from app.voice.phrases import COMMANDS, NUMBERS, SPELLING_ALPHABET, WAKE, letter_names_on, phrase_of

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

ECHO_HOLD = 0.35  # seconds after the app's own speech before hearing again (its tail, the room)
WATCH_MS = 300  # how often the labels on show are compared with the grammar
_PAGE = re.compile(r"▶|next page|more ", re.IGNORECASE)
ListenerFactory = Callable[[Callable[[Notice | None], None]], Listener]


def key_phrases(key_id: str, tile: Tile) -> list[str]:
    """What says a keyboard key: letters by the spelling alphabet (their names are added by
    :func:`screen_targets`, which knows the other labels on show), "space", "delete", and a
    prediction by its word or its number. "done" is often heard as "one" (a known limit)."""
    if key_id.startswith("char:"):
        ch = key_id[5:].lower()
        if ch in SPELLING_ALPHABET:
            return [SPELLING_ALPHABET[ch]]
        return [phrase_of(tile.speech)]
    if key_id == "space":
        return ["space"]
    if key_id == "backspace":
        return ["delete"]
    if key_id == "done":
        return ["done", "all done", "finished"]  # measured: "done" alone is often heard as "one"
    if key_id.startswith("prediction:"):
        n = int(key_id.split(":")[1])
        word = phrase_of(tile.text().split("\n")[0])
        return [p for p in (word, NUMBERS[n - 1] if 0 < n <= len(NUMBERS) else "") if p]
    return [phrase_of(tile.speech)]


def tile_phrases(tile: Tile) -> list[str]:
    """What chooses a tile: its shown label's first line, said (a long one by its first words)."""
    key_id = tile.property("key_id")
    if isinstance(key_id, str) and key_id:
        return [p for p in key_phrases(key_id, tile) if p]
    label = getattr(tile, "_label", tile.text()).split("\n")[0]
    said = [phrase_of(label) or phrase_of(tile.speech)]
    tag, colon, rest = label.partition(":")
    if colon and rest.strip() and len(tag.split()) == 1:
        said.append(phrase_of(rest))  # "NOW: What does…" is also "what does…"
    return [p for p in dict.fromkeys(said) if p]


def screen_targets(tiles: list[Tile], letter_names: bool = False) -> dict[str, list[Tile]]:
    """Each phrase said on a screen and the tiles it chooses, in the screen's order. With
    ``letter_names`` a letter key is also said by its name ("b", heard as "bee"), unless another
    target on show is said the same way (a prediction "be", "you", "I"): then that word is the
    target, and the letter has its spelling-alphabet word."""
    targets: dict[str, list[Tile]] = {}
    letters: list[tuple[str, Tile]] = []
    for tile in tiles:
        for phrase in tile_phrases(tile):
            targets.setdefault(phrase, []).append(tile)
        key_id = tile.property("key_id")
        if letter_names and isinstance(key_id, str) and key_id.startswith("char:") and len(key_id) == 6:
            letters.append((key_id[5:], tile))
    others = set(targets)
    for letter, tile in letters:
        for name in letter_names_on(letter, others):
            targets.setdefault(name, []).append(tile)
    return targets


class VoiceControl(QObject):
    """Keeps the recogniser's grammar in step with the screen and acts on what it hears."""

    noticed = Signal(object)  # a notice from the listener's thread, delivered in the GUI thread
    heard = Signal(str)  # each utterance once acted on ("" when it matched nothing)
    level = Signal(float)  # the sound level, dBFS, while the meter is on
    fed = Signal(str)  # a WAV file has been heard to its end

    def __init__(self, window: MainWindow, speaker: Speaker, make: ListenerFactory | None) -> None:
        super().__init__(window)
        self.window = window
        self.speaker = speaker
        self.noticed.connect(self._notice, Qt.ConnectionType.QueuedConnection)
        # The recogniser starts the first time a member turns voice on: most never do.
        self._make = make
        self.listener: Listener = NullListener(
            "Voice is off: turn it on below." if make else "Voice is off: this app was started without it.")
        self.always_on = False  # --voice-input: on for whoever takes part, not saved
        self.profile = AccessProfile()
        self.listening = True
        self.targets: dict[str, list[Tile]] = {}
        self.pending: Tile | None = None
        self._grammar = 0
        self._sent: tuple[str, ...] = ()
        self._meters = 0
        self._sound_down = False
        self._speaking = 0
        self._speaking_lock = threading.Lock()
        speaker.add_listener(self)
        self._watch = QTimer(self)
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self.update_targets)
        window.router.pending_choice = self._confirm_pending

    # ------------------------------------------------------------------ state
    @property
    def available(self) -> bool:
        """True when a recogniser is running."""
        return self.listener.available

    @property
    def reason(self) -> str:
        """Why voice is off ("" when it works)."""
        return self.listener.reason

    def apply_profile(self, profile: AccessProfile) -> None:
        """Take the member's voice settings (starting the recogniser if they use voice)."""
        if self.always_on and not profile.voice_on:
            profile = replace(profile, voice_on=True)
        self.profile = profile
        if profile.voice_on and self._make is not None and isinstance(self.listener, NullListener):
            self.listener = self._make(self.noticed.emit)
            self._sent = ()
        mode = profile.voice_mode if profile.voice_on else "off"
        self.listener.listen(mode, profile.voice_level)
        if profile.voice_on:
            self._watch.start()
            self.update_targets()
        else:
            self._watch.stop()
            self._clear_pending()

    def use(self, make: ListenerFactory) -> None:
        """Start voice input this way from now on (a test's files-only recogniser)."""
        self.listener.close()
        self._make = make
        self.listener = NullListener("Voice is starting.")
        self.apply_profile(self.profile)

    def feed(self, path: str, realtime: bool = True) -> None:
        """Hear a WAV file as if it were the microphone (``--voice-input``)."""
        self.update_targets()
        self.listener.feed(path, realtime)

    def meter(self, on: bool) -> None:
        """Turn the level meter's readings on or off (counted: two screens may want them)."""
        self._meters = max(0, self._meters + (1 if on else -1))
        self.listener.meter(self._meters > 0)

    def close(self) -> None:
        """Stop listening for good."""
        self._watch.stop()
        self.listener.close()

    # -------------------------------------------------------------- the screen
    def update_targets(self) -> None:
        """Send the grammar for the targets on show, when it has changed."""
        if not self.profile.voice_on or self.profile.voice_mode != "words":
            return
        targets = screen_targets(
            [tile for tile in self.window.tiles()
             if isValid(tile) and tile.isVisibleTo(self.window) and tile.isEnabled()],
            letter_names=self.profile.voice_letter_names)
        self.targets = targets
        wanted = (WAKE,) if not self.listening else tuple(
            dict.fromkeys([*targets, *(c for c in COMMANDS if c != WAKE)]))
        if wanted != self._sent:
            self._sent = wanted
            self._grammar += 1
            self.listener.set_phrases(self._grammar, list(wanted))

    # -------------------------------------------------------- speech it hears
    def on_start(self, _utterance_id: int, _text: str, _kind: SpeechKind) -> None:
        """The app began to speak (any thread): stop hearing, so it never hears itself."""
        with self._speaking_lock:
            self._speaking += 1
            self.listener.pause()

    def on_end(self, _utterance_id: int, _completed: bool) -> None:
        """The app stopped speaking: hear again after a moment."""
        with self._speaking_lock:
            self._speaking = max(0, self._speaking - 1)
            if self._speaking == 0:
                self.listener.resume(ECHO_HOLD)

    # ----------------------------------------------------------------- notices
    def _notice(self, notice: dict[str, Any] | None) -> None:
        if notice is None:
            return
        kind = notice.get("ev")
        if kind == "heard" and self.profile.voice_on:
            if int(notice.get("grammar", 0)) == self._grammar:  # said to the screen on show
                self._heard(str(notice.get("text", "")))
        elif kind == "sound" and self.profile.voice_on and self.profile.voice_mode == "sound":
            self._sound(bool(notice.get("down")), float(notice.get("length", 0.0)))
        elif kind == "fed":
            self.fed.emit(str(notice.get("path", "")))
        elif kind == "level":
            self.level.emit(float(notice.get("db", -100.0)))
        elif kind in ("error", "ready"):
            if kind == "error":
                self.window.show_status(self.listener.reason)
            current = self.window.current
            if current is not None and current.key == "settings":
                self.window.refresh()  # its line on voice is out of date

    def _heard(self, text: str) -> None:
        router = self.window.router
        if not text:
            router.voice_heard("(not understood)", None, False)
            self.heard.emit("")
            return
        self.window.show_status(f"Heard: {text}")
        tiles = self.targets.get(text, [])
        tile = next((t for t in tiles if isValid(t)), None)
        if tile is None:
            router.voice_heard(text, None, False)
            self._command(text)
        else:
            confirm = self.profile.voice_confirm
            self._show(tile)
            self.pending = tile if confirm else None
            if confirm:
                self.window.ctx.speak(f"{tile.speech}. Say choose.")
            router.voice_heard(text, tile, choose=not confirm)
        self.heard.emit(text)
        QTimer.singleShot(0, self.update_targets)  # the choice may have changed the labels

    def _command(self, text: str) -> None:
        window = self.window
        if text == "choose":
            if not self._confirm_pending():
                focus = window.focusWidget()
                if isinstance(focus, QAbstractButton) and focus.isEnabled():
                    focus.click()
        elif text == "next":
            self._clear_pending()
            tiles = window.tiles()
            focus = window.focusWidget()
            index = tiles.index(focus) + 1 if focus in tiles else 0
            if tiles:
                self._show(tiles[index % len(tiles)])
                window.ctx.speak(tiles[index % len(tiles)].speech)
        elif text == "back":
            self._clear_pending()
            window.back()
        elif text == "undo":
            window.ctx.announce("There is nothing to undo on this screen.")
        elif text == "read it":
            self._read_it()
        elif text == "page":
            page = next((t for t in window.tiles() if _PAGE.search(t.text())), None)
            if page is not None:
                page.click()
            else:
                window.ctx.announce("This is the only page.")
        elif text == "stop listening":
            self.listening = False
            window.ctx.announce("Not listening. Say start listening to start again.")
        elif text == WAKE:
            self.listening = True
            window.ctx.announce("Listening.")
        self.update_targets()

    def _read_it(self) -> None:
        screen = self.window.current
        field = screen.typing_field() if screen is not None else None
        text = field.toPlainText() if field is not None and hasattr(field, "toPlainText") else ""
        focus = self.window.focusWidget()
        if not text and isinstance(focus, Tile):
            text = focus.speech
        self.window.ctx.speak(text or (screen.spoken_title() if screen is not None else ""))

    def _show(self, tile: Tile) -> None:
        tile.setFocus(Qt.FocusReason.OtherFocusReason)
        self.window.scan.frame.show_on(tile, is_group=False)

    def _confirm_pending(self) -> bool:
        tile, self.pending = self.pending, None
        if tile is None or not isValid(tile) or not tile.isEnabled():
            return False
        tile.click()
        return True

    def _clear_pending(self) -> None:
        self.pending = None

    # ---------------------------------------------------------- sound switch
    def _sound(self, down: bool, length: float) -> None:
        """One switch: the sound is the press, as long as it lasts (hold-to-scan works). Two
        switches (step scan): when it ends, a short sound is switch 1, a long one switch 2 (by
        its length in audio time, so a file gives the same presses as the same sounds live)."""
        router = self.window.router
        if not self.window.scan.two_switches:
            if down or self._sound_down:
                router.voice_press(Switch.ONE, down)
            self._sound_down = down
            return
        if not down:
            switch = Switch.TWO if length >= self.profile.voice_long else Switch.ONE
            router.voice_press(switch, True)
            router.voice_press(switch, False)

    # --------------------------------------------------------------- settings
    def settings_rows(self, parent: QWidget) -> list[QWidget]:
        """The one-line reason voice is off, or a live level meter, for the settings screen."""
        if not self.available:
            note = QLabel(self.reason, parent)
            note.setObjectName("muted")
            note.setWordWrap(True)
            note.setAccessibleName(self.reason)
            return [note]
        return [LevelMeter(self, parent)]


class LevelMeter(QProgressBar):
    """The sound level as heard now, against the member's level for a press."""

    def __init__(self, voice: VoiceControl, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.voice = voice
        self.setRange(-60, 0)
        self.setValue(-60)
        self.setTextVisible(True)
        self.setAccessibleName("Sound level")
        self.setMinimumHeight(40)
        self._show(-100.0)
        voice.level.connect(self._show)
        voice.meter(True)
        self.destroyed.connect(lambda _obj=None: voice.meter(False))

    def _show(self, db: float) -> None:
        if not isValid(self):
            return
        self.setValue(int(max(-60.0, min(0.0, db))))
        level = self.voice.profile.voice_level
        loud = "a press" if db >= level else "below the press level"
        self.setFormat(f"Sound level {db:.0f} dB ({loud}; press level {level:.0f} dB)")
