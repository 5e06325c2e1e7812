"""Where an utterance starts and ends, frame by frame.

PocketSphinx's own endpointer trusts its voice activity detector alone, which takes a steady hiss
for speech and then never ends the utterance. Here a frame counts as speech only when the
detector says so *and* it is clearly louder than the room (a noise floor that follows the quiet
frames). An utterance starts when most of the last few frames are speech and ends when almost
none of the last ``window`` seconds are; the frames before the start are kept, so no word loses
its first sound.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from app.voice.audio import RATE, level_db, pcm_array

FRAME_SECONDS = 0.03
FRAME_BYTES = int(RATE * FRAME_SECONDS) * 2
ABOVE_FLOOR_DB = 12.0  # how much louder than the room a frame must be to count as speech
FLOOR_RISE = 0.01  # of the gap, per frame: the floor follows a louder room within seconds
DIGITAL_SILENCE_DB = -90.0
START_FRAMES = 4  # of the last START_FRAMES + 1, this many must be speech to start
PRE_ROLL = 10  # frames kept from before the start


def _pocketsphinx_vad() -> Callable[[bytes], bool] | None:
    try:
        from pocketsphinx import Vad
    except ImportError:
        return None
    vad = Vad(2, RATE, FRAME_SECONDS)
    if vad.frame_bytes != FRAME_BYTES:
        return None
    return vad.is_speech


class Endpointer:
    """Feed it frames of :data:`FRAME_BYTES`; it hands back whole utterances."""

    def __init__(self, window: float = 0.3, use_vad: bool = True) -> None:
        self.window_frames = max(3, round(window / FRAME_SECONDS))
        self._vad = _pocketsphinx_vad() if use_vad else None
        self.floor: float | None = None  # the room's level, dBFS (from the first frame)
        self._recent: deque[tuple[bytes, bool]] = deque(maxlen=max(PRE_ROLL, self.window_frames))
        self._speech = bytearray()
        self.in_speech = False
        self.frames = 0  # frames seen: the audio clock, FRAME_SECONDS each

    def reset(self) -> None:
        """Forget a half-heard utterance."""
        self._recent.clear()
        self._speech.clear()
        self.in_speech = False

    def _is_speech(self, frame: bytes) -> bool:
        level = level_db(pcm_array(frame))
        # The floor falls at once to a quieter frame and rises slowly, never during an utterance
        # (a voice is not the room); digital silence (a muted input, a file's padding) is no room.
        if level > DIGITAL_SILENCE_DB:
            floor = level if self.floor is None else self.floor
            if level < floor:
                self.floor = level
            elif not self.in_speech:
                self.floor = floor + FLOOR_RISE * (level - floor)
        if level < (self.floor if self.floor is not None else level) + ABOVE_FLOOR_DB:
            return False
        return self._vad(frame) if self._vad is not None else True

    def process(self, frame: bytes) -> bytes | None:
        """One frame in; the utterance's audio out when this frame ended one, else None."""
        self.frames += 1
        speech = self._is_speech(frame)
        self._recent.append((frame, speech))
        if not self.in_speech:
            last = list(self._recent)[-(START_FRAMES + 1):]
            if sum(flag for _f, flag in last) >= START_FRAMES:
                self.in_speech = True
                self._speech = bytearray(b"".join(f for f, _s in self._recent))  # with pre-roll
            return None
        self._speech.extend(frame)
        last = list(self._recent)[-self.window_frames:]
        if len(last) == self.window_frames and sum(flag for _f, flag in last) <= 1:
            return self.end()
        return None

    def end(self) -> bytes | None:
        """End the utterance now (the audio stopped); its audio, or None if there was none."""
        if not self.in_speech:
            return None
        utterance = bytes(self._speech)
        self.reset()
        return utterance
