"""A manual clock with one pending call: drives the scanner in tests and benchmarks."""

from __future__ import annotations

from collections.abc import Callable


class ManualClock:
    """Time moves only when `advance` is called; a due call fires at its exact deadline.

    One pending call per clock; :meth:`channel` gives another clock on the same time with a
    pending call of its own (the scanner and the dwell engine each keep one).
    """

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._deadline: float | None = None
        self._callback: Callable[[], None] | None = None
        self._root = self
        self._channels: list[ManualClock] = [self]

    def channel(self) -> ManualClock:
        """Another clock on this one's time, with its own pending call; `advance` here fires it."""
        root = self._root
        other = ManualClock(root._now)
        other._root = root
        root._channels.append(other)
        return other

    def now(self) -> float:
        """The current manual time in seconds."""
        return self._root._now

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
        """Move time on, firing each call that falls due (on any channel), at its own deadline."""
        root = self._root
        end = root._now + seconds
        while (due := root._earliest()) is not None and due._deadline is not None and due._deadline <= end:
            root._now = max(root._now, due._deadline)
            callback = due._callback
            due._deadline = None
            due._callback = None
            if callback is not None:
                callback()
        root._now = end

    def run_until_next(self) -> bool:
        """Jump to the earliest pending deadline (on any channel) and fire it; False when none."""
        root = self._root
        due = root._earliest()
        if due is None or due._deadline is None:
            return False
        root.advance(max(0.0, due._deadline - root._now))
        return True

    def _earliest(self) -> ManualClock | None:
        waiting = [c for c in self._channels if c._deadline is not None]
        return min(waiting, key=lambda c: c._deadline or 0.0, default=None)
