"""Pointing and dwelling: a pure state machine driven by a clock you pass in.

For members who move the pointer with their eyes (an eye-gaze camera), their head or
a joystick. Resting the pointer on a target for the dwell time chooses it; in "point,
then press a switch" the switch chooses instead. A UI adapter drives the engine::

    engine = DwellEngine(profile.dwell_settings(), listener)
    engine.set_targets(targets, now, fresh=True)   # a new or refreshed screen
    engine.move(x, y, now)                         # every raw pointer sample
    engine.leave(now)                              # the pointer left the window
    engine.press(Switch.ONE, now)                  # switch down / up
    engine.release(Switch.ONE, now)
    engine.tick(now)                               # when the timer fires
    # after EVERY call above: re-arm one single-shot timer at engine.next_deadline()

Rules (against the "Midas touch", choosing whatever the eyes rest on):

* **Smoothing.** Raw samples go through a 1€ filter (:mod:`app.access.pointer_filter`);
  targets are hit-tested with the smoothed point. When samples stop (a mouse or head
  pointer at rest) the last raw sample is fed again every ``SETTLE_INTERVAL`` until the
  smoothed point has caught up, so a still pointer never sits short of where it is.
* **What is pointed at.** A target containing the point; else, when one target is
  clearly the nearest (at most ``AMBIGUITY`` times as far as the next: a point half-way
  between two tiles points at neither), that target if it is the one being dwelt on and
  the point is within ``edge_tolerance`` of it, or (magnetic targets) if it is within
  ``snap_distance``.
* **Dwell.** The dwell runs while the same target (same key and label) stays pointed at,
  from when it was first pointed at, but never from before ``pause_after_choice`` after
  the last choice. Any change of target starts again from nothing.
* **Re-choice guard.** After a choice, the target chosen is *spent* until the pointer has
  left it. When the choice brings a new screen (``set_targets(..., fresh=True)``) while
  the pointer has not moved off, whatever is under the pointer now is spent instead, so
  a choice never runs on into the next screen.
* **Pause.** The target with key :data:`PAUSE_KEY` stops and resumes dwelling. While
  paused, nothing else is pointed at or chosen. A switch does the same: switch 1 when
  dwelling chooses, switch 2 in "point, then press a switch" (where switch 1 chooses).
* **Point, then switch.** No dwell: an accepted press of switch 1 chooses the target
  pointed at (spent or not: a press is deliberate).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from app.access.pointer_filter import OneEuroFilter, PointerFilterSettings
from app.access.profile import AccessProfile, DwellSettings
from app.access.switches import PressFilter, PressState, Switch

__all__ = ["AMBIGUITY", "PAUSE_KEY", "SETTLE_INTERVAL", "DwellEngine", "DwellListener", "Target",
           "pick_target"]

PAUSE_KEY = "pause"
SETTLE_INTERVAL = 0.05
"""Seconds without a sample after which the pointer is taken to be at rest where it is."""
AMBIGUITY = 0.5
"""A snap needs the nearest target at most this fraction as far as the next nearest."""
_SETTLED_PX = 0.5


@dataclass(frozen=True)
class Target:
    """Something that can be chosen: a key, its label (spoken) and its rectangle."""

    key: str
    x: float
    y: float
    width: float
    height: float
    label: str = ""

    @property
    def ident(self) -> tuple[str, str]:
        """What makes it the same target across a refresh: its key and its label."""
        return (self.key, self.label)

    def distance(self, px: float, py: float) -> float:
        """How far the point is outside the rectangle (0 inside or on the edge)."""
        dx = max(self.x - px, 0.0, px - (self.x + self.width))
        dy = max(self.y - py, 0.0, py - (self.y + self.height))
        return math.hypot(dx, dy)

    def contains(self, px: float, py: float) -> bool:
        """True when the point lies inside the rectangle."""
        return self.x <= px < self.x + self.width and self.y <= py < self.y + self.height


def pick_target(targets: Sequence[Target], x: float, y: float, current: Target | None,
                settings: DwellSettings) -> Target | None:
    """The target the point (x, y) points at, by the rules in the module docstring."""
    hit = next((t for t in targets if t.contains(x, y)), None)
    if hit is not None:
        return hit
    near = sorted((t.distance(x, y), i) for i, t in enumerate(targets))
    if not near:
        return None
    nearest, index = near[0]
    clear = len(near) == 1 or nearest <= AMBIGUITY * near[1][0]  # not half-way to another
    if not clear:
        return None
    chosen = targets[index]
    if current is not None and chosen.ident == current.ident and nearest <= settings.edge_tolerance:
        return current
    if settings.magnetic and nearest <= settings.snap_distance:
        return chosen
    return None


class DwellListener:
    """What the engine tells its adapter (every method may be left as it is)."""

    def on_point(self, target: Target | None, spent: bool) -> None:
        """The target pointed at changed (None: nothing); `spent`: it cannot be chosen yet."""

    def on_choose(self, target: Target) -> None:
        """Choose `target` as a click would (the pause target is already toggled)."""

    def on_pause(self, paused: bool) -> None:
        """Dwelling was paused or resumed."""


class DwellEngine:
    """Turns pointer samples and switch presses into choices; see the module docstring."""

    def __init__(self, settings: DwellSettings | AccessProfile | None = None,
                 listener: DwellListener | None = None,
                 filter_settings: PointerFilterSettings | None = None) -> None:
        self._settings = _as_settings(settings)
        self.listener = listener if listener is not None else DwellListener()
        self._filter = OneEuroFilter(filter_settings)
        self._targets: list[Target] = []
        self._raw: tuple[float, float] | None = None
        self._last_sample = 0.0
        self._current: Target | None = None
        self._since = 0.0
        self._spent: tuple[str, str] | None = None
        self._pause_until = -math.inf
        self._paused = False
        self._presses = PressFilter()

    # ----------------------------------------------------------------- state
    @property
    def settings(self) -> DwellSettings:
        """The settings in use."""
        return self._settings

    @property
    def current(self) -> Target | None:
        """The target pointed at (None when nothing is)."""
        return self._current

    @property
    def point(self) -> tuple[float, float] | None:
        """The smoothed pointer position (None while the pointer is away)."""
        return self._filter.point if self._raw is not None else None

    @property
    def paused(self) -> bool:
        """True while dwelling is paused."""
        return self._paused

    @property
    def spent(self) -> bool:
        """True when the target pointed at cannot be chosen until the pointer leaves it."""
        return self._current is not None and self._current.ident == self._spent

    def dwell_due(self) -> float | None:
        """When the dwell on the current target completes, or None when none runs."""
        target = self._current
        if target is None or self.spent or self._settings.point_then_switch:
            return None
        return max(self._since, self._pause_until) + self._settings.dwell_time

    def progress(self, now: float) -> float:
        """How far the dwell has gone, 0 to 1 (0 when none runs)."""
        due = self.dwell_due()
        if due is None:
            return 0.0
        start = due - self._settings.dwell_time
        return min(1.0, max(0.0, (now - start) / self._settings.dwell_time))

    # ------------------------------------------------------------ adapter API
    def update_settings(self, settings: DwellSettings | AccessProfile) -> None:
        """Apply new settings live (a dwell under way keeps its start)."""
        self._settings = _as_settings(settings)

    def set_targets(self, targets: Sequence[Target], now: float, fresh: bool = False) -> None:
        """The targets on screen now. `fresh`: a new screen (or keys rebuilt), not only a move
        of the same ones; see the re-choice guard."""
        self._targets = list(targets)
        target = self._pick()  # (a target that is gone is never picked, and is let go below)
        if fresh and self._spent is not None:
            self._spent = target.ident if target is not None else None
        self._point_at(target, now)

    def spend_current(self) -> None:
        """Let the target pointed at wait until the pointer has left it (e.g. the setting that
        switched dwelling on, chosen some other way)."""
        if self._current is not None:
            self._spent = self._current.ident

    def move(self, x: float, y: float, now: float) -> None:
        """A raw pointer sample at `now` (window coordinates)."""
        self._raw = (x, y)
        self._last_sample = now
        self._filter(x, y, now)
        self._point_at(self._pick(), now)

    def leave(self, now: float) -> None:
        """The pointer left the window: nothing is pointed at, nothing is spent."""
        self._raw = None
        self._filter.reset()
        self._spent = None
        self._point_at(None, now)

    def press(self, switch: Switch, now: float) -> None:
        """A switch went down."""
        switch = Switch(switch)
        if self._presses.is_down(switch):
            return
        self._accept_due(now)
        press = self._presses.press(switch, now, self._settings.ignore_repeat)
        if press is not None and press.state is PressState.PENDING and self._settings.acceptance_time <= 0:
            self._presses.accept(press)
            self._switch(switch, now)

    def release(self, switch: Switch, now: float) -> None:
        """A switch went up (a press shorter than the acceptance time does nothing)."""
        self._accept_due(now)
        self._presses.release(Switch(switch))

    def toggle_pause(self, now: float) -> None:
        """Stop or resume dwelling (the pause tile, a switch or a key)."""
        self._paused = not self._paused
        self._since = now
        self.listener.on_pause(self._paused)
        self._point_at(self._pick(), now, force=True)

    def tick(self, now: float) -> None:
        """Do what is due at `now`: accept held presses, settle a still pointer, end a dwell."""
        self._accept_due(now)
        settle = self._settle_due()
        if settle is not None and now >= settle and self._raw is not None:
            self._last_sample = now
            self._filter(*self._raw, now)
            self._point_at(self._pick(), now)
        due = self.dwell_due()
        if due is not None and now >= due:
            self._choose(now)

    def next_deadline(self) -> float | None:
        """The absolute time :meth:`tick` must next be called, or None."""
        times = [t for t in (self._settle_due(), self.dwell_due(),
                             self._presses.pending_deadline(self._settings.acceptance_time))
                 if t is not None]
        return min(times, default=None)

    # -------------------------------------------------------------- internals
    def _settle_due(self) -> float | None:
        point = self._filter.point
        if self._raw is None or point is None:
            return None
        if math.dist(point, self._raw) <= _SETTLED_PX:
            return None
        return self._last_sample + SETTLE_INTERVAL

    def _pick(self) -> Target | None:
        point = self.point
        if point is None:
            return None
        target = pick_target(self._targets, point[0], point[1], self._current, self._settings)
        if self._paused and target is not None and target.key != PAUSE_KEY:
            return None
        return target

    def _point_at(self, target: Target | None, now: float, force: bool = False) -> None:
        same = (target is None and self._current is None) or (
            target is not None and self._current is not None and target.ident == self._current.ident)
        if target is not None and self._current is not None and same:
            self._current = target  # the same target, perhaps moved
        if same and not force:
            return
        if self._spent is not None and (target is None or target.ident != self._spent):
            self._spent = None  # the pointer has left the target chosen last
        self._current = target
        self._since = now
        self.listener.on_point(target, self.spent)

    def _choose(self, now: float) -> None:
        target = self._current
        if target is None:
            return
        self._spent = target.ident
        self._pause_until = now + self._settings.pause_after_choice
        self._since = now
        if target.key == PAUSE_KEY:
            self.toggle_pause(now)  # the engine's own: on_choose only reports it
        else:
            self.listener.on_point(target, True)
        self.listener.on_choose(target)

    def _switch(self, switch: Switch, now: float) -> None:
        chooser = Switch.ONE if self._settings.point_then_switch else None
        if switch is chooser and self._current is not None:
            self._choose(now)
        elif switch is not chooser:
            self.toggle_pause(now)

    def _accept_due(self, now: float) -> None:
        acceptance = self._settings.acceptance_time
        for press in self._presses.due(now, acceptance):
            if press.state is PressState.PENDING:
                self._presses.accept(press)
                self._switch(press.switch, press.start + acceptance)


def _as_settings(settings: DwellSettings | AccessProfile | None) -> DwellSettings:
    if settings is None:
        return DwellSettings()
    if isinstance(settings, AccessProfile):
        return settings.dwell_settings()
    return settings
