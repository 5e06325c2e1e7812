"""Who came to a meeting and each one's time: marked here or not, their minutes in the meeting
(the meeting's length unless typed) and their preparation time for it.

Both times are typed on the keyboard as the involvement screens take them ("90", "1:30",
"1 h 30 min") and read by the involvement record's own parser (review/involvement_dto.py);
a negative or malformed time is refused with the reason, nothing written, the text left to
correct. The preparation time is the member's involvement entry for the meeting
(InvolvementService.set_preparation), the same record the involvement screens show, change and
export; the minutes are the meeting's attendance (MeetingService.set_attendance)."""

from __future__ import annotations

from collections.abc import Callable

from app.services.dto import MemberInfo, Outcome
from app.services.errors import DomainError
from app.services.review.involvement_dto import day_text, hours_text, parse_minutes
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.facilitator.agenda import captioned_row
from app.ui.screens.facilitator.agenda_step import type_in
from app.ui.widgets import Tile, action

TIME_HINT = "like 90, 1:30 or 1 h 30 min"


def read_time(text: str, what: str) -> int | None:
    """Minutes from what was typed (None when nothing was), refused with the reason."""
    if not text.strip():
        return None
    try:
        return parse_minutes(text, what)
    except DomainError as exc:
        raise DomainError(f"{exc.message} Nothing was saved.") from exc


def _whole(minutes: int) -> str:
    """"1 h 15 min" kept on one line (no-break spaces)."""
    return hours_text(minutes).replace(" ", "\u00a0")


class AttendanceScreen(Screen):
    """Each participant's row: here or not, minutes, preparation."""

    key = "attendance"

    def __init__(self, ctx: UiContext, meeting_id: str) -> None:
        self.session = ctx.state.facilitator
        self.m = ctx.services.meetings
        self.meeting = self.m.meeting(self.session, meeting_id)
        super().__init__(ctx, f"Facilitator: who came to {self.meeting.title}, and their time")
        here = {a.member_id: a for a in self.m.attendance(self.session, meeting_id)}
        prepared = ctx.services.involvement.meeting_preparation(self.session, meeting_id)
        self.add_text(f"{self.meeting.title}, {day_text(self.meeting.held_on)}. The minutes in the meeting "
                      "are its length unless you type them; the preparation time is kept in the "
                      "involvement record (Involvement: time and expenses), for payment.", muted=True)
        people = [p for p in ctx.services.projects.list_members(ctx.state.project_id)
                  if p.role == "participant"]
        for person in people:
            seen = here.get(person.id)
            parts = [f"{person.display_name}: {'here' if seen else 'not marked here'}"]
            if seen is not None:
                counted = "typed" if seen.recorded else (
                    "its length so far" if self.meeting.running else "the meeting's length")
                parts.append(f"{_whole(seen.minutes)} in the meeting ({counted})")
            parts.append(f"{_whole(prepared.get(person.id, 0))} preparing")
            caption = " · ".join(parts)
            name = person.display_name
            tiles = [Tile("✔ Here" if seen else "Not here", self._present(person, seen is None),
                          speech=f"{name}: {'here' if seen else 'not here'}. Choose to change"),
                     Tile("Minutes", self._minutes(person, seen.minutes if seen and seen.recorded else None),
                          speech=f"{name}: minutes in the meeting"),
                     Tile("Preparation", self._preparation(person, prepared.get(person.id, 0)),
                          speech=f"{name}: preparation time")]
            captioned_row(self, f"member-{person.id}", name, list(tiles), caption, wide_words=True)
        if not people:
            self.add_text("The project has no participants yet.")
        self.body.addStretch(1)
        self.set_actions([action("Back", ctx.nav.back)], first=True)

    def _present(self, person: MemberInfo, present: bool) -> Callable[[], None]:
        def mark() -> None:
            outcome = self.m.set_attendance(self.session, self.meeting.id, person.id, present)
            self.ctx.announce(outcome.message)
            self.ctx.nav.refresh()

        return mark

    def _minutes(self, person: MemberInfo, typed: int | None) -> Callable[[], None]:
        what = f"{person.display_name}'s minutes in the meeting"

        def submit(text: str) -> Outcome:
            minutes = read_time(text, what)
            return self.m.set_attendance(self.session, self.meeting.id, person.id, True, minutes)

        return lambda: type_in(self.ctx, f"{what} ({TIME_HINT}; nothing typed: the meeting's length)",
                               f"minutes:{person.id}", "" if typed is None else str(typed), submit,
                               numbers=True)

    def _preparation(self, person: MemberInfo, minutes: int) -> Callable[[], None]:
        what = f"{person.display_name}'s preparation time"

        def submit(text: str) -> Outcome:
            typed = read_time(text, what) or 0
            return self.ctx.services.involvement.set_preparation(self.session, person.id,
                                                                 self.meeting.id, typed)

        return lambda: type_in(self.ctx, f"{what} for {self.meeting.title} ({TIME_HINT})",
                               f"preparation:{person.id}", str(minutes) if minutes else "", submit,
                               numbers=True)
