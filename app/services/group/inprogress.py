"""Unfinished text, saved at every selection so nothing written is lost."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app.services.base import ServiceBase
from app.services.dto import InProgress
from app.services.errors import DomainError, StoreUnavailable
from app.services.validation import check_id, clean_text
from app.store.database import StoreError
from app.store.models import MAX_DRAFT, InProgressText, utcnow

MAX_TARGET = 120


@contextmanager
def _reachable() -> Iterator[None]:
    """Driver and store failures (server gone, file busy) become :class:`StoreUnavailable`."""
    try:
        yield
    except (SQLAlchemyError, StoreError) as exc:
        raise StoreUnavailable(str(exc)) from exc


class InProgressService(ServiceBase):
    """Save and load a member's unfinished text for one target (e.g. "contribution:<prompt>")."""

    def save(self, member_id: str, target: str, text: str, cursor: int) -> None:
        """Store the text and cursor; an empty text clears the entry.

        Raises :class:`StoreUnavailable` when the database cannot be reached."""
        target = clean_text(target, "The target", MAX_TARGET)
        text = clean_text(text, "The text", MAX_DRAFT, allow_empty=True)
        if not isinstance(cursor, int) or isinstance(cursor, bool) or not 0 <= cursor <= len(text):
            raise DomainError("The cursor position is outside the text.")
        with _reachable(), self.store.transaction() as s:
            member = self._member(s, member_id)
            row = s.scalar(
                select(InProgressText).where(
                    InProgressText.member_id == member.id, InProgressText.target == target
                )
            )
            if not text:
                if row is not None:
                    s.delete(row)
                return
            if row is None:
                row = InProgressText(member_id=member.id, target=target)
                s.add(row)
            row.text = text
            row.cursor = cursor
            row.updated_at = utcnow()

    def load(self, member_id: str, target: str) -> InProgress | None:
        """The unfinished text for this member and target, if there is any
        (:class:`StoreUnavailable` when the database cannot be reached)."""
        member_id = check_id(member_id, "member")
        target = clean_text(target, "The target", MAX_TARGET)
        with _reachable(), self.store.read() as s:
            row = s.scalar(
                select(InProgressText).where(
                    InProgressText.member_id == member_id, InProgressText.target == target
                )
            )
            return None if row is None else InProgress(row.target, row.text, row.cursor)

    def clear(self, member_id: str, target: str) -> None:
        """Forget the unfinished text (after it has been submitted)."""
        self.save(member_id, target, "", 0)
