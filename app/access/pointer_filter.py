"""Smoothing a shaky pointer: the 1€ filter (Casiez, Roussel and Vogel, CHI 2012).

An eye-gaze camera or a head pointer reports a position that trembles by tens of
pixels even while the person looks at one spot, yet jumps hundreds of pixels in a
few milliseconds when they look elsewhere. A fixed low-pass filter must choose
between a steady point and a lagging one; the 1€ filter chooses by speed: an
exponential smoothing whose cut-off frequency rises with the (itself smoothed)
speed of the pointer. Slow means smooth, fast means follow.

Pure and clock-free: every sample carries its own time in seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["OneEuroFilter", "PointerFilterSettings"]


@dataclass(frozen=True)
class PointerFilterSettings:
    """The filter's three constants.

    ``min_cutoff`` (Hz) is the smoothing of a still pointer: lower is steadier but
    lags more. ``beta`` (Hz per pixel a second) is how fast the cut-off rises with
    speed: higher follows a quick movement sooner. ``d_cutoff`` (Hz) smooths the
    speed estimate itself. The defaults are tuned for an eye-gaze pointer with the
    dwell benchmark (``python -m bench.dwell``).
    """

    min_cutoff: float = 0.8
    beta: float = 0.002
    d_cutoff: float = 1.0


def _alpha(cutoff: float, elapsed: float) -> float:
    """The smoothing factor of an exponential filter with `cutoff` Hz over `elapsed` s."""
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / elapsed)


class OneEuroFilter:
    """A 2-D 1€ filter: both axes share one speed (the length of the velocity)."""

    def __init__(self, settings: PointerFilterSettings | None = None) -> None:
        self.settings = settings or PointerFilterSettings()
        self._point: tuple[float, float] | None = None
        self._velocity = (0.0, 0.0)
        self._time: float | None = None

    @property
    def point(self) -> tuple[float, float] | None:
        """The last smoothed position, or None before the first sample."""
        return self._point

    def reset(self) -> None:
        """Forget the past (the pointer left, or a new device took over)."""
        self._point = None
        self._velocity = (0.0, 0.0)
        self._time = None

    def __call__(self, x: float, y: float, now: float) -> tuple[float, float]:
        """Feed the raw sample (x, y) taken at `now`; return the smoothed position.

        The first sample, and a sample no later than the previous one, are taken
        as they are (a repeated time cannot say anything about speed).
        """
        if self._point is None or self._time is None:
            self._point, self._time = (x, y), now
            return self._point
        elapsed = now - self._time
        if elapsed <= 0:
            return self._point
        s = self.settings
        px, py = self._point
        raw_vx, raw_vy = (x - px) / elapsed, (y - py) / elapsed
        a_d = _alpha(s.d_cutoff, elapsed)
        vx = self._velocity[0] + a_d * (raw_vx - self._velocity[0])
        vy = self._velocity[1] + a_d * (raw_vy - self._velocity[1])
        cutoff = s.min_cutoff + s.beta * math.hypot(vx, vy)
        a = _alpha(cutoff, elapsed)
        self._point = (px + a * (x - px), py + a * (y - py))
        self._velocity = (vx, vy)
        self._time = now
        return self._point
