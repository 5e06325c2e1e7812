"""Unfinished text, saved at every selection so nothing written is lost."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app.services.base import ServiceBase
from app.services.dto import InProgress
from app.services.errors import DomainError, StoreUnavailable
from app.services.validation import check_id, clean_text
from app.store.database import StoreError
from app.store.draft_text import KeptText
from app.store.models import MAX_DRAFT, InProgressText, utcnow

MAX_TARGET = 120


@contextmanager
def _reachable() -> Iterator[None]:
    """Driver and store failures (server gone, file busy) become :class:`StoreUnavailable`."""
    try:
        yield
    except (SQLAlchemyError, StoreError) as exc:
        raise StoreUnavailable(str(exc)) from exc


def _earlier(row: InProgressText) -> KeptText | None:
    if row.earlier_text is None:
        return None
    return KeptText(row.earlier_text, min(row.earlier_cursor or 0, len(row.earlier_text)),
                    row.earlier_written_at, row.earlier_written_on)


def _set_earlier(row: InProgressText, kept: KeptText | None) -> None:
    row.earlier_text = kept.text if kept else None
    row.earlier_cursor = kept.cursor if kept else None
    row.earlier_written_at = kept.written_at if kept else None
    row.earlier_written_on = kept.written_on if kept else None


class InProgressService(ServiceBase):
    """Save and load a member's unfinished text for one target (e.g. "contribution:<prompt>").

    Each text says when and on which computer it was written; a text older than the one stored
    never replaces it (it becomes the earlier draft instead), so unfinished text never goes
    backwards, and an earlier draft is kept until the member has seen it."""

    def save(self, member_id: str, target: str, text: str, cursor: int,
             written_at: datetime | None = None, written_on: str | None = None) -> bool:
        """Store the text and cursor (written now unless told when); an empty text clears the
        entry (an earlier draft stays). Returns False when the stored text was newer: then the
        given one is kept as the earlier draft.

        Raises :class:`StoreUnavailable` when the database cannot be reached."""
        target = clean_text(target, "The target", MAX_TARGET)
        text = clean_text(text, "The text", MAX_DRAFT, allow_empty=True)
        if not isinstance(cursor, int) or isinstance(cursor, bool) or not 0 <= cursor <= len(text):
            raise DomainError("The cursor position is outside the text.")
        given = KeptText(text, cursor, written_at or utcnow(), written_on)
        with _reachable(), self.store.transaction() as s:
            member = self._member(s, member_id)
            row = s.scalar(
                select(InProgressText).where(
                    InProgressText.member_id == member.id, InProgressText.target == target
                )
            )
            stored = None if row is None else KeptText(row.text, row.cursor, row.written_at or row.updated_at,
                                                       row.written_on)
            if text and row is not None and stored is not None and stored.when > given.when \
                    and stored.text != text:  # a copy older than the stored one: kept, not in its place
                _set_earlier(row, given)
                row.updated_at = utcnow()
                return False
            if not text:
                if row is not None and row.earlier_text is None:
                    s.delete(row)
                elif row is not None:
                    row.text, row.cursor, row.updated_at = "", 0, utcnow()
                return True
            if row is None:
                row = InProgressText(member_id=member.id, target=target)
                s.add(row)
            row.text = text
            row.cursor = cursor
            row.updated_at = utcnow()
            row.written_at, row.written_on = given.written_at, written_on
            return True

    def keep_earlier(self, member_id: str, target: str, earlier: KeptText | None) -> None:
        """Keep `earlier` as the earlier draft of this text (None: the member has it back)."""
        target = clean_text(target, "The target", MAX_TARGET)
        if earlier is not None:
            clean_text(earlier.text, "The text", MAX_DRAFT)
        with _reachable(), self.store.transaction() as s:
            member = self._member(s, member_id)
            row = s.scalar(select(InProgressText).where(
                InProgressText.member_id == member.id, InProgressText.target == target))
            if row is None and earlier is None:
                return
            if row is None:
                row = InProgressText(member_id=member.id, target=target, text="", cursor=0)
                s.add(row)
            _set_earlier(row, earlier)
            row.updated_at = utcnow()
            if not row.text and earlier is None:
                s.delete(row)

    def hand_over(self, member_id: str,
                  waiting: Sequence[tuple[str, KeptText, KeptText | None]]) -> int:
        """Give the database the texts this computer kept while it could not be reached.

        Each is saved with the time it was written, so a newer copy already in the database
        stays and the kept one becomes its earlier draft; a text's own earlier draft is kept
        beside it. Returns how many texts were handed over (:class:`StoreUnavailable` when the
        database is gone again: the caller keeps its copies)."""
        for target, kept, earlier in waiting:
            if not self.save(member_id, target, kept.text, kept.cursor, kept.written_at, kept.written_on):
                continue  # the database's copy was newer; this one is its earlier draft now
            if earlier is not None:
                self.keep_earlier(member_id, target, earlier)
        return len(waiting)

    def load(self, member_id: str, target: str) -> InProgress | None:
        """The unfinished text for this member and target (and its earlier draft), if there is
        any (:class:`StoreUnavailable` when the database cannot be reached)."""
        member_id = check_id(member_id, "member")
        target = clean_text(target, "The target", MAX_TARGET)
        with _reachable(), self.store.read() as s:
            row = s.scalar(
                select(InProgressText).where(
                    InProgressText.member_id == member_id, InProgressText.target == target
                )
            )
            if row is None:
                return None
            return InProgress(row.target, row.text, min(row.cursor, len(row.text)),
                              row.written_at or row.updated_at, row.written_on, _earlier(row))

    def clear(self, member_id: str, target: str) -> None:
        """Forget the unfinished text (after it has been submitted); an earlier draft the member
        has not seen stays."""
        self.save(member_id, target, "", 0)
