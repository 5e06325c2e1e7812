"""The facilitator's agenda of a meeting: add steps, rename them, set a vote's dots, move, remove.

MeetingService (plan.py) is built on this class, so `services.meetings` offers every operation.
Each method takes the facilitator's session, is one transaction and writes an audit entry
("step_added", "step_renamed", "step_vote_set", "step_moved", "step_removed"), which is also
what tells the other screens on a shared database to look again.

What the group has already reached keeps its place: a step once opened (the current one, or
one the group has been on) cannot be moved, removed or have its dots changed, and no step can
be moved past it; an ended meeting's agenda stays as it was. Each refusal says why and writes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from app.services.base import ServiceBase
from app.services.dto import Outcome
from app.services.errors import DomainError, NotFound
from app.services.meeting.dto import STEP_LABELS
from app.services.meeting.read import steps_of
from app.services.validation import check_choice, check_id, clean_text
from app.store.database import Store
from app.store.models import MAX_DOTS, STEP_KINDS, AgendaStep, Meeting, Prompt

Checker = Callable[..., Any]  # FacilitatorService.check(session, project_id=None) -> the session
NOTHING = "Nothing was changed."
DEFAULT_DOTS = 3


def check_dots(value: object) -> int:
    """`value` if it is a whole number of dots each member may have (1 to MAX_DOTS)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DOTS:
        raise DomainError(f"Each member gets between 1 and {MAX_DOTS} dots. Nothing was saved.")
    return value


def parse_dots(text: object) -> int:
    """Dots from what the facilitator types ("5"); anything else is refused with the reason."""
    raw = str(text).strip() if isinstance(text, (str, int)) and not isinstance(text, bool) else ""
    if not raw.isdigit():
        raise DomainError(f"The dots must be a whole number from 1 to {MAX_DOTS}, like 3; "
                          f"not “{raw[:20]}”. Nothing was saved.")
    return check_dots(int(raw))


def check_title(value: object) -> str:
    """A step's title, trimmed, if it is text of 1 to 200 characters."""
    return clean_text(value, "The step's title", 200).strip()


