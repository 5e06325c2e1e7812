"""Reading a meeting into plain values (shared by the facilitator's and the members' side)."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.services.meeting.dto import AddedInfo, MeetingInfo, StepInfo
from app.store.models import AgendaStep, Contribution, Meeting, Member


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


def step_added(s: Session, step: AgendaStep) -> AddedInfo:
    """A keyword step: the participants who have added a keyword to its question since the group
    was moved there (withdrawn keywords and members left out), of all the project's participants.

    On a shared database a member's login may not read the others' keywords while the step hides
    them, so the engine answers (migration 0013's canvas_step_added, the same rule); the owner,
    who has no login row there, is answered here like one computer."""
    if s.get_bind().dialect.name == "postgresql":
        row = s.execute(text("SELECT added, participants FROM canvas_step_added(:st)"),
                        {"st": step.id}).first()
        if row is not None:
            return AddedInfo(int(row.added), int(row.participants))
    meeting = s.get(Meeting, step.meeting_id)
    participant = (Member.role == "participant", Member.withdrawn_at.is_(None))
    added = s.scalar(select(func.count(func.distinct(Contribution.member_id)))
                     .join(Member, Member.id == Contribution.member_id)
                     .where(Contribution.prompt_id == step.prompt_id, Contribution.withdrawn.is_(False),
                            Contribution.created_at >= (step.opened_at or step.created_at), *participant))
    everyone = s.scalar(select(func.count()).select_from(Member)
                        .where(Member.project_id == (meeting.project_id if meeting else None), *participant))
    return AddedInfo(int(added or 0), int(everyone or 0))
