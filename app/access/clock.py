"""A manual clock with one pending call: drives the scanner in tests and benchmarks."""

from __future__ import annotations

from collections.abc import Callable


class ManualClock:
    """Time moves only when `advance` is called; a due call fires at its exact deadline."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._deadline: float | None = None
        self._callback: Callable[[], None] | None = None

    def now(self) -> float:
        """The current manual time in seconds."""
        return self._now

    def call_at(self, deadline: float, callback: Callable[[], None]) -> None:
        """Call `callback` once when time reaches `deadline` (replaces any earlier request)."""
        self._deadline = deadline
        self._callback = callback

    def cancel(self) -> None:
        """Forget the pending call."""
        self._deadline = None
        self._callback = None

    @property
    def pending(self) -> float | None:
        """The deadline of the pending call, if any."""
        return self._deadline

    def advance(self, seconds: float) -> None:
        """Move time on, firing each call that falls due, at its own deadline."""
        end = self._now + seconds
        while self._deadline is not None and self._deadline <= end:
            self._now = max(self._now, self._deadline)
            callback = self._callback
            self._deadline = None
            self._callback = None
            if callback is not None:
                callback()
        self._now = end

    def run_until_next(self) -> bool:
        """Jump to the pending deadline and fire it; False when nothing is pending."""
        if self._deadline is None:
            return False
        self.advance(max(0.0, self._deadline - self._now))
        return True
