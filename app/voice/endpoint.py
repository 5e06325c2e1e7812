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
INITIAL_FLOOR_DB = -70.0  # a quiet room; the first quieter frame takes its place
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


START, SPEECH, END = "start", "speech", "end"


class Endpointer:
    """Feed it frames of :data:`FRAME_BYTES`; it says where utterances start and end, and hands
    on their audio as it comes (so the recogniser decodes while the member is still talking)."""

    def __init__(self, window: float = 0.3, use_vad: bool = True) -> None:
        self.window_frames = max(3, round(window / FRAME_SECONDS))
        self._vad = _pocketsphinx_vad() if use_vad else None
        self.floor = INITIAL_FLOOR_DB  # the room's level, dBFS
        self._recent: deque[tuple[bytes, bool]] = deque(maxlen=max(PRE_ROLL, self.window_frames))
        self.in_speech = False
        self.frames = 0  # frames seen: the audio clock, FRAME_SECONDS each

    def reset(self) -> None:
        """Forget a half-heard utterance."""
        self._recent.clear()
        self.in_speech = False

    def _is_speech(self, frame: bytes) -> bool:
        level = level_db(pcm_array(frame))
        # The floor falls at once to a quieter frame and rises slowly, never during an utterance
        # (a voice is not the room); digital silence (a muted input, a file's padding) is no room.
        if level > DIGITAL_SILENCE_DB:
            if level < self.floor:
                self.floor = level
            elif not self.in_speech:
                self.floor += FLOOR_RISE * (level - self.floor)
        if level < self.floor + ABOVE_FLOOR_DB:
            return False
        return self._vad(frame) if self._vad is not None else True

    def process(self, frame: bytes) -> tuple[str, bytes] | None:
        """One frame in. Out: (START, the audio since just before the start), (SPEECH, this
        frame) while an utterance goes on, (END, b"") when this frame ended it, or None."""
        self.frames += 1
        speech = self._is_speech(frame)
        self._recent.append((frame, speech))
        if not self.in_speech:
            last = list(self._recent)[-(START_FRAMES + 1):]
            if sum(flag for _f, flag in last) >= START_FRAMES:
                self.in_speech = True
                return START, b"".join(f for f, _s in self._recent)  # with the pre-roll
            return None
        last = list(self._recent)[-self.window_frames:]
        if len(last) == self.window_frames and sum(flag for _f, flag in last) <= 1:
            self.reset()
            return END, b""
        return SPEECH, frame
