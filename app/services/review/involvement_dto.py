"""Plain values of the involvement record, and the words and numbers it is shown and typed in.

Time is whole minutes, money whole pence (pounds sterling), as stored. `parse_minutes` and
`parse_pence` read what a facilitator types ("1:30", "90", "1 h 30 min"; "£12.50", "12")
and refuse anything else, negative amounts included, with a message fit to show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from app.services.errors import DomainError
from app.store.models_involvement import MAX_MINUTES, MAX_PENCE


@dataclass(frozen=True)
class InvolvementLine:
    """One dated line of a member's record: a meeting they attended and/or what was added for it."""

    day: date
    entry_id: str | None = None  # the facilitator's entry (None: a meeting's attendance only)
    meeting_id: str | None = None
    meeting: str | None = None  # the meeting's title, when the line is for one
    meeting_minutes: int = 0
    preparation_minutes: int = 0
    expenses_pence: int = 0
    note: str = ""

    @property
    def label(self) -> str:
        """The line in words, e.g. "5 Nov 2026 · First meeting: 1 h 30 min in the meeting · £12.50"."""
        parts = []
        if self.meeting_minutes:
            parts.append(f"{hours_text(self.meeting_minutes)} in the meeting")
        if self.preparation_minutes:
            parts.append(f"{hours_text(self.preparation_minutes)} preparing")
        if self.expenses_pence:
            parts.append(f"expenses {money_text(self.expenses_pence)}")
        if self.note:
            parts.append(f"note: {self.note}")
        head = day_text(self.day) + (f" · {self.meeting}" if self.meeting else "")
        return f"{head}: {', '.join(parts) if parts else 'nothing recorded yet'}"


@dataclass(frozen=True)
class InvolvementRecord:
    """A member's involvement between two days (None: from the start / to today)."""

    member_id: str
    display_name: str
    real_name: str | None
    since: date | None
    until: date | None
    lines: tuple[InvolvementLine, ...]

    @property
    def meetings(self) -> int:
        """How many meetings they attended."""
        return len({line.meeting_id for line in self.lines if line.meeting_id and line.meeting_minutes})

    @property
    def meeting_minutes(self) -> int:
        return sum(line.meeting_minutes for line in self.lines)

    @property
    def preparation_minutes(self) -> int:
        return sum(line.preparation_minutes for line in self.lines)

    @property
    def total_minutes(self) -> int:
        """Time in meetings and preparing, together."""
        return self.meeting_minutes + self.preparation_minutes

    @property
    def expenses_pence(self) -> int:
        return sum(line.expenses_pence for line in self.lines)

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(line.note for line in self.lines if line.note)

    @property
    def first_day(self) -> date | None:
        return self.lines[0].day if self.lines else None

    @property
    def last_day(self) -> date | None:
        return self.lines[-1].day if self.lines else None

    @property
    def summary(self) -> str:
        """One line to show and speak."""
        meetings = "1 meeting" if self.meetings == 1 else f"{self.meetings} meetings"
        return (f"{meetings}, {hours_text(self.total_minutes)} in all "
                f"({hours_text(self.preparation_minutes)} preparing), "
                f"expenses {money_text(self.expenses_pence)}")

    def named(self, real_names: bool) -> str:
        """The name a statement carries: the real name when chosen and recorded, else the pseudonym."""
        return self.real_name if real_names and self.real_name else self.display_name


@dataclass(frozen=True)
class KeptPayment:
    """A payment record kept after a withdrawal, under the placeholder name, with why it is kept."""

    id: str
    pseudonym: str
    first_day: date | None
    last_day: date | None
    meetings: int
    meeting_minutes: int
    preparation_minutes: int
    expenses_pence: int
    lines: tuple[InvolvementLine, ...]
    reason: str
    created_at: datetime


# --- words and numbers ------------------------------------------------------------------------


def hours_text(minutes: int) -> str:
    """90 -> "1 h 30 min"; 0 -> "0 min"."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def hours_decimal(minutes: int) -> str:
    """90 -> "1.50" (hours, two places), for a spreadsheet or a payment form."""
    return f"{minutes / 60:.2f}"


def money_text(pence: int) -> str:
    """1250 -> "£12.50"."""
    pounds, rest = divmod(int(pence), 100)
    return f"£{pounds:,}.{rest:02d}"


def day_text(day: date) -> str:
    """date(2026, 11, 5) -> "5 Nov 2026"."""
    return f"{day.day} {day.strftime('%b %Y')}"


_CLOCK = re.compile(r"^(\d{1,3}):([0-5]\d)$")
_UNITS = re.compile(r"^(?:(\d+(?:[.,]\d+)?)\s*(?:h|hr|hrs|hour|hours))?"
                    r"\s*(?:(\d+)\s*(?:m|min|mins|minute|minutes))?$")
_MONEY = re.compile(r"^£?\s*(\d{1,7})(?:[.,](\d{1,2}))?$")


def parse_minutes(text: object, what: str = "The time") -> int:
    """Minutes from "90", "1:30", "1 h 30 min", "1.5 h" (DomainError for anything else)."""
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise DomainError(f"{what} must be a number of minutes.")
    raw = str(text).strip().lower()
    if raw.startswith("-"):
        raise DomainError(f"{what} cannot be negative.")
    minutes: float
    if raw.isdigit():
        minutes = int(raw)
    elif (clock := _CLOCK.match(raw)) is not None:
        minutes = int(clock[1]) * 60 + int(clock[2])
    elif raw and (units := _UNITS.match(raw)) is not None and (units[1] or units[2]):
        minutes = float((units[1] or "0").replace(",", ".")) * 60 + int(units[2] or 0)
    else:
        raise DomainError(f"{what} must be minutes, like 90, 1:30 or 1 h 30 min; not “{raw[:40]}”.")
    return check_minutes(round(minutes), what)


def check_minutes(value: object, what: str = "The time") -> int:
    """`value` if it is a whole number of minutes from 0 to a week."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(f"{what} must be a whole number of minutes.")
    if value < 0:
        raise DomainError(f"{what} cannot be negative.")
    if value > MAX_MINUTES:
        raise DomainError(f"{what} is at most {hours_text(MAX_MINUTES)} in one entry.")
    return value


def parse_pence(text: object, what: str = "The expenses") -> int:
    """Pence from "12.50", "£12.50", "12" or "12,5" (DomainError for anything else)."""
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise DomainError(f"{what} must be an amount in pounds, like 12.50.")
    raw = str(text).strip().replace(" ", "")
    if raw.startswith("-") or raw.startswith("£-"):
        raise DomainError(f"{what} cannot be negative.")
    money = _MONEY.match(raw)
    if money is None:
        raise DomainError(f"{what} must be an amount in pounds, like 12.50 or £12.50; not “{raw[:40]}”.")
    pence = int(money[1]) * 100 + int((money[2] or "0").ljust(2, "0"))
    return check_pence(pence, what)


def check_pence(value: object, what: str = "The expenses") -> int:
    """`value` if it is a whole number of pence from 0 to the most one entry may hold."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(f"{what} must be a whole number of pence.")
    if value < 0:
        raise DomainError(f"{what} cannot be negative.")
    if value > MAX_PENCE:
        raise DomainError(f"{what} is at most {money_text(MAX_PENCE)} in one entry.")
    return value
