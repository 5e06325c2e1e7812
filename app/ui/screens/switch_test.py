"""Full-screen switch test: shows each press and release with its length, and sets switches."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from app.access.profile import AccessProfile, ProfileError
from app.ui.context import UiContext
from app.ui.guard import guarded
from app.ui.screens.base import Screen
from app.ui.switch_input import InputRouter
from app.ui.widgets import action

LOG_LINES = 8
CAPTURE_SECONDS = 10


class SwitchTestScreen(Screen):
    """Every press shows here; "Set my switches" asks for each switch in turn."""

    key = "switch-test"

    def __init__(
        self, ctx: UiContext, router: InputRouter, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(ctx, "Switch test")
        self.router = router
        self.clock = clock
        profile = ctx.state.profile
        self.instruction = QLabel(
            f"Press any switch to test it. Switch 1 is {profile.switch1}; "
            f"switch 2 is {profile.switch2}."
        )
        self.instruction.setObjectName("title")
        self.instruction.setWordWrap(True)
        self.body.addWidget(self.instruction)
        self.log = QLabel("")
        self.log.setWordWrap(True)
        self.log.setAccessibleName("Switch presses")
        self.body.addWidget(self.log, 1)
        self.lines: list[str] = []
        self._pressed_at: dict[str, float] = {}
        self._timeout = QTimer(self)
        self._timeout.setSingleShot(True)
        self._timeout.timeout.connect(guarded(self, self._capture_timed_out, timer=True))
        self._step = ""
        self.set_actions([
            action("Set my switches", self.start_setting),
            action("Back", ctx.nav.back),
        ], first=True)
        router.raw_listener = self._raw
        router.heard_listener = self._heard

    def closeEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        """Stop listening when the screen goes."""
        self.detach()

    def detach(self) -> None:
        """Stop receiving raw presses and cancel any capture."""
        if self.router.raw_listener == self._raw:
            self.router.raw_listener = None
        if self.router.heard_listener == self._heard:
            self.router.heard_listener = None
        self.router.capture = None
        self._timeout.stop()

    def _raw(self, name: str, pressed: bool) -> None:
        now = self.clock()
        if pressed:
            self._pressed_at[name] = now
            line = f"{name} pressed"
        else:
            start = self._pressed_at.pop(name, None)
            held = f" after {now - start:.2f} s" if start is not None else ""
            line = f"{name} released{held}"
        self._log(line)

    def _heard(self, text: str) -> None:
        """Voice: what the recogniser heard."""
        self._log(f"Voice heard: {text}")

    def _log(self, line: str) -> None:
        self.lines = [*self.lines, line][-LOG_LINES:]
        self.log.setText("\n".join(reversed(self.lines)))

    def start_setting(self) -> None:
        """Ask for the select switch, then the move switch."""
        self._step = "select"
        self._ask("Press your select switch now.")

    def _ask(self, text: str) -> None:
        self.instruction.setText(text)
        self.ctx.announce(text)
        self.router.capture = self._captured
        self._timeout.start(CAPTURE_SECONDS * 1000)

    def _captured(self, name: str) -> None:
        self._timeout.stop()
        if self._step == "select":
            self._first = name
            self._step = "move"
            self._ask(
                f"Select switch: {name}. Now press your second switch (move), "
                f"or wait {CAPTURE_SECONDS} seconds to use one switch."
            )
            return
        if name == self._first:
            self._ask(f"{name} is already your select switch. Press a different switch.")
            return
        self._save(self._first, name)

    def _capture_timed_out(self) -> None:
        self.router.capture = None
        if self._step == "move":
            self._save(self._first, self.ctx.state.profile.switch2, one_switch=True)
        else:
            self.instruction.setText("No press came. Choose “Set my switches” to try again.")
        self._step = ""

    def _save(self, select: str, move: str, one_switch: bool = False) -> None:
        self._step = ""
        state = self.ctx.state
        profile = state.profile
        data = profile.to_dict()
        # In step-scan switch 1 moves and switch 2 selects; otherwise switch 1 selects.
        if profile.scan_mode == "step" and not one_switch:
            data.update(switch1=move, switch2=select)
        else:
            data.update(switch1=select, switch2=move if move != select else profile.switch2)
        try:
            new = AccessProfile.from_dict(data)
        except ProfileError as exc:
            self.ctx.announce(str(exc))
            return
        if state.member is not None:
            outcome = self.ctx.services.projects.save_profile(state.member.id, new.to_dict())
            if outcome.undo_token:
                state.undo_tokens.append(outcome.undo_token)
        self.ctx.nav.apply_profile(new)
        text = f"Saved. Switch 1 is {new.switch1}; switch 2 is {new.switch2}."
        self.instruction.setText(text)
        self.ctx.announce(text)
