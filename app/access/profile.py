"""A member's access profile: how they scan, see and hear the Canvas.

:class:`AccessProfile` is a frozen dataclass; change it with
:func:`dataclasses.replace`.  Every construction (including ``replace``)
validates the values:

* a value of the wrong type (text where a number is expected, a number where a
  yes/no is expected, an unknown choice, a bad colour or key name) raises
  :class:`ProfileError`, whose message names the setting;
* a number outside its range is *clamped* into the range (a profile saved by an
  older version with wider ranges still loads);
* integer settings accept a float and round it.

:meth:`AccessProfile.to_dict` gives a JSON-able dict and
:meth:`AccessProfile.from_dict` reads one back, using defaults for missing keys
and ignoring unknown keys.

:class:`ScanSettings` is the small part of a profile that the scanner engine
needs (see :mod:`app.access.scanner`); get it with
:meth:`AccessProfile.scan_settings`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import Field, asdict, dataclass, field, fields
from typing import Any

from app.access.switches import SwitchError, normalise_key_name

__all__ = [
    "CONFIRMATIONS",
    "KEYBOARD_LAYOUTS",
    "SCANNER_MODES",
    "RESTART_CHOICES",
    "SCAN_LAYOUTS",
    "SCAN_MODES",
    "THEMES",
    "VOICE_MODES",
    "AccessProfile",
    "DwellSettings",
    "ProfileError",
    "ScanSettings",
]

SCANNER_MODES: tuple[str, ...] = ("auto", "step", "hold", "off")
"""auto = one switch, highlight moves by itself; step = two switches (move, select);
hold = one switch, hold to move and release to select; off = keyboard/mouse only."""
SCAN_MODES: tuple[str, ...] = (*SCANNER_MODES, "dwell")
"""The scanner's modes, and dwell = point and dwell (an eye-gaze or head pointer chooses
what it rests on; the scanner is off)."""
SCAN_LAYOUTS: tuple[str, ...] = ("row-column", "linear")
RESTART_CHOICES: tuple[str, ...] = ("top", "stay")
THEMES: tuple[str, ...] = ("high-contrast", "light", "dark")
KEYBOARD_LAYOUTS: tuple[str, ...] = ("frequency", "alphabetical", "qwerty")
CONFIRMATIONS: tuple[str, ...] = ("all", "quitting")
"""Which actions ask "Are you sure?" first: everything that cannot be undone, or only Quit.
There is no "none": quitting always asks (a stray press must never end a session)."""
VOICE_MODES: tuple[str, ...] = ("words", "sound")
"""words = say a label or a command; sound = any sound above voice_level is a switch press."""

_COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")


class ProfileError(ValueError):
    """A profile value has the wrong type or is not one of the allowed choices."""


def _setting(
    default: Any,
    *,
    bounds: tuple[float, float] | None = None,
    choices: tuple[str, ...] | None = None,
    kind: str | None = None,
) -> Any:
    """Declare a dataclass field together with its validation rule."""
    meta = {"bounds": bounds, "choices": choices, "kind": kind}
    return field(default=default, metadata=meta)


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProfileError(f"{name} must be a number, not {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise ProfileError(f"{name} must be a finite number, not {value!r}")
    return float(value)


def _check_field(f: Field[Any], value: object) -> object:
    """Return the validated (and possibly clamped) value for field *f*."""
    name = f.name
    kind = f.metadata.get("kind") or f.type
    bounds = f.metadata.get("bounds")
    choices = f.metadata.get("choices")
    if kind == "bool":
        if not isinstance(value, bool):
            raise ProfileError(f"{name} must be true or false, not {value!r}")
        return value
    if kind in ("float", "int"):
        number = _number(name, value)
        if bounds is not None:
            number = min(max(number, bounds[0]), bounds[1])
        return int(round(number)) if kind == "int" else number
    if not isinstance(value, str):
        raise ProfileError(f"{name} must be text, not {type(value).__name__} {value!r}")
    if choices is not None and value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ProfileError(f"{name} must be one of {allowed}, not {value!r}")
    if kind == "colour":
        if value == "":
            return value  # "" means the theme's own highlight colour
        if not _COLOUR_RE.match(value):
            raise ProfileError(f"{name} must be a colour like '#FFD700', not {value!r}")
        return value.upper()
    if kind in ("key", "key-optional"):
        if kind == "key-optional" and value == "":
            return value
        try:
            return normalise_key_name(value)
        except SwitchError as exc:
            raise ProfileError(f"{name}: {exc}") from None
    return value


def _validate(obj: object) -> None:
    """Validate and normalise every field of a frozen dataclass in place."""
    for f in fields(obj):  # type: ignore[arg-type]
        object.__setattr__(obj, f.name, _check_field(f, getattr(obj, f.name)))


def _from_mapping(cls: type[Any], data: object) -> Any:
    if not isinstance(data, Mapping):
        raise ProfileError(f"expected a mapping of settings, not {type(data).__name__}")
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class ScanSettings:
    """Timings and behaviour of the scanner engine (all times in seconds).

    Derived from a profile by :meth:`AccessProfile.scan_settings`.  Values are
    validated and clamped exactly like the profile's.  Unlike the profile, the
    default ``mode`` is ``"auto"``, because a ScanSettings is only useful to a
    running scanner.
    """

    mode: str = _setting("auto", choices=SCANNER_MODES)
    layout: str = _setting("row-column", choices=SCAN_LAYOUTS)
    step_time: float = _setting(1.0, bounds=(0.3, 5.0))
    first_item_extra: float = _setting(0.7, bounds=(0.0, 5.0))
    acceptance_time: float = _setting(0.0, bounds=(0.0, 2.0))
    ignore_repeat: float = _setting(0.1, bounds=(0.0, 1.0))
    pause_after_select: float = _setting(0.5, bounds=(0.0, 5.0))
    loops_before_rest: int = _setting(2, bounds=(1, 10))
    restart_after_select: str = _setting("top", choices=RESTART_CHOICES)
    wait_for_cue: bool = False

    def __post_init__(self) -> None:
        _validate(self)

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as a JSON-able dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScanSettings:
        """Build settings from a dict (missing keys -> defaults, unknown keys ignored)."""
        return _from_mapping(cls, data)


@dataclass(frozen=True)
class AccessProfile:
    """One member's way in to the Canvas: scanning, switches, display and speech.

    Ranges (values outside are clamped): step_time 0.3-5 s, first_item_extra
    0-5 s, acceptance_time 0-2 s, ignore_repeat 0-1 s, pause_after_select
    0-5 s, loops_before_rest 1-10, highlight_thickness 6-24 px, size_percent
    100-300, cue_rate and main_rate 80-450 words per minute, cue_volume and
    main_volume 0-1, predictions 0-6, voice_level -60 to -6 dB below full scale (a sound
    louder than this is a press in the "sound" voice mode), voice_long 0.3-3 s (a sound this
    long is switch 2 when scanning with two switches), confirm_timeout 3-60 s (how long a
    question waits before it answers "No" by itself).

    ``switch2`` may be ``""`` (single-switch member) unless ``scan_mode`` is
    ``"step"``, which needs two switches; the two switches must differ.
    ``cue_voice``/``main_voice`` are speech-engine voice ids, ``""`` = default.
    """

    scan_mode: str = _setting("off", choices=SCAN_MODES)
    layout: str = _setting("row-column", choices=SCAN_LAYOUTS)
    step_time: float = _setting(1.0, bounds=(0.3, 5.0))
    first_item_extra: float = _setting(0.7, bounds=(0.0, 5.0))
    acceptance_time: float = _setting(0.0, bounds=(0.0, 2.0))
    ignore_repeat: float = _setting(0.1, bounds=(0.0, 1.0))
    pause_after_select: float = _setting(0.5, bounds=(0.0, 5.0))
    loops_before_rest: int = _setting(2, bounds=(1, 10))
    restart_after_select: str = _setting("top", choices=RESTART_CHOICES)
    wait_for_cue: bool = False
    adaptive_keyboard: bool = False
    switch1: str = _setting("Space", kind="key")
    switch2: str = _setting("Return", kind="key-optional")
    highlight_colour: str = _setting("", kind="colour")
    highlight_thickness: int = _setting(8, bounds=(6, 24))
    theme: str = _setting("high-contrast", choices=THEMES)
    size_percent: int = _setting(100, bounds=(100, 300))
    speech_on: bool = True
    cue_voice: str = ""
    cue_rate: int = _setting(220, bounds=(80, 450))
    cue_volume: float = _setting(0.8, bounds=(0.0, 1.0))
    main_voice: str = ""
    main_rate: int = _setting(170, bounds=(80, 450))
    main_volume: float = _setting(1.0, bounds=(0.0, 1.0))
    predictions: int = _setting(5, bounds=(0, 6))
    keyboard_layout: str = _setting("frequency", choices=KEYBOARD_LAYOUTS)
    dwell_time: float = _setting(1.0, bounds=(0.5, 3.0))
    point_then_switch: bool = False
    magnetic_targets: bool = True
    snap_distance: int = _setting(30, bounds=(0, 80))
    hide_pointer: bool = False
    voice_on: bool = False
    voice_mode: str = _setting("words", choices=VOICE_MODES)
    voice_confirm: bool = False
    voice_letter_names: bool = False  # keyboard letters also by name ("bee"); off: measured worse
    voice_level: float = _setting(-30.0, bounds=(-60.0, -6.0))
    voice_long: float = _setting(0.6, bounds=(0.3, 3.0))
    confirmations: str = _setting("all", choices=CONFIRMATIONS)
    confirm_timeout: int = _setting(10, bounds=(3, 60))

    def asks_first(self, action: str) -> bool:
        """Whether `action` (an action of app.ui.screens.confirm's table) asks first: Quit
        always does; the others unless the member chose "only for quitting"."""
        return action == "quit" or self.confirmations == "all"

    def __post_init__(self) -> None:
        _validate(self)
        if self.switch1 == self.switch2:
            raise ProfileError(
                f"switch1 and switch2 must be different keys (both are {self.switch1})"
            )
        if self.scan_mode == "step" and not self.switch2:
            raise ProfileError("step scanning needs two switches: set switch2")

    def to_dict(self) -> dict[str, Any]:
        """Return the profile as a JSON-able dict (plain str/int/float/bool values)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccessProfile:
        """Build a profile from a dict.

        Missing keys take their defaults, unknown keys are ignored, numbers
        are clamped into range.

        Raises:
            ProfileError: if *data* is not a mapping or a value has the wrong
                type or is not an allowed choice.
        """
        return _from_mapping(cls, data)

    @classmethod
    def stored(cls, data: Mapping[str, Any]) -> AccessProfile:
        """A member's saved profile, or the defaults if it cannot be read (a switch user must
        always get a working screen, even from a damaged record)."""
        try:
            return cls.from_dict(data)
        except ProfileError:
            return cls()

    def scan_settings(self) -> ScanSettings:
        """Return the settings the scanner engine needs (off while pointing and dwelling)."""
        return ScanSettings(
            mode="off" if self.scan_mode == "dwell" else self.scan_mode,
            layout=self.layout,
            step_time=self.step_time,
            first_item_extra=self.first_item_extra,
            acceptance_time=self.acceptance_time,
            ignore_repeat=self.ignore_repeat,
            pause_after_select=self.pause_after_select,
            loops_before_rest=self.loops_before_rest,
            restart_after_select=self.restart_after_select,
            wait_for_cue=self.wait_for_cue,
        )

    def dwell_settings(self) -> DwellSettings:
        """Return the settings the dwell engine needs (:mod:`app.access.dwell`)."""
        return DwellSettings(
            dwell_time=self.dwell_time,
            pause_after_choice=self.pause_after_select,
            point_then_switch=self.point_then_switch,
            magnetic=self.magnetic_targets,
            snap_distance=self.snap_distance,
            ignore_repeat=self.ignore_repeat,
            acceptance_time=self.acceptance_time,
        )


@dataclass(frozen=True)
class DwellSettings:
    """Timings and behaviour of pointing and dwelling (times in seconds, distances in px).

    ``dwell_time``: how long the pointer rests on a target to choose it.
    ``pause_after_choice``: no new dwell starts sooner after a choice (the member's "pause
    after a choice", shared with scanning). ``point_then_switch``: dwelling never chooses;
    switch 1 chooses what the pointer is on. ``magnetic``: between targets, the clearly
    nearest one within ``snap_distance`` takes the dwell. ``edge_tolerance``: a dwell goes
    on while the pointer strays this far outside its target. ``ignore_repeat`` and
    ``acceptance_time`` filter switch presses as in scanning.
    """

    dwell_time: float = _setting(1.0, bounds=(0.5, 3.0))
    pause_after_choice: float = _setting(0.5, bounds=(0.0, 5.0))
    point_then_switch: bool = False
    magnetic: bool = True
    snap_distance: float = _setting(30.0, bounds=(0.0, 80.0))
    edge_tolerance: float = _setting(6.0, bounds=(0.0, 40.0))
    ignore_repeat: float = _setting(0.1, bounds=(0.0, 1.0))
    acceptance_time: float = _setting(0.0, bounds=(0.0, 2.0))

    def __post_init__(self) -> None:
        _validate(self)
