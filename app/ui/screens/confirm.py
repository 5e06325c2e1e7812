"""'Are you sure?': the screen of its own that stands before anything that ends or destroys.

"No" comes first and is highlighted first, the question is spoken, and with no answer the
screen answers "No" by itself after the member's time-out (their profile's
``confirm_timeout``, on the window's clock so that tests need no sleeps). Which actions ask is
the table below; the member's ``confirmations`` setting turns all but Quit off.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from app.ui.context import UiContext
from app.ui.scan import SchedulingClock
from app.ui.screens.base import Screen
from app.ui.widgets import Tile


@dataclass(frozen=True)
class Question:
    """One question: the action it guards (for the member's setting), what is asked, what
    happens, and the "Yes" tile's words."""

    action: str
    title: str
    detail: str
    yes: str
    no: str = "No, go back"


# What asks first, and how it is put. `{}` fields are filled by :func:`question`.
QUESTIONS: dict[str, Question] = {
    "quit": Question("quit", "Quit Co-production Canvas?",
                     "The window closes. Someone will have to start it again.", "Yes, quit"),
    "lock": Question("lock", "Lock facilitator mode and leave?",
                     "The passphrase is needed to come back in.", "Yes, lock and leave"),
    "withdraw": Question("withdraw", "Withdraw {name} and {verb} their words?",
                         "This cannot be undone.", "Yes, withdraw"),
    "revoke": Question("revoke", "Revoke {label}?",
                       "Bundles from that computer are refused from now on. This cannot be undone: "
                       "to use it again, invite it again.", "Yes, revoke it"),
    "delete-phrase": Question("delete-phrase", "Delete the phrase “{phrase}”?",
                              "It cannot be brought back.", "Yes, delete it"),
    "remove-step": Question("remove-step", "Remove “{title}” from the agenda?",
                            "The step goes; it can be added again.", "Yes, remove it"),
    "end-meeting": Question("end-meeting", "End “{title}”?",
                            "The group leaves the meeting: nothing added from now on is stamped "
                            "with it, and it cannot be started again.", "Yes, end it"),
    "clear": Question("clear", "Clear all the text?",
                      "Everything written here goes.", "Yes, clear it"),
    "leave-write": Question("leave-write", "Leave the writing?",
                            "Your text is kept for later. It will be here when you come back.",
                            "Yes, leave"),
    "leave-write-unkept": Question("leave-write", "Leave without saving?",
                                   "What you typed here is not kept.", "Yes, leave"),
}


def question(kind: str, **fields: str) -> Question:
    """The question for `kind` (a key of QUESTIONS), with its fields filled in."""
    base = QUESTIONS[kind]
    return Question(base.action, base.title.format(**fields), base.detail.format(**fields),
                    base.yes, base.no)


class ConfirmScreen(Screen):
    """"No, go back" and "Yes, …" in one row, "No" first; no answer in time means No."""

    key = "confirm"
    refresh_on_change = False  # a question is never rebuilt under the member

    def __init__(self, ctx: UiContext, asked: Question, answer: Callable[[bool, bool], None],
                 clock: SchedulingClock, timeout_s: float) -> None:
        """`answer(yes, timed_out)` is called once, when a tile is chosen or time runs out."""
        super().__init__(ctx, asked.title)
        self.asked = asked
        self._answer = answer
        self._clock = clock
        self._deadline = clock.now() + timeout_s
        self._done = False
        self.add_text(asked.detail)
        self.no_tile = Tile(asked.no, lambda: self._give(False), speech=asked.no, role="action")
        self.yes_tile = Tile(asked.yes, lambda: self._give(True), speech=asked.yes, role="action")
        self.add_row("confirm", "Answer", [self.no_tile, self.yes_tile])
        self.countdown = self.add_text("", muted=True)
        self.body.addStretch(1)
        self._tick()

    @property
    def first_key(self) -> str:
        """The scan key of "No": where the highlight starts."""
        return f"{self.groups[0].key}.0"

    def spoken_title(self) -> str:
        """The question, what it means, and both answers."""
        return f"{self.asked.title} {self.asked.detail} {self.asked.no}, or {self.asked.yes}."

    def seconds_left(self) -> int:
        """Whole seconds until the screen answers No by itself."""
        return max(0, math.ceil(self._deadline - self._clock.now() - 1e-9))

    def detach(self) -> None:
        """Stop the count-down (the window is putting the screen away)."""
        self._done = True
        self._clock.cancel()

    def _tick(self) -> None:
        if self._done:
            return
        left = self.seconds_left()
        if left <= 0:
            self._give(False, timed_out=True)
            return
        self.countdown.setText(f"If nothing is chosen, this goes back by itself in {left} "
                               f"second{'s' if left != 1 else ''}.")
        self._clock.call_at(self._deadline - (left - 1), self._tick)  # when the count changes

    def _give(self, yes: bool, timed_out: bool = False) -> None:
        if self._done:
            return
        self._done = True
        self._clock.cancel()
        self._answer(yes, timed_out)
