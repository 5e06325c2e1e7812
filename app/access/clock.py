"""A manual clock with one pending call: drives the scanner in tests and benchmarks; and a
shared clock that gives several timers one such clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class SchedulingClock(Protocol):
    """A clock that can call back once at an absolute time (real or manual)."""

    def now(self) -> float: ...
    def call_at(self, deadline: float, callback: Callable[[], None]) -> None: ...
    def cancel(self) -> None: ...


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


class SharedClock:
    """Several independent timers over one scheduling clock that holds a single pending call
    (a :class:`ManualClock` or the window's Qt clock): the scanner's steps and, say, a
    question's time-out each get a :meth:`channel`, and the clock is armed for the earliest."""

    def __init__(self, base: SchedulingClock) -> None:
        self._base = base
        self._pending: dict[int, tuple[float, Callable[[], None]]] = {}
        self._channels = 0

    def channel(self) -> ClockChannel:
        """A new timer of its own, with the clock's `now`, `call_at` and `cancel`."""
        self._channels += 1
        return ClockChannel(self, self._channels)

    def now(self) -> float:
        """The base clock's time."""
        return self._base.now()

    def _set(self, channel: int, entry: tuple[float, Callable[[], None]] | None) -> None:
        if entry is None:
            self._pending.pop(channel, None)
        else:
            self._pending[channel] = entry
        self._arm()

    def _arm(self) -> None:
        if not self._pending:
            self._base.cancel()
            return
        deadline = min(deadline for deadline, _ in self._pending.values())
        self._base.call_at(deadline, self._fire)

    def _fire(self) -> None:
        # The base fired for the earliest deadline: run that timer's call, then arm the next.
        if self._pending:
            channel = min(self._pending, key=lambda c: self._pending[c][0])
            _, callback = self._pending.pop(channel)
            callback()
        self._arm()


class ClockChannel:
    """One timer of a :class:`SharedClock` (a SchedulingClock to whoever holds it)."""

    def __init__(self, shared: SharedClock, channel: int) -> None:
        self._shared = shared
        self._channel = channel

    def now(self) -> float:
        """The shared clock's time."""
        return self._shared.now()

    def call_at(self, deadline: float, callback: Callable[[], None]) -> None:
        """Call `callback` once at `deadline`, replacing this timer's earlier request."""
        self._shared._set(self._channel, (deadline, callback))  # noqa: SLF001 - its own timer

    def cancel(self) -> None:
        """Forget this timer's pending call (the others stay)."""
        self._shared._set(self._channel, None)  # noqa: SLF001 - its own timer
