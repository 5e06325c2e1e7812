"""Plain values of the live meeting, for the screens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

ASK_LABELS = {"break": "I need a break", "again": "Please say that again", "speak": "I want to say something"}
STEP_LABELS = {"talk": "talk", "keywords": "keywords", "vote": "vote", "draft": "draft", "break": "break"}


@dataclass(frozen=True)
class StepInfo:
    """One agenda step and where it stands."""

    id: str
    meeting_id: str
    position: int
    kind: str
    title: str
    prompt_id: str | None
    dots: int
    several_on_one: bool
    think_first: bool
    opened_at: datetime | None
    revealed_at: datetime | None

    @property
    def hides(self) -> bool:
        """A think-first keyword step not yet revealed: others' keywords are kept back."""
        return self.kind == "keywords" and self.think_first and self.revealed_at is None


@dataclass(frozen=True)
class MeetingInfo:
    """A meeting, its agenda, and the step the group is on (None before the first move)."""

    id: str
    project_id: str
    title: str
    held_on: date
    starts_at: datetime | None
    ends_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    steps: tuple[StepInfo, ...]
    current: StepInfo | None

    @property
    def running(self) -> bool:
        """Started and not yet ended."""
        return self.started_at is not None and self.ended_at is None


@dataclass(frozen=True)
class AddedInfo:
    """A think-first keyword step: how many participants have added since the group got there."""

    added: int
    participants: int

    def text(self) -> str:
        """E.g. "3 of 5 have added" (shown and spoken on the member's screen)."""
        verb = "has" if self.added == 1 else "have"
        return f"{self.added} of {self.participants} {verb} added"


@dataclass(frozen=True)
class DotsInfo:
    """A member's dots in a vote step: how many, how many left, and on which keywords."""

    step_id: str
    dots: int
    left: int
    mine: dict[str, int]  # contribution id -> this member's dots on it


@dataclass(frozen=True)
class ResultRow:
    """One keyword's dots once revealed."""

    contribution_id: str
    text: str
    dots: int

    def bar(self, most: int, width: int = 20) -> str:
        """A simple bar picture of the count, as long as `width` for the keyword with `most`."""
        return "█" * (round(width * self.dots / most) if most else 0)

    def spoken(self) -> str:
        """E.g. "unheard: 7 dots"."""
        return f"{self.text}: {self.dots} {'dot' if self.dots == 1 else 'dots'}"


@dataclass(frozen=True)
class AskInfo:
    """A waiting (or answered) ask, oldest first."""

    id: str
    member_id: str
    member: str
    kind: str
    created_at: datetime
    answered_at: datetime | None

    @property
    def label(self) -> str:
        """What was asked, in the member's words."""
        return ASK_LABELS[self.kind]

    def spoken(self) -> str:
        """E.g. "Alex: I need a break"."""
        return f"{self.member}: {self.label}"


@dataclass(frozen=True)
class AttendanceInfo:
    """Who attended a meeting and their minutes in it."""

    member_id: str
    member: str
    minutes: int
    recorded: bool = False  # the minutes were typed, rather than the meeting's length
