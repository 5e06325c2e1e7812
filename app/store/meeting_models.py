"""The live meeting's tables: agenda steps, dot votes, asks and attendance (migration 0010).

Kept apart from `app/store/models.py` so each stays short; `app.store.models` re-exports them.
Who may read what on a shared database (0010's policies): agenda steps are the group's; a
member reads only their own votes until the step's results are revealed, and only their own
asks; attendance is the facilitator's (it feeds the involvement record).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.store.model_base import Base, UTCDateTime, nonblank, sql_in
from app.store.model_base import created_column as _created
from app.store.model_base import id_column as _id

STEP_KINDS = ("talk", "keywords", "vote", "draft", "break")
ASK_KINDS = ("break", "again", "speak")
MAX_DOTS = 20


class AgendaStep(Base):
    """One part of a meeting that the facilitator moves the group to."""

    __tablename__ = "agenda_step"
    __table_args__ = (
        CheckConstraint(sql_in("kind", STEP_KINDS), name="kind"),
        CheckConstraint(nonblank("title"), name="title_nonblank"),
        CheckConstraint(f"dots >= 1 AND dots <= {MAX_DOTS}", name="dots"),
    )

    id: Mapped[str] = _id()
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    prompt_id: Mapped[str | None] = mapped_column(ForeignKey("prompt.id", ondelete="SET NULL"), default=None)
    dots: Mapped[int] = mapped_column(Integer, default=3)
    several_on_one: Mapped[bool] = mapped_column(Boolean, default=True)
    think_first: Mapped[bool] = mapped_column(Boolean, default=False)
    # The group is on the step most recently opened; revealing shows keywords or vote results.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = _created()


class Vote(Base):
    """One dot a member put on a keyword in a voting step; several may name the same keyword."""

    __tablename__ = "vote"
    __table_args__ = (Index("ix_vote_step_member", "step_id", "member_id"),)

    id: Mapped[str] = _id()
    step_id: Mapped[str] = mapped_column(ForeignKey("agenda_step.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    contribution_id: Mapped[str] = mapped_column(
        ForeignKey("contribution.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = _created()


class Ask(Base):
    """A member's request in a meeting: a break, "say that again", "I want to say something"."""

    __tablename__ = "ask"
    __table_args__ = (
        CheckConstraint(sql_in("kind", ASK_KINDS), name="kind"),
        Index("ix_ask_waiting", "meeting_id", "answered_at", "created_at"),
    )

    id: Mapped[str] = _id()
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = _created()
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    answered_by: Mapped[str | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), default=None)


class Attendance(Base):
    """A member's presence at a meeting and their minutes in it (the involvement record's base)."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        CheckConstraint("minutes IS NULL OR minutes >= 0", name="minutes"),
    )

    id: Mapped[str] = _id()
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    minutes: Mapped[int | None] = mapped_column(Integer, default=None)  # None: the meeting's length
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _created()
