"""The models' shared machinery: naming convention, UTC times, ids, the declarative base.

Kept apart from `app/store/models.py` so each stays short; `app.store.models` re-exports
every name here, so callers import from there.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("participant", "facilitator")
CONTRIBUTION_KINDS = ("keyword", "phrase", "experience")
STANCES = ("agree", "unsure", "disagree")
PAIR_ROLES = ("now", "future")
CREDITS = ("named", "anonymous")
DECISIONS = ("agreed", "final")

MAX_CONTRIBUTION = 2_000
MAX_DRAFT = 20_000


def new_id() -> str:
    """A fresh random UUID as text: records made on different machines never clash."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC; SQLite drops the zone, so it is put back on load."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use UTC-aware times")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def sql_in(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK constraint: `column` holds one of `values`."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


def nonblank(column: str) -> str:
    """SQL for a CHECK constraint: `column` is not empty or only spaces."""
    return f"length(trim({column})) > 0"


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


def id_column() -> Mapped[str]:
    """A UUID primary key column, filled in on insert."""
    return mapped_column(String(36), primary_key=True, default=new_id)


def created_column() -> Mapped[datetime]:
    """A creation time column (UTC), filled in on insert."""
    return mapped_column(UTCDateTime, default=utcnow, nullable=False)
