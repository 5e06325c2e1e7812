"""The member's own access settings: fully scannable, applied at once and remembered.

Settings come in sections ("Scanning", "Size and colours", …): the first page lists them as
tiles, and each opens as a screen of its own whose rows fit the window at every Size, turning
pages instead of scrolling (app/ui/settings_fit.py). Back returns to the list.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QLabel

from app.access.profile import AccessProfile, ProfileError
from app.speech.speaker import SpeechKind
from app.ui.context import UiContext
from app.ui.fit_rows import FitRow
from app.ui.screens.base import Screen
from app.ui.settings_fit import PageFit
from app.ui.widgets import ScanGroup, Tile, action


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
    Choice("voice_letter_names", "Letters on the keyboard",
           ((False, "By code word:\nalpha, bravo"), (True, "Also by name:\nay, bee"))),
    Number("voice_level", "Sound level for a press", 3.0, "dB"),
    Number("voice_long", "Long sound (switch 2)", 0.1, "seconds"),
    Choice("confirmations", "Ask “Are you sure?” before",
           (("all", "Anything that\ncannot be undone"), ("quitting", "Only quitting"))),
    Number("confirm_timeout", "A question answers No by itself after", 1, "seconds"),
)


@dataclass(frozen=True)
class Section:
    """A named part of Settings: one step of the list, a screen of its own."""

    key: str
    title: str
    fields: tuple[str, ...]


SECTIONS = (
    Section("scanning", "Scanning", ("scan_mode", "layout", "restart_after_select", "wait_for_cue",
                                     "adaptive_keyboard")),
    Section("timing", "Scan timing", ("step_time", "first_item_extra", "pause_after_select",
                                      "loops_before_rest")),
    Section("switches", "Switches", ("acceptance_time", "ignore_repeat")),
    Section("pointing", "Pointing", ("dwell_time", "point_then_switch", "magnetic_targets",
                                     "snap_distance", "hide_pointer")),
    Section("size", "Size and colours", ("theme", "size_percent", "highlight_colour",
                                         "highlight_thickness")),
    Section("speech", "Speech", ("speech_on", "main_voice", "main_rate", "main_volume", "cue_voice",
                                 "cue_rate", "cue_volume")),
    Section("voice", "Voice control", ("voice_on", "voice_mode", "voice_confirm",
                                       "voice_letter_names", "voice_level", "voice_long")),
    Section("asking", "Asking first", ("confirmations", "confirm_timeout")),
)
BY_FIELD = {s.field: s for s in SETTINGS}
SAMPLE = "This is how I sound."


@dataclass
class SettingsPlace:
    """Where the member is in a section: the row to keep in view when the screen is built
    again (a change applied, undone, or made on another computer)."""

    anchor: int = 0


def value_text(setting: Number, value: float) -> str:
    """A number as it is shown and spoken."""
    shown = f"{value:.2f}".rstrip("0") if isinstance(value, float) else str(value)
    shown = shown + "0" if shown.endswith(".") else shown
    return f"{shown} {setting.unit}"


class SettingsScreen(Screen):
    """The list of sections, or one section: a scan group per setting, its items the choices
    (or Less and More); nothing scrolls, the rows are shared out over pages."""

    key = "settings"

    def __init__(self, ctx: UiContext, section: str = "", place: SettingsPlace | None = None) -> None:
        self.section = next((s for s in SECTIONS if s.key == section), None)
        title = "My settings" if self.section is None else f"My settings: {self.section.title}"
        super().__init__(ctx, title)
        self.place = place or SettingsPlace()
        self.fit = PageFit(self.heading, lambda: ctx.state.profile.size_percent,
                           lambda: ctx.state.profile.scan_settings().mode != "off")
        self._outer.removeWidget(self.heading)
        self._outer.removeWidget(self.scroll)
        self.scroll.hide()
        self.scroll.deleteLater()  # (the body that scrolls on other screens; here pages turn)
        self._outer.insertWidget(0, self.fit, 1)
        self.body = self.fit  # type: ignore[assignment]  # (where the pages are, as on other screens)
        self._rows: dict[int, ScanGroup] = {}
        self.set_actions([action("Back", ctx.nav.back), self.undo_tile()], first=True)
        while self.bar_holder.count():  # the action bar (and any asks) are placed by the fit
            widget = self.bar_holder.takeAt(0).widget()
            if widget is not None:
                self.fit.add_bottom(widget)
        if self.section is None:
            self._add_list()
        else:
            self._add_section(self.section)
        self.fit.anchor = self.place.anchor
        self.fit.on_groups = self._groups_changed
        self.fit.on_turn = self._turned

    def scan_groups(self) -> list[ScanGroup]:
        """The action bar, the rows of the page on show, then the page tile (when paged)."""
        rows = [self._rows[id(row)] for row in self.fit.rows_on_show()]
        pages = [self.fit.pager_group] if self.fit.pages > 1 else []
        return [*self.groups, *rows, *pages]

    def _add_list(self) -> None:
        tiles = [Tile(s.title, self._opener(s.key)) for s in SECTIONS]
        tiles.append(Tile("My phrases", self.ctx.nav.show_phrases))
        per_row = 3 if self.ctx.state.profile.size_percent <= 150 else 2
        many = len(tiles) > per_row
        for start in range(0, len(tiles), per_row):
            index = start // per_row + 1
            name = f"Sections, row {index}" if many else "Sections"
            self._add_block(f"sections{index}", name, None, tiles[start:start + per_row])

    def _opener(self, key: str) -> Callable[[], None]:
        return lambda: self.ctx.nav.show_settings(key)

    def _add_section(self, section: Section) -> None:
        ctx, profile = self.ctx, self.ctx.state.profile
        if section.key == "switches":
            caption = f"Switch 1: {profile.switch1}. Switch 2: {profile.switch2 or 'none'}."
            self._add_block("switch-test", caption, caption,
                            [Tile("Switch test and set switches", ctx.nav.show_switch_test)])
        if section.key == "speech" and not ctx.speaker.available:
            self.fit.add_block(self._note(ctx.speaker.reason))
        for field in section.fields:
            self._add_row(BY_FIELD[field], profile)
            if field == "voice_on" and ctx.voice is not None:
                for widget in ctx.voice.settings_rows(self):
                    self.fit.add_block(widget)

    @staticmethod
    def _note(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("muted")
        label.setWordWrap(True)
        label.setAccessibleName(text)
        return label

    def _add_block(self, key: str, label: str, caption: str | None, tiles: list[Tile]) -> None:
        row = FitRow(label, caption, tiles)
        self._rows[id(row)] = ScanGroup(key, label, row, tiles)
        self.fit.add_block(row)

    def _groups_changed(self) -> None:
        if getattr(self.window(), "current", None) is self:  # (not while it is being put on show)
            self.ctx.nav.rescan()

    def _turned(self, page: int, pages: int) -> None:
        self.place.anchor = self.fit.anchor
        self.ctx.speak(f"Page {page + 1} of {pages}")

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
        self._add_block(f"setting-{setting.field}", label, label, tiles)

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
        self.place.anchor = next((i for i, block in enumerate(self.fit.blocks)
                                  if self._rows.get(id(block)) is not None
                                  and self._rows[id(block)].key == f"setting-{field}"), 0)
        if dataclasses.asdict(profile) == dataclasses.asdict(state.profile):
            message = f"{message}. That is the limit."
        self.ctx.nav.apply_profile(profile)
        self.ctx.announce(message)
        self.ctx.nav.refresh()
