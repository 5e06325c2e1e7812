"""The member's own access settings: fully scannable, applied at once and remembered."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from app.access.profile import AccessProfile, ProfileError
from app.speech.speaker import SpeechKind
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.widgets import Tile, action


@dataclass(frozen=True)
class Choice:
    """A setting chosen from a few named values."""

    field: str
    label: str
    options: tuple[tuple[object, str], ...]


@dataclass(frozen=True)
class Number:
    """A setting moved up and down in steps."""

    field: str
    label: str
    step: float
    unit: str


@dataclass(frozen=True)
class VoicePick:
    """A voice chosen by stepping through the engine's voices, with a sample."""

    field: str
    label: str
    kind: SpeechKind


COLOURS = (
    ("", "Theme's own"), ("#FFD700", "Gold"), ("#C2185B", "Magenta"), ("#00E5FF", "Cyan"),
    ("#00C853", "Green"), ("#FFFFFF", "White"),
)
SETTINGS: tuple[Choice | Number | VoicePick, ...] = (
    Choice("scan_mode", "Scan mode", (
        ("off", "Keys, mouse"), ("auto", "Auto-scan\n1 switch"),
        ("step", "Step-scan\n2 switches"), ("hold", "Hold to scan\n1 switch"),
        ("dwell", "Point and dwell\neyes, head"),
    )),
    Number("step_time", "Step time", 0.1, "seconds"),
    Number("first_item_extra", "Extra time on first item", 0.1, "seconds"),
    Number("acceptance_time", "Hold switch for", 0.1, "seconds"),
    Number("ignore_repeat", "Ignore repeated presses within", 0.05, "seconds"),
    Number("pause_after_select", "Pause after a choice", 0.1, "seconds"),
    Number("loops_before_rest", "Loops before the scan rests", 1, "loops"),
    Choice("restart_after_select", "After a choice", (("top", "Start from top"), ("stay", "Stay"))),
    Choice("layout", "Scan order", (("row-column", "Rows then items"), ("linear", "One by one"))),
    Choice("wait_for_cue", "Finish the cue before moving on", ((False, "No"), (True, "Yes"))),
    Choice("adaptive_keyboard", "Keyboard scanning",
           ((False, "Rows then keys"), (True, "Adaptive: likely keys first"))),
    Number("dwell_time", "Dwell time", 0.1, "seconds"),
    Choice("point_then_switch", "Pointing chooses by",
           ((False, "Dwelling"), (True, "Point, then press switch 1"))),
    Choice("magnetic_targets", "Magnetic targets", ((True, "On"), (False, "Off"))),
    Number("snap_distance", "Snapping distance", 5, "pixels"),
    Choice("hide_pointer", "Pointer while pointing", ((False, "Shown"), (True, "Hidden"))),
    Choice("theme", "Theme", (("high-contrast", "High contrast"), ("light", "Light"), ("dark", "Dark"))),
    Number("size_percent", "Size", 25, "percent"),
    Choice("highlight_colour", "Highlight colour", tuple(COLOURS)),
    Number("highlight_thickness", "Highlight thickness", 2, "pixels"),
    Choice("speech_on", "Speech", ((True, "On"), (False, "Off"))),
    VoicePick("main_voice", "Main voice", SpeechKind.SPEECH),
    Number("main_rate", "Main voice speed", 20, "words a minute"),
    Number("main_volume", "Main voice volume", 0.1, "of full"),
    VoicePick("cue_voice", "Cue voice", SpeechKind.CUE),
    Number("cue_rate", "Cue voice speed", 20, "words a minute"),
    Number("cue_volume", "Cue voice volume", 0.1, "of full"),
    Choice("voice_on", "Voice control", ((False, "Off"), (True, "On"))),
    Choice("voice_mode", "Voice is",
           (("words", "Saying what I see"), ("sound", "Any sound:\na switch press"))),
    Choice("voice_confirm", "Before a spoken choice",
           ((False, "Choose at once"), (True, "Wait for\n“choose”"))),
    Number("voice_level", "Sound level for a press", 3.0, "dB"),
    Number("voice_long", "Long sound (switch 2)", 0.1, "seconds"),
    Choice("confirmations", "Ask “Are you sure?” before",
           (("all", "Anything that\ncannot be undone"), ("quitting", "Only quitting"))),
    Number("confirm_timeout", "A question answers No by itself after", 1, "seconds"),
)
SAMPLE = "This is how I sound."


