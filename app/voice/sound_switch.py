"""Voice as a switch: any sound louder than the member's level is a press.

Frame by frame (each :data:`FRAME_SECONDS` long), a sound starts once it has stayed above the
level for ``min_length`` and ends once it has stayed below for ``gap``; its length decides the
switch (the UI: a short sound is switch 1, one of ``long_length`` or more switch 2). The times
are audio time, so a file gives the same presses as the same sounds made live.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.voice.audio import level_db, pcm_array
from app.voice.endpoint import FRAME_SECONDS


@dataclass(frozen=True)
class SoundEvent:
    """A sound began (``down``) or ended; ``at`` and ``length`` in seconds of audio."""

    down: bool
    at: float
    length: float = 0.0


class SoundSwitch:
    """Turns levels into presses and releases."""

    def __init__(self, level: float = -30.0, min_length: float = 0.09, gap: float = 0.12) -> None:
        self.level = level
        self.min_length = min_length
        self.gap = gap
        self.frames = 0
        self._above = 0  # consecutive frames above the level
        self._below = 0
        self._start: float | None = None  # audio time the current sound began
        self.last_db = -100.0

    def reset(self) -> None:
        """Forget a sound under way (listening paused): no release comes for it."""
        self._above = self._below = 0
        self._start = None

    @property
    def down(self) -> bool:
        """True while a sound counts as a press."""
        return self._start is not None

    def process(self, frame: bytes) -> list[SoundEvent]:
        """One frame of 16-bit audio in; the presses and releases it caused."""
        self.frames += 1
        now = self.frames * FRAME_SECONDS
        self.last_db = level_db(pcm_array(frame))
        loud = self.last_db >= self.level
        self._above = self._above + 1 if loud else 0
        self._below = 0 if loud else self._below + 1
        if self._start is None:
            if self._above * FRAME_SECONDS >= self.min_length:
                self._start = now - self._above * FRAME_SECONDS
                return [SoundEvent(True, self._start)]
            return []
        if self._below * FRAME_SECONDS >= self.gap:
            end = now - self._below * FRAME_SECONDS
            event = SoundEvent(False, end, end - self._start)
            self._start = None
            return [event]
        return []
