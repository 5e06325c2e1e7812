"""Reading the audit log a page at a time: newest first, all or by action, member, kind or time.

A project may hold hundreds of thousands of events. A page reads only its own rows along an
index that already holds them newest first (ix_event_listing; ix_event_action or
ix_event_member when filtered), and the page count is one query. The actions for a filter
list are found by stepping from one action to the next along ix_event_action, not by reading
every event. FacilitatorService calls these through a live session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.services.dto import NewestFirstPage
from app.services.errors import DomainError
from app.services.review.review_dto import AuditRow
from app.services.validation import check_id, clean_text
from app.store.models import Event, Member

PER_PAGE = 40
CHUNK = 500  # ids per IN list, well under any driver's limit


@dataclass(frozen=True)
class AuditPage(NewestFirstPage):
    """One page of the audit log, newest first, with how many entries the filters let through."""

    rows: tuple[AuditRow, ...]
    total: int
    page: int
    per_page: int
    action: str | None
    member_id: str | None

    @property
    def first(self) -> int:
        """The number (from 1, newest first) of the page's first entry; 0 on an empty page."""
        return self.page * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """The number of the page's last entry; 0 on an empty page."""
        return self.page * self.per_page + len(self.rows)


def moment(value: object, what: str) -> datetime:
    """A `since` or `until` filter as a UTC time: a date counts from its start (until: to its end)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise DomainError(f"The '{what}' time must say its time zone (UTC).")
        return value
    if isinstance(value, date):
        day = value + timedelta(days=1) if what == "until" else value
        return datetime.combine(day, time(), tzinfo=timezone.utc)
    raise DomainError(f"The '{what}' filter must be a date or a time.")


def audit_filter(project_id: str, member_id: str | None = None, action: str | None = None,
                 since: date | datetime | None = None, until: date | datetime | None = None,
                 target_kind: str | None = None) -> list[ColumnElement[bool]]:
    """The WHERE terms for the project's events with these filters (each checked; bad ones raise)."""
    where: list[ColumnElement[bool]] = [Event.project_id == project_id]
    if member_id is not None:
        where.append(Event.member_id == check_id(member_id, "member"))
    if action is not None:
        where.append(Event.action == clean_text(action, "The action", 50))
    if target_kind is not None:
        where.append(Event.target_kind == clean_text(target_kind, "The kind", 30, True))
    if since is not None:
        where.append(Event.created_at >= moment(since, "since"))
    if until is not None:
        end = moment(until, "until")
        where.append(Event.created_at < end if not isinstance(until, datetime) else Event.created_at <= end)
    return where


def read_rows(s: Session, where: list[ColumnElement[bool]], limit: int, offset: int) -> tuple[AuditRow, ...]:
    """The entries matching `where`, newest first, `limit` of them from `offset`."""
    if (isinstance(limit, bool) or not isinstance(limit, int) or isinstance(offset, bool)
            or not isinstance(offset, int) or limit < 1 or offset < 0):
        raise DomainError("The page of the log is out of range.")
    # Both keys descending, so the index is read backwards in order (no sort), and the entries
    # skipped by the offset are never read beyond the index.
    ids = list(s.scalars(select(Event.id).where(*where).order_by(Event.created_at.desc(), Event.id.desc())
                         .limit(limit).offset(offset)))
    found = {}
    for start in range(0, len(ids), CHUNK):
        found.update((e.id, (e, name)) for e, name in s.execute(
            select(Event, Member.display_name).outerjoin(Member, Member.id == Event.member_id)
            .where(Event.id.in_(ids[start:start + CHUNK]))))
    return tuple(AuditRow(e.id, e.created_at, e.member_id, name, e.action, e.target_kind, e.target_id,
                          dict(e.detail or {})) for e, name in (found[i] for i in ids))


def read_page(s: Session, project_id: str, action: str | None, member_id: str | None, page: int,
              per_page: int) -> AuditPage:
    """The `page`th page of the project's log with these filters (past the end: the last page)."""
    if (isinstance(page, bool) or not isinstance(page, int) or page < 0
            or isinstance(per_page, bool) or not isinstance(per_page, int) or per_page < 1):
        raise DomainError("The page of the log is out of range.")
    where = audit_filter(project_id, member_id, action)
    total = s.scalar(select(func.count()).select_from(Event).where(*where)) or 0
    page = min(page, max(0, (total - 1) // per_page))
    return AuditPage(read_rows(s, where, per_page, page * per_page), total, page, per_page, action, member_id)


def distinct_actions(s: Session, project_id: str) -> tuple[str, ...]:
    """The actions the project's log holds, in order: one index step per action, not a scan."""
    first = select(func.min(Event.action).label("action")).where(Event.project_id == project_id)
    steps = first.cte("actions", recursive=True)
    after = (select(func.min(Event.action))
             .where(Event.project_id == project_id, Event.action > steps.c.action).scalar_subquery())
    steps = steps.union_all(select(after).where(steps.c.action.is_not(None)))
    found = s.scalars(select(steps.c.action).where(steps.c.action.is_not(None)))
    return tuple(sorted(found))
