"""The switch-scanning engine: a pure state machine driven by a clock you pass in.

There are no threads, sleeps or timers here.  All times are floats in seconds
from one monotonic clock.  A UI adapter drives the engine like this::

    scanner = Scanner(profile.scan_settings(), listener)
    scanner.set_tree(roots, now)               # on every new screen
    scanner.press(Switch.ONE, now)             # key/mouse down of a switch
    scanner.release(Switch.ONE, now)           # key/mouse up
    scanner.tick(now)                          # when the timer fires
    scanner.cue_finished(now, key)             # speech of a cue ended
    # after EVERY call above: re-arm one single-shot timer
    deadline = scanner.next_deadline()         # None = no timer needed
    # timer interval = max(0, deadline - now)

Semantics chosen (see also :class:`Scanner`):

* **No drift.**  The next automatic step is due at ``moved_at + interval``
  where ``moved_at`` is when the previous step was *scheduled*, not when the
  late tick ran.  If a tick is so late that the next deadline would already
  have passed (more than one interval late), only one step is done and the
  schedule is re-anchored to ``now``.
* **What you see is what you select.**  ``press``/``release`` act on the node
  currently highlighted; overdue automatic steps are not caught up first.
* **Intervals.**  The highlight stays ``step_time`` on a node, plus
  ``first_item_extra`` on the first node of a level (auto and hold modes).
* **Acceptance time.**  A press acts only once it has been held for
  ``acceptance_time`` (at ``press + acceptance_time``, through ``tick`` or a
  later ``release``); releasing earlier discards it.  Automatic stepping is
  held back while a press is waiting for acceptance, so the node under the
  member's press is the one selected.
* **Ignore repeats.**  A press starting less than ``ignore_repeat`` after the
  start of the previous *accepted* press of the *same* switch is ignored, and
  so is its release.  (Per switch, so step mode's move-then-select is fine.)
* **Pause after select** (auto mode).  After any selection (item, group or
  Back) at time ``t`` the next step is due at
  ``t + pause_after_select + interval``.
* **Rest** (auto mode).  When the highlight has shown ``loops_before_rest``
  times the number of nodes in the level without an accepted press, the next
  due step rests the scan instead: highlight cleared, ``on_rest``.  Only
  accepted presses count as activity.  The next accepted press of switch ONE
  wakes the scan without selecting: it restarts at the first node of the top
  level (``restart_after_select == "top"``) or of the current level
  (``"stay"``); ``on_wake`` then ``on_highlight``.
* **Wait for cue.**  With ``wait_for_cue``, each new highlight marks a cue as
  pending; automatic moves wait until :meth:`Scanner.cue_finished`.  The move
  then happens at ``max(deadline, cue end)``.  An adapter with speech off must
  call ``cue_finished`` right away (it may do so inside ``on_highlight``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.access.profile import AccessProfile, ScanSettings
from app.access.scan_tree import ScanLevels, ScanListener, ScanNode
from app.access.switches import Press, PressFilter, PressState, Switch

__all__ = ["ScanListener", "ScanNode", "ScanSettings", "Scanner", "Switch"]


class Scanner:
    """Scans a tree of :class:`ScanNode` for one or two switches.

    Modes (``settings.mode``):

    * ``"auto"``: the highlight moves by itself; switch ONE selects; TWO is ignored.
    * ``"step"``: ONE moves to the next node (wrapping), TWO selects; there is
      no automatic movement and no rest.
    * ``"hold"``: while ONE is held the highlight moves every interval (the
      first move one interval after the press is accepted); releasing ONE
      selects the highlighted node.  A hold shorter than ``acceptance_time``
      is ignored.  TWO is ignored.  No rest.
    * ``"off"``: inactive; presses and ticks do nothing and ``highlighted``
      is None.

    Selecting a group enters it (first child highlighted, ``on_enter_group``);
    selecting its Back item returns to the parent level with the group
    highlighted; selecting a leaf calls ``on_select`` and then restarts at the
    first node of the top level (``"top"``) or stays on the item (``"stay"``).
    ``on_highlight`` follows every selection.  The listener may call
    :meth:`set_tree` or :meth:`update_settings` from ``on_select``; the engine
    then keeps the new state.
    """

    def __init__(
        self,
        settings: ScanSettings | AccessProfile | None = None,
        listener: ScanListener | None = None,
        *,
        back_label: str = "Back",
    ) -> None:
        """Create an engine with an empty tree; call :meth:`set_tree` next."""
        self._settings = _as_settings(settings)
        self.listener: ScanListener = listener if listener is not None else ScanListener()
        self._levels = ScanLevels(back_label)
        self._levels.load([], self._settings.layout)
        self._presses = PressFilter()
        self._resting = False
        self._holding = False
        self._due: float | None = None
        self._pause_until: float | None = None
        self._shown = 1
        self._cue_pending = False
        self._epoch = 0

    # ----------------------------------------------------------------- state
    @property
    def settings(self) -> ScanSettings:
        """The settings in use."""
        return self._settings

    @property
    def mode(self) -> str:
        """``"auto"``, ``"step"``, ``"hold"`` or ``"off"``."""
        return self._settings.mode

    @property
    def highlighted(self) -> ScanNode | None:
        """The highlighted node; None when off, resting or the tree is empty."""
        if self.mode == "off" or self._resting:
            return None
        return self._levels.current

    @property
    def highlighted_path(self) -> tuple[str, ...]:
        """Keys from the root to the highlighted node (empty when none)."""
        return self._levels.path if self.highlighted is not None else ()

    @property
    def level(self) -> list[ScanNode]:
        """A copy of the current level, Back item included ([] when off)."""
        return [] if self.mode == "off" else list(self._levels.nodes)

    @property
    def resting(self) -> bool:
        """True while the scan rests (auto mode only)."""
        return self._resting

    @property
    def holding(self) -> bool:
        """True while switch ONE is held and accepted in hold mode."""
        return self._holding

    @property
    def cue_pending(self) -> bool:
        """True while automatic movement waits for :meth:`cue_finished`."""
        return self._cue_pending

    # ------------------------------------------------------------ adapter API
    def set_tree(self, roots: Sequence[ScanNode], now: float, keep_key: str | None = None) -> None:
        """Scan a new tree (a new or refreshed screen).

        The highlight goes to the first top-level node, or to the node with
        *keep_key* when it exists.  If *keep_key* is the node already
        highlighted (a refresh in place), the step schedule, loop count and
        pending cue are kept so periodic refreshes never stall the scan.
        A resting scan stays at rest.  ``on_highlight`` is called unless off
        or resting.

        Raises:
            ValueError: if node keys are empty or not unique.
        """
        previous = self.highlighted
        self._levels.load(roots, self._settings.layout)
        self._epoch += 1
        found = keep_key is not None and self._levels.find(keep_key)
        if self.mode == "off" or self._resting:
            return
        if not (found and previous is not None and previous.key == keep_key):
            self._fresh(now)
        self._emit_highlight()

    def press(self, switch: Switch, now: float) -> None:
        """Switch *switch* went down at *now*.  Repeated downs without an up are ignored."""
        switch = Switch(switch)
        if self.mode == "off" or self._presses.is_down(switch) or not self._uses(switch):
            return
        self._process_acceptances(now)
        press = self._presses.press(switch, now, self._settings.ignore_repeat)
        immediate = self._settings.acceptance_time <= 0
        if immediate and press is not None and press.state is PressState.PENDING:
            self._accept(press, now)

    def release(self, switch: Switch, now: float) -> None:
        """Switch *switch* went up at *now*."""
        switch = Switch(switch)
        if not self._presses.is_down(switch):
            return
        self._process_acceptances(now)
        press = self._presses.release(switch)
        if press is None or press.state is not PressState.ACCEPTED:
            return  # ignored repeat, or shorter than the acceptance time
        if self.mode == "hold" and switch is Switch.ONE and self._holding:
            self._holding = False
            self._due = None
            self._select(now)

    def tick(self, now: float) -> None:
        """Do whatever is due at *now*: accept held presses, then at most one step."""
        if self.mode == "off":
            return
        self._process_acceptances(now)
        due = self._step_due()
        if due is not None and now >= due:
            self._step(now)

    def next_deadline(self) -> float | None:
        """The absolute time :meth:`tick` must next be called, or None.

        It may lie in the past (e.g. after a rejected press or a late cue):
        then tick as soon as possible.
        """
        if self.mode == "off":
            return None
        pending = self._presses.pending_deadline(self._settings.acceptance_time)
        times = [] if pending is None else [pending]
        step = self._step_due()
        if step is not None:
            times.append(step)
        return min(times, default=None)

    def cue_finished(self, now: float, key: str | None = None) -> None:
        """The spoken cue of the highlighted node ended at *now*.

        With *key*, a cue for any other node (a stale one) is ignored.  If the
        step was already due, it is re-anchored to *now* and fires on the next tick.
        """
        node = self.highlighted
        if not self._cue_pending or (key is not None and (node is None or node.key != key)):
            return
        self._cue_pending = False
        if self._due is not None and self._due < now:
            self._due = now

    def wake(self, now: float) -> None:
        """Wake a resting scan without a switch press (e.g. a helper clicked)."""
        if self._resting:
            self._wake(now)

    def update_settings(self, settings: ScanSettings | AccessProfile, now: float) -> None:
        """Apply new settings live.

        A change of mode or layout restarts the scan at the top (layout alone:
        on the same key if it still exists), cancels held presses (their
        releases are ignored) and calls ``on_highlight`` (``on_stop`` when the
        new mode is off).  Otherwise the current step's deadline moves by the
        change in its interval, as if the new timings had applied since the
        highlight moved (never earlier than *now*).  Turning ``wait_for_cue``
        on does not block the current highlight; turning it off releases it.
        """
        new, old = _as_settings(settings), self._settings
        self._settings = new
        if new.mode != old.mode or new.layout != old.layout:
            keep = self._levels.current.key if self._levels.current is not None else None
            if new.mode != old.mode:
                keep = None
                self._presses.cancel_all()
                self._holding = False
            self._resting = False
            self._levels.load(self._levels.roots, new.layout)
            if keep is not None:
                self._levels.find(keep)
            self._epoch += 1
            self._fresh(now)
            self._notify_then_highlight(self.listener.on_stop if new.mode == "off" else None)
            return
        if not new.wait_for_cue:
            self._cue_pending = False
        if self._due is not None:
            delta = self._interval(new) - self._interval(old)
            self._due = max(self._due + delta, now)

    # -------------------------------------------------------------- internals
    def _uses(self, switch: Switch) -> bool:
        return switch is Switch.ONE or self.mode == "step"

    def _interval(self, settings: ScanSettings | None = None) -> float:
        s = settings or self._settings
        return s.step_time + (s.first_item_extra if self._levels.index == 0 else 0.0)

    def _step_due(self) -> float | None:
        """The automatic step deadline, unless it is held back."""
        if self._due is None or self._cue_pending:
            return None
        if self._presses.has_pending:
            return None
        return self._due

    def _process_acceptances(self, now: float) -> None:
        acceptance = self._settings.acceptance_time
        for press in self._presses.due(now, acceptance):
            if press.state is PressState.PENDING:  # a callback may have cancelled it
                self._accept(press, press.start + acceptance)

    def _accept(self, press: Press, at: float) -> None:
        """A press became valid at time *at*: act on it."""
        self._presses.accept(press)
        if self._resting:
            self._wake(at)
        elif self.mode == "hold":
            self._holding = True
            self._due = at + self._interval()
        elif self.mode == "step" and press.switch is Switch.ONE:
            self._levels.move_next()
            self._fresh(at)
            self._emit_highlight()
        else:
            self._select(at)

    def _step(self, now: float) -> None:
        """Do the automatic step that was due at ``self._due``."""
        due = self._due
        assert due is not None
        count = len(self._levels.nodes)
        if count == 0:
            self._due = None
            return
        if self.mode == "auto" and self._shown >= self._settings.loops_before_rest * count:
            self._resting = True
            self._due = None
            self._cue_pending = False
            self.listener.on_rest()
            return
        self._levels.move_next()
        self._shown += 1
        interval = self._interval()
        following = due + interval
        self._due = following if following > now else now + interval
        self._cue_pending = self._settings.wait_for_cue
        self._emit_highlight()

    def _select(self, at: float) -> None:
        node = self._levels.current
        if node is None:
            return
        self._pause_until = at + self._settings.pause_after_select
        notify: Callable[[ScanNode], None] | None = None
        if node.is_back:
            self._levels.back()
        elif node.is_group and self._levels.layout == "row-column":
            self._levels.enter(node)
            notify = self.listener.on_enter_group
        else:
            if self._settings.restart_after_select == "top":
                self._levels.go_top()
            notify = self.listener.on_select
        self._fresh(at)
        self._notify_then_highlight(notify, node)

    def _wake(self, at: float) -> None:
        self._resting = False
        if self._settings.restart_after_select == "top":
            self._levels.go_top()
        else:
            self._levels.go_level_start()
        self._fresh(at)
        self._notify_then_highlight(self.listener.on_wake)

    def _notify_then_highlight(
        self, notify: Callable[..., None] | None, *args: ScanNode
    ) -> None:
        """Call *notify*, then ``on_highlight`` unless the listener replaced the tree/settings."""
        epoch = self._epoch
        if notify is not None:
            notify(*args)
        if epoch == self._epoch:
            self._emit_highlight()

    def _fresh(self, at: float) -> None:
        """A new highlight was placed at time *at*: restart counts and the schedule."""
        self._shown = 1
        moving = self.mode == "auto" or (self.mode == "hold" and self._holding)
        self._cue_pending = self._settings.wait_for_cue and self.mode in ("auto", "hold")
        if self._levels.current is None or self._resting or not moving:
            self._due = None
        elif self.mode == "auto":
            base = at if self._pause_until is None else max(at, self._pause_until)
            self._due = base + self._interval()
        else:
            self._due = at + self._interval()

    def _emit_highlight(self) -> None:
        node = self.highlighted
        if node is not None:
            self.listener.on_highlight(node, node.is_group, self._levels.path)


def _as_settings(settings: ScanSettings | AccessProfile | None) -> ScanSettings:
    if settings is None:
        return ScanSettings()
    if isinstance(settings, AccessProfile):
        return settings.scan_settings()
    if isinstance(settings, ScanSettings):
        return settings
    raise TypeError(f"expected ScanSettings or AccessProfile, not {type(settings).__name__}")
