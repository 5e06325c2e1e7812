"""A member's side of a running meeting: where the group is, dots, results, asks.

Each method is one transaction and writes an audit entry when it changes something, which is
what other screens on a shared database poll for. A member's dots are refused, nothing written,
on a hidden or withdrawn keyword, beyond the step's dots, or once the results are out; on a
shared database the engine refuses them too (migration 0010's canvas_vote_ok).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.base import ServiceBase
from app.services.dto import Outcome
from app.services.errors import DomainError, NotFound
from app.services.group.contributions import running_meeting
from app.services.group.meeting_results import vote_counts
from app.services.meeting.dto import ASK_LABELS, AddedInfo, AskInfo, DotsInfo, MeetingInfo, ResultRow
from app.services.meeting.plan import asks_of
from app.services.meeting.read import current_step, meeting_info, step_added, steps_of
from app.services.validation import check_choice, check_id
from app.store.models import ASK_KINDS, AgendaStep, Ask, Contribution, Member, Vote


class LiveMeetingService(ServiceBase):
    """What a participant's screen asks of the running meeting."""

    def running(self, project_id: str) -> MeetingInfo | None:
        """The project's running meeting, with the step the group is on; None when none runs."""
        project_id = check_id(project_id, "project")
        with self.store.read() as s:
            meeting = running_meeting(s, project_id)
            return meeting_info(s, meeting) if meeting is not None else None

    def dots(self, member_id: str, step_id: str) -> DotsInfo:
        """The member's dots on a vote step: how many they have, have left, and where."""
        with self.store.read() as s:
            member = self._member(s, member_id)
            step = self._vote_step(s, step_id, member)
            return self._dots(s, step, member.id)

    def added(self, step_id: str) -> AddedInfo:
        """A keyword step: how many participants have added since the group got there, of how
        many ("3 of 5 have added"); never who or what, so a member may ask while it hides."""
        with self.store.read() as s:
            step = self._get(s, AgendaStep, step_id, "agenda step")
            if step.kind != "keywords":
                raise DomainError("This step is not a keyword step.")
            return step_added(s, step)

    def vote(self, member_id: str, step_id: str, contribution_id: str) -> Outcome:
        """Put one of the member's dots on a keyword."""
        with self.store.transaction() as s:
            member = self._member(s, member_id)
            step = self._vote_step(s, step_id, member)
            if step.revealed_at is not None:
                raise DomainError("The results are out: voting has closed. Nothing was changed.")
            steps = steps_of(s, step.meeting_id)
            if current_step(steps) is not step:
                raise DomainError("The group is not on this vote now. Nothing was changed.")
            keyword = self._get(s, Contribution, contribution_id, "keyword")
            if keyword.prompt_id != step.prompt_id:
                raise NotFound("That keyword is not part of this vote.")
            if keyword.hidden or keyword.withdrawn:
                raise DomainError("That keyword is hidden or withdrawn: no dots on it. Nothing was changed.")
            dots = self._dots(s, step, member.id)
            if dots.left <= 0:
                raise DomainError(f"All your {step.dots} dots are used. Take one back first.")
            if not step.several_on_one and dots.mine.get(keyword.id):
                raise DomainError("In this vote, one dot per keyword. Choose another keyword.")
            vote = Vote(step_id=step.id, member_id=member.id, contribution_id=keyword.id)
            s.add(vote)
            s.flush()
            self._event(s, member.project_id, member.id, "dot_placed", "agenda_step", step.id)
            left = dots.left - 1
            return Outcome(f"Dot on {keyword.text}. {left} {'dot' if left == 1 else 'dots'} left.",
                           record_id=vote.id)

    def take_back(self, member_id: str, step_id: str) -> Outcome:
        """Take back the member's latest dot (before the results are out)."""
        with self.store.transaction() as s:
            member = self._member(s, member_id)
            step = self._vote_step(s, step_id, member)
            if step.revealed_at is not None:
                raise DomainError("The results are out: dots can no longer be taken back.")
            vote = s.scalar(select(Vote).where(Vote.step_id == step.id, Vote.member_id == member.id)
                            .order_by(Vote.created_at.desc(), Vote.id.desc()).limit(1))
            if vote is None:
                return Outcome("You have no dots to take back.")
            s.delete(vote)
            self._event(s, member.project_id, member.id, "dot_taken_back", "agenda_step", step.id)
            return Outcome("Dot taken back.")

    def results(self, member_id: str, step_id: str) -> tuple[ResultRow, ...]:
        """A revealed vote's dots per keyword, most first; refused before the reveal."""
        with self.store.read() as s:
            member = self._member(s, member_id)
            step = self._vote_step(s, step_id, member)
            return step_results(s, step)

    def ask(self, member_id: str, kind: str) -> Outcome:
        """Ask in the running meeting: a break, "say that again", "I want to say something"."""
        kind = check_choice(kind, "The ask", ASK_KINDS)
        with self.store.transaction() as s:
            member = self._member(s, member_id)
            meeting = running_meeting(s, member.project_id)
            if meeting is None:
                raise DomainError("No meeting is running just now. Nothing was sent.")
            waiting = s.scalar(select(func.count()).select_from(Ask).where(
                Ask.meeting_id == meeting.id, Ask.member_id == member.id, Ask.kind == kind,
                Ask.answered_at.is_(None)))
            if waiting:
                return Outcome(f"You have asked already: {ASK_LABELS[kind]}. The facilitator will answer.")
            ask = Ask(meeting_id=meeting.id, member_id=member.id, kind=kind)
            s.add(ask)
            s.flush()
            self._event(s, member.project_id, member.id, "ask_made", "ask", ask.id, kind=kind)
            return Outcome(f"Asked: {ASK_LABELS[kind]}. The facilitator can see it.", record_id=ask.id)

    def waiting_asks(self, project_id: str, member_id: str | None = None) -> tuple[AskInfo, ...]:
        """The running meeting's unanswered asks, oldest first (on a shared database a member's
        login sees only its own: for one computer's status line)."""
        project_id = check_id(project_id, "project")
        with self.store.read() as s:
            meeting = running_meeting(s, project_id)
            if meeting is None:
                return ()
            return asks_of(s, meeting.id, waiting=True, member_id=member_id)

    # --- lookups -----------------------------------------------------------------------------
    def _vote_step(self, s: Session, step_id: object, member: Member) -> AgendaStep:
        step = self._get(s, AgendaStep, step_id, "agenda step")
        if step.kind != "vote":
            raise DomainError("This step is not a vote.")
        meeting = running_meeting(s, member.project_id)
        if meeting is None or meeting.id != step.meeting_id:
            raise DomainError("This vote is not part of a running meeting.")
        return step

    @staticmethod
    def _dots(s: Session, step: AgendaStep, member_id: str) -> DotsInfo:
        mine = dict(s.execute(select(Vote.contribution_id, func.count()).where(
            Vote.step_id == step.id, Vote.member_id == member_id).group_by(Vote.contribution_id)).all())
        return DotsInfo(step.id, step.dots, step.dots - sum(mine.values()), mine)


def step_results(s: Session, step: AgendaStep) -> tuple[ResultRow, ...]:
    """A revealed vote's dots per keyword, most first, as the group sees them (members' screens
    and the facilitator's, often shared on the call): never a keyword hidden or withdrawn, even
    after the vote. The facilitator's votes.csv keeps a hidden keyword's dots, marked hidden."""
    if step.revealed_at is None:
        raise DomainError("The results are hidden until the facilitator reveals them.")
    return tuple(ResultRow(r.contribution_id, r.text, r.dots) for r in vote_counts(s, step.id))
