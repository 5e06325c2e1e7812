"""The facilitator's involvement record: preparation time, expenses, notes and kept payment records.

Personal data of the facilitator's (often health-related: "carer's costs"). On a shared
database no member's login may read either table (migration 0011_involvement), and no
bundle carries them (app/services/exchange/carry.py, NEVER_CARRIED). Money is kept in
whole pence, time in whole minutes, so nothing is lost to rounding.
`app.store.models` re-exports both classes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.model_base import Base
from app.store.model_base import created_column as _created
from app.store.model_base import id_column as _id

MAX_MINUTES = 24 * 60 * 7  # one entry: at most a week of preparation
MAX_PENCE = 1_000_000  # one entry: at most £10,000 of expenses
MAX_NOTE = 1_000


class InvolvementEntry(Base):
    """One piece of a member's involvement the facilitator records: preparation time and
    expenses on a day, perhaps for a meeting, with a note (e.g. "PA's hours, 2 h")."""

    __tablename__ = "involvement"
    __table_args__ = (
        CheckConstraint(f"preparation_minutes >= 0 AND preparation_minutes <= {MAX_MINUTES}",
                        name="preparation_minutes"),
        CheckConstraint(f"expenses_pence >= 0 AND expenses_pence <= {MAX_PENCE}", name="expenses_pence"),
        CheckConstraint(f"length(note) <= {MAX_NOTE}", name="note_length"),
        Index("ix_involvement_member_day", "member_id", "held_on"),
    )

    id: Mapped[str] = _id()
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    meeting_id: Mapped[str | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), default=None
    )
    held_on: Mapped[date] = mapped_column(Date)
    preparation_minutes: Mapped[int] = mapped_column(Integer, default=0)
    expenses_pence: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _created()


class PaymentRecord(Base):
    """What a withdrawn member was paid for, kept by the facilitator as the law on payments
    requires: totals and dated lines under the withdrawal's placeholder name, and why kept."""

    __tablename__ = "payment_record"
    __table_args__ = (
        CheckConstraint("meetings >= 0 AND meeting_minutes >= 0 AND preparation_minutes >= 0 "
                        "AND expenses_pence >= 0", name="not_negative"),
    )

    id: Mapped[str] = _id()
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), default=None, index=True
    )
    pseudonym: Mapped[str] = mapped_column(String(100))
    first_day: Mapped[date | None] = mapped_column(Date, default=None)
    last_day: Mapped[date | None] = mapped_column(Date, default=None)
    meetings: Mapped[int] = mapped_column(Integer, default=0)
    meeting_minutes: Mapped[int] = mapped_column(Integer, default=0)
    preparation_minutes: Mapped[int] = mapped_column(Integer, default=0)
    expenses_pence: Mapped[int] = mapped_column(Integer, default=0)
    # [{"day": "2026-11-05", "meeting_minutes": 90, "preparation_minutes": 30, "expenses_pence": 1250}]
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()
