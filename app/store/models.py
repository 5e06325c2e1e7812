"""SQLAlchemy models for the whole domain (see the README's "Domain" table).

Portable across SQLite and PostgreSQL: UUIDs are stored as 36-character strings,
times as UTC, enumerations as CHECK-constrained strings, and every constraint is
named through the metadata naming convention so Alembic batch migrations work.
The shared machinery (base, UTC type, ids) is in `app/store/model_base.py`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.store.meeting_models import ASK_KINDS, MAX_DOTS, STEP_KINDS, AgendaStep, Ask, Attendance, Vote
from app.store.model_base import (
    CONTRIBUTION_KINDS,
    CREDITS,
    DECISIONS,
    MAX_CONTRIBUTION,
    MAX_DRAFT,
    NAMING_CONVENTION,
    PAIR_ROLES,
    ROLES,
    STANCES,
    Base,
    UTCDateTime,
    new_id,
    utcnow,
)
from app.store.model_base import created_column as _created
from app.store.model_base import id_column as _id
from app.store.model_base import nonblank as _nonblank
from app.store.model_base import sql_in as _in
from app.store.models_involvement import InvolvementEntry, PaymentRecord

__all__ = [
    "CONTRIBUTION_KINDS", "CREDITS", "DECISIONS", "MAX_CONTRIBUTION", "MAX_DRAFT", "NAMING_CONVENTION",
    "PAIR_ROLES", "ROLES", "STANCES", "Base", "UTCDateTime", "new_id", "utcnow",
    "Project", "Member", "Prompt", "Meeting", "Theme", "Contribution", "Endorsement", "Definition",
    "DraftVersion", "Stance", "Comment", "ReviewNote", "Event", "InProgressText", "LocalMachine",
    "BundleLog", "AgendaStep", "Vote", "Ask", "Attendance", "ASK_KINDS", "STEP_KINDS", "MAX_DOTS",
    "InvolvementEntry", "PaymentRecord",
]


PRIVATE: dict[str, Any] = {"deferred": True, "deferred_group": "private"}


class Project(Base):
    """One co-production piece of work."""

    __tablename__ = "project"
    __table_args__ = (CheckConstraint(_nonblank("name"), name="name_nonblank"),)

    id: Mapped[str] = _id()
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = _created()

    members: Mapped[list[Member]] = relationship(back_populates="project")
    prompts: Mapped[list[Prompt]] = relationship(
        back_populates="project", order_by="Prompt.position"
    )


class Member(Base):
    """A person in a project: a participant or the facilitator."""

    __tablename__ = "member"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint(_nonblank("display_name"), name="display_name_nonblank"),
        CheckConstraint(f"credit IS NULL OR {_in('credit', CREDITS)}", name="credit"),
        UniqueConstraint("project_id", "display_name"),
    )

    id: Mapped[str] = _id()
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(100))
    # Typed by the facilitator on this machine; shown only in facilitator mode, exported only
    # when asked for and the consent record allows named credit; never sent in a bundle.
    # The real name and the consent record are "private": loaded only when read, because on a
    # shared database a member's login has no right to read these columns (migration 0008).
    real_name: Mapped[str | None] = mapped_column(String(200), default=None, **PRIVATE)
    role: Mapped[str] = mapped_column(String(20), default="participant")
    position: Mapped[int] = mapped_column(Integer, default=0)
    consent_date: Mapped[date | None] = mapped_column(Date, default=None, **PRIVATE)
    consent_participate: Mapped[bool] = mapped_column(Boolean, default=False, **PRIVATE)
    consent_quote: Mapped[bool] = mapped_column(Boolean, default=False, **PRIVATE)
    credit: Mapped[str | None] = mapped_column(String(20), default=None, **PRIVATE)
    keep_until: Mapped[date | None] = mapped_column(Date, default=None, **PRIVATE)
    anonymous_default: Mapped[bool] = mapped_column(Boolean, default=False)
    access_profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = _created()

    project: Mapped[Project] = relationship(back_populates="members")


class Prompt(Base):
    """A question the group answers; two may be paired as "now" and "future"."""

    __tablename__ = "prompt"
    __table_args__ = (
        CheckConstraint(_nonblank("text"), name="text_nonblank"),
        CheckConstraint(f"pair_role IS NULL OR {_in('pair_role', PAIR_ROLES)}", name="pair_role"),
    )

    id: Mapped[str] = _id()
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    pair_role: Mapped[str | None] = mapped_column(String(10), default=None)
    paired_with_id: Mapped[str | None] = mapped_column(
        ForeignKey("prompt.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = _created()

    project: Mapped[Project] = relationship(back_populates="prompts")


class Meeting(Base):
    """One dated gathering of the group: planned start and end, and when it really ran."""

    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at", name="planned_order"),
        CheckConstraint("ended_at IS NULL OR (started_at IS NOT NULL AND ended_at >= started_at)",
                        name="run_order"),
    )

    id: Mapped[str] = _id()
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = _created()


class Theme(Base):
    """A named group of contributions gathered by the facilitator or the group."""

    __tablename__ = "theme"
    __table_args__ = (CheckConstraint(_nonblank("name"), name="name_nonblank"),)

    id: Mapped[str] = _id()
    prompt_id: Mapped[str] = mapped_column(ForeignKey("prompt.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = _created()


class Contribution(Base):
    """A keyword, phrase or short experience offered to a prompt."""

    __tablename__ = "contribution"
    __table_args__ = (
        CheckConstraint(_in("kind", CONTRIBUTION_KINDS), name="kind"),
        CheckConstraint(_nonblank("text"), name="text_nonblank"),
        CheckConstraint(f"length(text) <= {MAX_CONTRIBUTION}", name="text_length"),
        Index("ix_contribution_listing", "prompt_id", "hidden", "withdrawn", "created_at", "id"),  # pages
        Index("ix_contribution_theme", "prompt_id", "withdrawn", "theme_id", "hidden", "created_at", "id"),
        Index("ix_contribution_created", "created_at"))  # the keyboard's words since the last one

    id: Mapped[str] = _id()
    prompt_id: Mapped[str] = mapped_column(ForeignKey("prompt.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), default=None, index=True
    )
    meeting_id: Mapped[str | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), default=None
    )
    theme_id: Mapped[str | None] = mapped_column(
        ForeignKey("theme.id", ondelete="SET NULL"), default=None
    )
    kind: Mapped[str] = mapped_column(String(20), default="keyword")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(Text, default=None)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)


class Endorsement(Base):
    """A member's "me too" on a contribution; taking it back sets active to false."""

    __tablename__ = "endorsement"
    __table_args__ = (UniqueConstraint("contribution_id", "member_id"),)

    id: Mapped[str] = _id()
    contribution_id: Mapped[str] = mapped_column(
        ForeignKey("contribution.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[str] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _created()


class Definition(Base):
    """The group's shared text for one prompt: a chain of draft versions."""

    __tablename__ = "definition"

    id: Mapped[str] = _id()
    prompt_id: Mapped[str] = mapped_column(
        ForeignKey("prompt.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = _created()


class DraftVersion(Base):
    """One immutable state of a definition. An edit is always a new row."""

    __tablename__ = "draft_version"
    __table_args__ = (
        CheckConstraint(_nonblank("text"), name="text_nonblank"),
        CheckConstraint(f"length(text) <= {MAX_DRAFT}", name="text_length"),
        Index("ix_draft_version_created", "created_at"),
    )

    id: Mapped[str] = _id()
    definition_id: Mapped[str] = mapped_column(
        ForeignKey("definition.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("draft_version.id", ondelete="RESTRICT"), default=None, index=True
    )
    author_id: Mapped[str | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), default=None
    )
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = _created()


class Stance(Base):
    """A member's agree / unsure / disagree on one draft version."""

    __tablename__ = "stance"
    __table_args__ = (
        CheckConstraint(_in("position", STANCES), name="position"),
        UniqueConstraint("version_id", "member_id"),
    )

    id: Mapped[str] = _id()
    version_id: Mapped[str] = mapped_column(
        ForeignKey("draft_version.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[str] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    position: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _created()


class Comment(Base):
    """A remark on a draft version or on a contribution (exactly one of them)."""

    __tablename__ = "comment"
    __table_args__ = (
        CheckConstraint(_nonblank("text"), name="text_nonblank"),
        CheckConstraint(
            "(version_id IS NULL) <> (contribution_id IS NULL)", name="one_target"
        ),
    )

    id: Mapped[str] = _id()
    version_id: Mapped[str | None] = mapped_column(
        ForeignKey("draft_version.id", ondelete="CASCADE"), default=None, index=True
    )
    contribution_id: Mapped[str | None] = mapped_column(
        ForeignKey("contribution.id", ondelete="CASCADE"), default=None, index=True
    )
    member_id: Mapped[str | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), default=None
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()


class ReviewNote(Base):
    """The facilitator's private memo and decision on a version."""

    __tablename__ = "review_note"
    __table_args__ = (
        CheckConstraint(f"decision IS NULL OR {_in('decision', DECISIONS)}", name="decision"),
    )

    id: Mapped[str] = _id()
    version_id: Mapped[str] = mapped_column(
        ForeignKey("draft_version.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[str | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), default=None
    )
    text: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str | None] = mapped_column(String(10), default=None)
    created_at: Mapped[datetime] = _created()


class Event(Base):
    """Append-only audit trail: who did what, when."""

    __tablename__ = "event"
    __table_args__ = (  # the audit log's pages, newest first: all, by action, by member
        Index("ix_event_listing", "project_id", "created_at", "id"),
        Index("ix_event_action", "project_id", "action", "created_at", "id"),
        Index("ix_event_member", "project_id", "member_id", "created_at", "id"))

    id: Mapped[str] = _id()
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), default=None, index=True
    )
    action: Mapped[str] = mapped_column(String(50))
    target_kind: Mapped[str] = mapped_column(String(30), default="")
    target_id: Mapped[str | None] = mapped_column(String(36), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = _created()


class InProgressText(Base):
    """Unfinished text, autosaved per member and target so nothing written is lost."""

    __tablename__ = "in_progress_text"
    __table_args__ = (UniqueConstraint("member_id", "target"),)

    id: Mapped[str] = _id()
    member_id: Mapped[str] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text, default="")
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = _created()
    # When and on which computer the member wrote `text` (migration 0009): a copy kept on a
    # computer and handed back later keeps its own time, so the newer copy always wins.
    written_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    written_on: Mapped[str | None] = mapped_column(String(64), default=None)
    # The draft the newer one replaced when two copies met: kept for the member to bring back.
    earlier_text: Mapped[str | None] = mapped_column(Text, default=None)
    earlier_cursor: Mapped[int | None] = mapped_column(Integer, default=None)
    earlier_written_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    earlier_written_on: Mapped[str | None] = mapped_column(String(64), default=None)


class LocalMachine(Base):
    """This store's own machine id (one row, made on first need); local, never in a bundle."""

    __tablename__ = "local_machine"
    __table_args__ = (CheckConstraint("singleton = 1", name="singleton"), UniqueConstraint("singleton"))

    id: Mapped[str] = _id()
    singleton: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = _created()


class BundleLog(Base):
    """A bundle sent to or received from another machine; local, marks where "changes since" start."""

    __tablename__ = "bundle_log"
    __table_args__ = (CheckConstraint(_in("direction", ("sent", "received")), name="direction"),)

    id: Mapped[str] = _id()
    bundle_id: Mapped[str] = mapped_column(String(36), index=True)
    direction: Mapped[str] = mapped_column(String(10))
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    machine_id: Mapped[str] = mapped_column(String(36), index=True)
    oldest_change: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = _created()
