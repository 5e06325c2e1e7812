"""Reading a meeting into plain values (shared by the facilitator's and the members' side)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.meeting.dto import MeetingInfo, StepInfo
from app.store.models import AgendaStep, Meeting


def step_info(step: AgendaStep) -> StepInfo:
    """An agenda step as a plain value."""
    return StepInfo(step.id, step.meeting_id, step.position, step.kind, step.title, step.prompt_id,
                    step.dots, step.several_on_one, step.think_first, step.opened_at, step.revealed_at)


def steps_of(s: Session, meeting_id: str) -> list[AgendaStep]:
    """A meeting's steps in agenda order."""
    return list(s.scalars(select(AgendaStep).where(AgendaStep.meeting_id == meeting_id)
                          .order_by(AgendaStep.position, AgendaStep.created_at)))


def current_step(steps: list[AgendaStep]) -> AgendaStep | None:
    """The step the group was last moved to."""
    opened = [st for st in steps if st.opened_at is not None]
    return max(opened, key=lambda st: st.opened_at) if opened else None  # type: ignore[arg-type,return-value]


def meeting_info(s: Session, meeting: Meeting) -> MeetingInfo:
    """A meeting with its agenda and current step."""
    steps = steps_of(s, meeting.id)
    now = current_step(steps) if meeting.started_at is not None and meeting.ended_at is None else None
    return MeetingInfo(meeting.id, meeting.project_id, meeting.title, meeting.held_on, meeting.starts_at,
                       meeting.ends_at, meeting.started_at, meeting.ended_at,
                       tuple(step_info(st) for st in steps), step_info(now) if now else None)