class AgendaService(ServiceBase):
    """A meeting's agenda, as the facilitator plans and changes it."""

    def __init__(self, store: Store, check: Checker) -> None:
        super().__init__(store)
        self._check = check

    def add_step(self, session: Any, meeting_id: str, kind: str, title: str | None = None,
                 prompt_id: str | None = None, dots: int = DEFAULT_DOTS, several_on_one: bool = True,
                 think_first: bool = False) -> Outcome:
        """Add a step at the end of the agenda; keyword and vote steps name their question."""
        session = self._check(session)
        kind = check_choice(kind, "The step", STEP_KINDS)
        title = check_title(title if title is not None else STEP_LABELS[kind])
        dots = check_dots(dots)
        with self.store.transaction() as s:
            meeting = self._open_meeting(s, session, meeting_id)
            if kind in ("keywords", "vote"):
                if prompt_id is None:
                    raise DomainError("A keyword or vote step needs its question. Nothing was saved.")
                prompt = self._get(s, Prompt, prompt_id, "prompt")
                if prompt.project_id != session.project_id:
                    raise NotFound("That prompt belongs to another project.")
            elif prompt_id is not None:
                self._get(s, Prompt, prompt_id, "prompt")
            position = max((st.position for st in steps_of(s, meeting.id)), default=0) + 1
            step = AgendaStep(meeting_id=meeting.id, position=position, kind=kind, title=title,
                              prompt_id=prompt_id, dots=dots, several_on_one=bool(several_on_one),
                              think_first=bool(think_first) and kind == "keywords")
            s.add(step)
            s.flush()
            self._event(s, session.project_id, session.member_id, "step_added", "agenda_step", step.id)
            return Outcome(f"Step added: {title}.", record_id=step.id)

    def rename_step(self, session: Any, step_id: str, title: str) -> Outcome:
        """Give a step a new title (also the one the group is on: the members' screens say it)."""
        session = self._check(session)
        title = check_title(title)
        with self.store.transaction() as s:
            step, _meeting = self._editable(s, session, step_id)
            before, step.title = step.title, title
            self._event(s, session.project_id, session.member_id, "step_renamed", "agenda_step", step.id)
            return Outcome(f"Step renamed: {before} is now {title}.", record_id=step.id)

    def set_vote(self, session: Any, step_id: str, dots: int, several_on_one: bool) -> Outcome:
        """A vote step's dots per member and whether several may go on one keyword; refused once
        the group has reached the vote (dots may already be placed)."""
        session = self._check(session)
        dots = check_dots(dots)
        with self.store.transaction() as s:
            step, _meeting = self._editable(s, session, step_id)
            if step.kind != "vote":
                raise DomainError(f"Only a vote step has dots; {step.title} is not a vote. {NOTHING}")
            if step.opened_at is not None:
                raise DomainError(f"The group has reached {step.title}: its dots stay as they are. {NOTHING}")
            step.dots, step.several_on_one = dots, bool(several_on_one)
            self._event(s, session.project_id, session.member_id, "step_vote_set", "agenda_step", step.id,
                        dots=dots, several_on_one=bool(several_on_one))
            several = "several on one keyword" if several_on_one else "one per keyword"
            return Outcome(f"{step.title}: {dots} {'dot' if dots == 1 else 'dots'} each, {several}.",
                           record_id=step.id)

    def move_step(self, session: Any, step_id: str, by: int) -> Outcome:
        """Move a step one place up (`by` -1) or down (+1); neither it nor the step it changes
        places with may be one the group has reached."""
        session = self._check(session)
        if by not in (-1, 1):
            raise DomainError("A step moves one place up or down at a time.")
        with self.store.transaction() as s:
            step, meeting = self._editable(s, session, step_id)
            steps = steps_of(s, meeting.id)
            here = steps.index(step)
            there = here + by
            if not 0 <= there < len(steps):
                raise DomainError(f"{step.title} is already {'first' if by < 0 else 'last'}. {NOTHING}")
            for each in (step, steps[there]):
                if each.opened_at is not None:
                    raise DomainError(f"The group has reached {each.title}: it keeps its place. {NOTHING}")
            steps[here], steps[there] = steps[there], steps[here]
            _number(steps)
            self._event(s, session.project_id, session.member_id, "step_moved", "agenda_step", step.id,
                        position=step.position)
            return Outcome(f"{step.title} is now step {step.position} of {len(steps)}.", record_id=step.id)

    def remove_step(self, session: Any, step_id: str) -> Outcome:
        """Take a step the group has not reached off the agenda."""
        session = self._check(session)
        with self.store.transaction() as s:
            step, meeting = self._editable(s, session, step_id)
            if step.opened_at is not None:
                raise DomainError(f"The group has reached {step.title}: it stays on the agenda. {NOTHING}")
            title, kind = step.title, step.kind
            s.delete(step)
            s.flush()
            _number(steps_of(s, meeting.id))
            self._event(s, session.project_id, session.member_id, "step_removed", "agenda_step", step_id,
                        kind=kind)
            return Outcome(f"Step removed: {title}.")

    # --- lookups -----------------------------------------------------------------------------
    def _meeting(self, s: Session, session: Any, meeting_id: object) -> Meeting:
        meeting = self._get(s, Meeting, check_id(meeting_id, "meeting"), "meeting")
        if meeting.project_id != session.project_id:
            raise NotFound("That meeting belongs to another project.")
        return meeting

    def _step(self, s: Session, session: Any, step_id: object) -> tuple[AgendaStep, Meeting]:
        step = self._get(s, AgendaStep, step_id, "agenda step")
        return step, self._meeting(s, session, step.meeting_id)

    def _open_meeting(self, s: Session, session: Any, meeting_id: object) -> Meeting:
        meeting = self._meeting(s, session, meeting_id)
        if meeting.ended_at is not None:
            raise DomainError(f"{meeting.title} has ended: its agenda stays as it was. {NOTHING}")
        return meeting

    def _editable(self, s: Session, session: Any, step_id: object) -> tuple[AgendaStep, Meeting]:
        step, meeting = self._step(s, session, step_id)
        return step, self._open_meeting(s, session, meeting.id)


def _number(steps: list[AgendaStep]) -> None:
    """Positions 1, 2, 3… in the order given (a removal or a move leaves no gap or tie)."""
    for i, step in enumerate(steps, 1):
        if step.position != i:
            step.position = i
