"""Adaptive (Huffman) scanning with switch timing: the engine behind the adaptive keyboard.

:class:`app.access.huffman.HuffmanScan` decides which keys to highlight; this adds the
clock, like :class:`app.access.scanner.Scanner`: the highlighted set stays for one step
(plus the first-item extra time on the first set), a press of switch 1 means "it is in
this set" and a step that passes means "it is not". With two switches (step mode),
switch 1 says "not here" at once and switch 2 says "here". Repeated presses within the
ignore time and presses shorter than the acceptance time are ignored, as in the scanner.
Deadlines are absolute, so steps do not drift.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from app.access.huffman import HuffmanScan
from app.access.profile import ScanSettings
from app.access.switches import PressFilter, PressState, Switch

MORE = "adaptive:more"
"""A pseudo-key that leaves adaptive scanning for the screen's other rows."""
MORE_ODDS = 0.01


def offered(probabilities: Mapping[str, float]) -> dict[str, float]:
    """What adaptive scanning really offers: the keys and the "Other choices" entry (MORE),
    so the code's cost (in the app and in bench.text_entry) counts every entry."""
    odds = dict(probabilities)
    odds[MORE] = MORE_ODDS
    return odds


class AdaptiveScan:
    """One switch user's Huffman scanning over the keys of one keyboard state."""

    def __init__(
        self,
        settings: ScanSettings,
        on_highlight: Callable[[frozenset[str]], None],
        on_select: Callable[[str], None],
    ) -> None:
        self.settings = settings
        self.on_highlight = on_highlight
        self.on_select = on_select
        self._scan: HuffmanScan | None = None
        self._due: float | None = None
        self._presses = PressFilter()
        self.highlighted: frozenset[str] = frozenset()

    @property
    def two_switches(self) -> bool:
        """Step mode: switch 1 says "not here", switch 2 "here"."""
        return self.settings.mode == "step"

    def start(self, probabilities: Mapping[str, float], now: float) -> None:
        """Begin a selection over these key probabilities (the MORE key is added)."""
        self._scan = HuffmanScan(offered(probabilities), confirm_last=not self.two_switches)
        self._show(now, first=True)

    def stop(self) -> None:
        """Leave adaptive scanning."""
        self._scan = None
        self._due = None
        self.highlighted = frozenset()
        # The switch that chose is still down: its release will go to the row scanner.
        self._presses.forget_down()

    @property
    def active(self) -> bool:
        """True while a selection is under way."""
        return self._scan is not None

    def next_deadline(self) -> float | None:
        """When `tick` must run next, or None."""
        pending = self._presses.pending_deadline(self.settings.acceptance_time)
        times = [t for t in (self._step_due(), pending) if t is not None]
        return min(times, default=None)

    def tick(self, now: float) -> None:
        """Accept held presses; a step that has passed means "not in this set"."""
        self._accept_due(now)
        due = self._step_due()
        if self._scan is not None and due is not None and now >= due:
            anchor = due
            self._scan.no()
            self._show(anchor if now - anchor < self._interval() else now)

    def press(self, switch: Switch, now: float) -> None:
        """A switch went down."""
        if self._scan is None:
            return
        press = self._presses.press(switch, now, self.settings.ignore_repeat)
        if press is not None and press.state is PressState.PENDING and self.settings.acceptance_time <= 0:
            self._presses.accept(press)
            self._act(switch, now)

    def release(self, switch: Switch, now: float) -> None:
        """A switch went up."""
        self._accept_due(now)
        self._presses.release(switch)

    # -------------------------------------------------------------- internals
    def _accept_due(self, now: float) -> None:
        for press in self._presses.due(now, self.settings.acceptance_time):
            self._presses.accept(press)
            self._act(press.switch, press.start + self.settings.acceptance_time)

    def _act(self, switch: Switch, at: float) -> None:
        if self._scan is None:
            return
        if self.two_switches and switch is Switch.ONE:
            self._scan.no()
            self._show(at)
            return
        if not self.two_switches and switch is not Switch.ONE:
            return
        chosen = self._scan.yes()
        if chosen is None:
            self._show(at)
            return
        self.stop()
        self.on_select(chosen)

    def _step_due(self) -> float | None:
        """The step deadline, held back while a press waits for its acceptance time (as the
        row scanner does), so the press counts for the set it was made on."""
        return None if self._presses.has_pending else self._due

    def _interval(self, first: bool = False) -> float:
        extra = self.settings.first_item_extra if first else 0.0
        return self.settings.step_time + extra

    def _show(self, at: float, first: bool = False) -> None:
        assert self._scan is not None
        self.highlighted = self._scan.highlighted()
        self._due = None if self.two_switches else at + self._interval(first)
        self.on_highlight(self.highlighted)
