"""Following the group in a live meeting, mixed into the main window (kept apart to keep it small).

Every poll that sees a change (main_window's change marker, once a second) reads the running
meeting through the database worker (a change made while it was being read is looked at on the
next poll). When the facilitator has moved the group to another step, the member hears "The
group is now on: vote" and their screen goes there (Back returns to where they were); someone
writing is never moved, only told. On one shared computer the next member picked starts on the
group's step. The facilitator's meeting screen is rebuilt instead.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from app.services.errors import DomainError
from app.ui.guard import NOT_REFRESHED

if TYPE_CHECKING:
    from app.services.meeting.dto import MeetingInfo, StepInfo
    from app.ui.context import UiContext, UiState
    from app.ui.db_worker import DatabaseWorker
    from app.ui.guard import ActionGuard
    from app.ui.screens.base import Screen


log = logging.getLogger("canvas.meeting")

def _mark(info: MeetingInfo | None) -> tuple[Any, ...] | None:
    step = info.current if info is not None else None
    return None if step is None else (step.id, step.opened_at)


class MeetingNavigation:
    """Mixed into MainWindow: the screens follow the facilitator's pacing."""

    ctx: UiContext
    state: UiState
    db: DatabaseWorker
    guard: ActionGuard
    current: Screen | None
    _marker: tuple[int, str] | None  # DatabaseWatch's: the change marker last seen

    if TYPE_CHECKING:  # MainWindow's, named here for the type checker only
        def refresh(self) -> None: ...
        def show_prompt(self, prompt_id: str, page: int = 0, replace: bool = False) -> None: ...
        def show_definition(self, prompt_id: str, version_id: str | None = None) -> None: ...

    def look_at_meeting(self) -> None:
        """Read the running meeting off the window's thread; `_meeting_seen` acts on it."""
        live, project_id = self.ctx.services.live, self.state.project_id
        self.db.submit("meeting", lambda: live.running(project_id), self._meeting_seen)

    def _meeting_seen(self, info: MeetingInfo | None, error: BaseException | None) -> None:
        # A screen that cannot be rebuilt (the file locked, a row unreadable) is told once, as
        # a reading failure, and the member stays on the screen they had (see _replace).
        try:
            self._seen(info, error)
        except DomainError as exc:
            self.guard.tell(exc.message, repeat=False)
        except Exception:  # noqa: BLE001 - told, logged; the poll tries again next second
            log.exception("Following the others' changes failed")
            self.guard.tell(NOT_REFRESHED, repeat=False)

    def _seen(self, info: MeetingInfo | None, error: BaseException | None) -> None:
        if error is not None:
            return  # the change marker's poll already says when the database is gone
        # The poll's marker was read before the meeting was; a refresh below reads the marker
        # again (main_window._replace), after it. What changed in between (the facilitator's
        # move or reveal a moment later) would then never be looked at: the poll's marker is
        # put back, so that the next poll sees the change and looks at the meeting again.
        seen = self._marker
        try:
            self._follow(info)
        finally:
            self._marker = seen

    def _follow(self, info: MeetingInfo | None) -> None:
        before, self.state.meeting = self.state.meeting, info
        screen = self.current
        if self.state.facilitator is not None:
            if screen is not None and screen.key == "meeting":
                self.refresh()
            return
        if self.state.member is None or screen is None:
            return
        step = info.current if info is not None else None
        if step is not None and _mark(info) != _mark(before):
            self.ctx.announce(f"The group is now on: {step.title}")
            if screen.refresh_on_change:  # never someone in the middle of writing
                self.go_to_step(step)
            return
        if screen.refresh_on_change:
            self.refresh()
            if self.current is not None and (news := self.current.news_since(screen)):
                self.ctx.speak(news)  # e.g. "4 of 5 have added", as others add theirs

    def go_to_step(self, step: StepInfo) -> bool:
        """Open the screen of the group's step (a question's keywords or vote, its definition);
        False for a step without one (a talk, a break)."""
        if step.prompt_id is None:
            if self.current is not None and self.current.refresh_on_change:
                self.refresh()  # the ask row and the step's name show on every screen
            return False
        if step.kind == "draft":
            self.show_definition(step.prompt_id)
        else:
            self.show_prompt(step.prompt_id)
        return True

    def start_turn_in_meeting(self) -> None:
        """On one computer, the member just picked starts on the group's step."""
        info = self.ctx.services.live.running(self.state.project_id)
        self.state.meeting = info
        if info is not None and info.current is not None:
            self.go_to_step(info.current)