def value_text(setting: Number, value: float) -> str:
    """A number as it is shown and spoken."""
    shown = f"{value:.2f}".rstrip("0") if isinstance(value, float) else str(value)
    shown = shown + "0" if shown.endswith(".") else shown
    return f"{shown} {setting.unit}"


class SettingsScreen(Screen):
    """One scan group per setting; its items are the choices, or Less and More."""

    key = "settings"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx, "My settings")
        self.set_actions([action("Back", ctx.nav.back), self.undo_tile(),
                          action("Switch test and set switches", ctx.nav.show_switch_test),
                          action("My phrases", ctx.nav.show_phrases)],
                         first=True)
        profile = ctx.state.profile
        self.add_text(
            f"Switch 1: {profile.switch1}. Switch 2: {profile.switch2}. "
            "Change them in the switch test.", muted=True,
        )
        if not ctx.speaker.available:
            self.add_text(ctx.speaker.reason, muted=True)
        for setting in SETTINGS:
            self._add_row(setting, profile)
            if setting.field == "voice_on" and ctx.voice is not None:
                for widget in ctx.voice.settings_rows(self):
                    self.body.addWidget(widget)
        self.body.addStretch(1)

    def _add_row(self, setting: Choice | Number | VoicePick, profile: AccessProfile) -> None:
        current = getattr(profile, setting.field)
        if isinstance(setting, VoicePick):
            label = f"{setting.label}: {self._voice_name(current)}"
            tiles = [
                Tile("◀  Previous", self._step_voice(setting, -1), speech=f"{setting.label} previous"),
                Tile("Next  ▶", self._step_voice(setting, +1), speech=f"{setting.label} next"),
                Tile("Hear it", self._sample(setting), speech=f"Hear the {setting.label.lower()}"),
            ]
        elif isinstance(setting, Number):
            label = f"{setting.label}: {value_text(setting, current)}"
            tiles = [
                Tile("−  Less", self._nudge(setting, -1), speech=f"{setting.label} less"),
                Tile("+  More", self._nudge(setting, +1), speech=f"{setting.label} more"),
            ]
        else:
            named = dict(setting.options)
            label = f"{setting.label}: {named.get(current, current)}"
            tiles = []
            for value, name in setting.options:
                tile = Tile(name, self._chooser(setting, value))
                tile.mark_chosen(name, value == current, f"{setting.label}: ")
                tiles.append(tile)
        self.add_row(f"setting-{setting.field}", label, tiles, caption=label)

    def _nudge(self, setting: Number, direction: int) -> Callable[[], None]:
        def nudge() -> None:
            current = getattr(self.ctx.state.profile, setting.field)
            value = current + direction * setting.step
            value = round(value, 2) if isinstance(current, float) else int(value)
            self._apply(setting.field, value, f"{setting.label}: {value_text(setting, value)}")

        return nudge

    def _voice_ids(self) -> list[str]:
        return ["", *(v.id for v in self.ctx.speaker.voices())]

    def _voice_name(self, voice_id: str) -> str:
        names = {v.id: v.name for v in self.ctx.speaker.voices()}
        return names.get(voice_id, "standard") if voice_id else "standard"

    def _step_voice(self, setting: VoicePick, direction: int) -> Callable[[], None]:
        def step() -> None:
            ids = self._voice_ids()
            current = getattr(self.ctx.state.profile, setting.field)
            index = ids.index(current) if current in ids else 0
            voice = ids[(index + direction) % len(ids)]
            self._apply(setting.field, voice, f"{setting.label}: {self._voice_name(voice)}")

        return step

    def _sample(self, setting: VoicePick) -> Callable[[], None]:
        def sample() -> None:
            self.ctx.speaker.say(SAMPLE, setting.kind, interrupt=True)

        return sample

    def _chooser(self, setting: Choice, value: object) -> Callable[[], None]:
        name = " ".join(dict(setting.options)[value].split())
        return lambda: self._apply(setting.field, value, f"{setting.label}: {name}")

    def _apply(self, field: str, value: object, message: str) -> None:
        state = self.ctx.state
        try:
            profile = AccessProfile.from_dict({**state.profile.to_dict(), field: value})
        except ProfileError as exc:
            self.ctx.announce(str(exc))
            return
        if state.member is not None:
            outcome = self.ctx.services.projects.save_profile(state.member.id, profile.to_dict())
            if outcome.undo_token:
                state.undo_tokens.append(outcome.undo_token)
        if dataclasses.asdict(profile) == dataclasses.asdict(state.profile):
            message = f"{message}. That is the limit."
        self.ctx.nav.apply_profile(profile)
        self.ctx.announce(message)
        self.ctx.nav.refresh()
