"""Switch mapping, independent of any UI toolkit.

A *switch* is whatever physical input a member presses: a big button wired to a
switch interface (which usually sends a key such as ``Space`` or ``F1``), a key
on a keyboard, or a mouse button.  The UI turns each key or mouse event into a
key *name* (a plain string, see :data:`KEY_NAMES`) and asks a :class:`SwitchMap`
which logical :class:`Switch` that name is, if any.

Key names are case-insensitive on input and always stored in their canonical
spelling: ``"Space"``, ``"Return"`` (main keyboard), ``"Enter"`` (keypad),
``"Tab"``, ``"F1"`` .. ``"F12"``, ``"0"`` .. ``"9"``, ``"A"`` .. ``"Z"``,
``"Mouse:Left"``, ``"Mouse:Right"`` and ``"Mouse:Middle"``.
"""

from __future__ import annotations

import enum
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only, avoids an import cycle
    from app.access.profile import AccessProfile

__all__ = [
    "KEY_NAMES",
    "Press",
    "PressFilter",
    "PressState",
    "Switch",
    "SwitchError",
    "SwitchMap",
    "is_key_name",
    "normalise_key_name",
]


class SwitchError(ValueError):
    """Raised for an unknown key name or an unusable switch mapping."""


class Switch(enum.IntEnum):
    """The two logical switches the scanner understands.

    * ``"auto"`` scanning (one switch): ``ONE`` selects the highlighted node;
      ``TWO`` is ignored.
    * ``"hold"`` scanning (one switch): holding ``ONE`` moves the highlight,
      releasing it selects; ``TWO`` is ignored.
    * ``"step"`` scanning (two switches): ``ONE`` moves the highlight to the
      next node, ``TWO`` selects the highlighted node.
    """

    ONE = 1
    TWO = 2


KEY_NAMES: tuple[str, ...] = (
    ("Space", "Return", "Enter", "Tab")
    + tuple(f"F{n}" for n in range(1, 13))
    + tuple(string.digits)
    + tuple(string.ascii_uppercase)
    + ("Mouse:Left", "Mouse:Right", "Mouse:Middle")
)
"""Every key name a switch may use, in canonical spelling."""

_CANONICAL: dict[str, str] = {name.casefold(): name for name in KEY_NAMES}


def is_key_name(name: object) -> bool:
    """Return True if *name* is a known key name (any letter case)."""
    return isinstance(name, str) and name.strip().casefold() in _CANONICAL


def normalise_key_name(name: str) -> str:
    """Return the canonical spelling of key *name*.

    Raises:
        SwitchError: if *name* is not a string or not a known key name.
    """
    if not isinstance(name, str):
        raise SwitchError(f"a switch key name must be text, not {type(name).__name__}")
    try:
        return _CANONICAL[name.strip().casefold()]
    except KeyError:
        raise SwitchError(f"unknown switch key {name!r}") from None


@dataclass(frozen=True)
class SwitchMap:
    """Which key names act as switch ONE and switch TWO.

    Names are normalised on construction.  ``switch2`` may be ``None`` (or
    ``""``) for members who use a single switch.  Both switches must differ.

    Raises:
        SwitchError: for unknown key names or when both switches are the same.
    """

    switch1: str
    switch2: str | None = None

    def __post_init__(self) -> None:
        one = normalise_key_name(self.switch1)
        two = None if self.switch2 in (None, "") else normalise_key_name(self.switch2)
        if one == two:
            raise SwitchError(f"switch 1 and switch 2 must be different keys (both are {one})")
        object.__setattr__(self, "switch1", one)
        object.__setattr__(self, "switch2", two)

    @classmethod
    def from_profile(cls, profile: AccessProfile) -> SwitchMap:
        """Build the map from a member's :class:`~app.access.profile.AccessProfile`."""
        return cls(profile.switch1, profile.switch2 or None)

    @property
    def has_two_switches(self) -> bool:
        """True when a second switch is configured."""
        return self.switch2 is not None

    def switch_for(self, name: str) -> Switch | None:
        """Return the switch bound to key *name*, or None (unknown names give None)."""
        if not is_key_name(name):
            return None
        canonical = normalise_key_name(name)
        if canonical == self.switch1:
            return Switch.ONE
        if canonical == self.switch2:
            return Switch.TWO
        return None

    def key_for(self, switch: Switch) -> str | None:
        """Return the key name bound to *switch* (None if switch TWO is unset)."""
        return self.switch1 if Switch(switch) is Switch.ONE else self.switch2


class PressState(enum.Enum):
    """Where a switch press is in its life."""

    PENDING = "pending"
    """Down, but not yet held for the acceptance time."""
    ACCEPTED = "accepted"
    """Counted: the press acts."""
    IGNORED = "ignored"
    """A repeat (or cancelled); its release is ignored too."""


@dataclass
class Press:
    """One press of a switch that is currently down."""

    switch: Switch
    start: float
    state: PressState


class PressFilter:
    """Tracks which switches are down and filters repeats and short presses.

    Pure bookkeeping driven by clock values passed in (seconds); the caller
    decides what an accepted press does.  Rules:

    * a press starting less than *ignore_repeat* after the start of the
      previous accepted press of the same switch is IGNORED, and so is its
      release;
    * a press is PENDING until it has been held *acceptance* seconds, then the
      caller accepts it with :meth:`accept` (see :meth:`due`);
    * a second "down" of a switch that is already down (key auto-repeat) is
      ignored.
    """

    def __init__(self) -> None:
        self._down: dict[Switch, Press] = {}
        self._last_accepted: dict[Switch, float] = {}

    def is_down(self, switch: Switch) -> bool:
        """True while *switch* is down."""
        return switch in self._down

    @property
    def has_pending(self) -> bool:
        """True while some press waits for its acceptance time."""
        return any(p.state is PressState.PENDING for p in self._down.values())

    def press(self, switch: Switch, now: float, ignore_repeat: float) -> Press | None:
        """Record *switch* going down; None if it was already down."""
        if switch in self._down:
            return None
        last = self._last_accepted.get(switch)
        repeat = last is not None and now - last < ignore_repeat
        press = Press(switch, now, PressState.IGNORED if repeat else PressState.PENDING)
        self._down[switch] = press
        return press

    def accept(self, press: Press) -> None:
        """Mark *press* accepted (it starts the ignore-repeat window)."""
        press.state = PressState.ACCEPTED
        self._last_accepted[press.switch] = press.start

    def due(self, now: float, acceptance: float) -> list[Press]:
        """Pending presses held for *acceptance* seconds by *now*, oldest first."""
        return sorted(
            (
                p
                for p in self._down.values()
                if p.state is PressState.PENDING and now >= p.start + acceptance
            ),
            key=lambda p: p.start,
        )

    def pending_deadline(self, acceptance: float) -> float | None:
        """When the oldest pending press will have been held long enough, or None."""
        times = [p.start + acceptance for p in self._down.values() if p.state is PressState.PENDING]
        return min(times, default=None)

    def release(self, switch: Switch) -> Press | None:
        """Record *switch* going up; returns its press (None if it was not down)."""
        return self._down.pop(switch, None)

    def forget_down(self) -> None:
        """Forget the switches that are down (their releases go elsewhere now); the times of
        accepted presses stay, so a repeat is still ignored."""
        self._down.clear()

    def cancel_all(self) -> None:
        """Ignore every press that is down (and its coming release)."""
        for press in self._down.values():
            press.state = PressState.IGNORED
