"""Searching a project's contributions: a case-insensitive substring of their text, a page at a time.

What is searched is what the group sees: a project's contributions that are neither
hidden nor withdrawn, oldest first (as the prompt screen lists them). Each result is a
plain ContributionInfo (author, "me too" count, theme, whether the viewer said "me too").

An ASCII query is matched in the database with LIKE (on SQLite it ignores the case of
A-Z; on PostgreSQL ILIKE), and only one page plus one row is read, so a search stays quick
however many contributions there are. On SQLite a query with other letters ("Café") is
matched with Unicode case folding in Python, over the rows the database narrows it to (those
holding its folded form's ASCII letters, and those with any character beyond ASCII), read
in order and stopping as soon as the page is full. The query's `%`, `_` and `/` are plain
characters, never wildcards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.services.base import ServiceBase
from app.services.dto import ContributionInfo
from app.services.errors import DomainError
from app.services.group.contributions import agreement
from app.services.validation import check_id, clean_text
from app.store.models import MAX_CONTRIBUTION, Contribution, Endorsement, Member, Prompt, Theme

DEFAULT_LIMIT = 30
MAX_LIMIT = 200
STREAM_CHUNK = 2_000


@dataclass(frozen=True)
class SearchPage:
    """One page of results: `results` in order, and whether there are more after them."""

    query: str
    results: tuple[ContributionInfo, ...]
    offset: int
    limit: int
    has_more: bool

    @property
    def next_offset(self) -> int | None:
        """The offset of the next page, or None on the last page."""
        return self.offset + len(self.results) if self.has_more else None


def _check_page(limit: object, offset: object) -> tuple[int, int]:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise DomainError(f"Ask for between 1 and {MAX_LIMIT} results at a time.")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise DomainError("The page of results is out of range.")
    return limit, offset


class SearchService(ServiceBase):
    """Finding contributions by a piece of their text."""

    def search(
        self,
        project_id: str,
        query: str,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
        *,
        prompt_id: str | None = None,
        viewer_id: str | None = None,
    ) -> SearchPage:
        """Up to `limit` visible contributions whose text holds `query` (case ignored), from `offset`.

        `prompt_id` keeps to one question; `viewer_id` marks the results that member said
        "me too" to. A blank query finds nothing (an empty page).
        """
        project_id = check_id(project_id, "project")
        prompt_id = check_id(prompt_id, "prompt") if prompt_id is not None else None
        viewer_id = check_id(viewer_id, "member") if viewer_id is not None else None
        limit, offset = _check_page(limit, offset)
        text = clean_text(query, "The search", MAX_CONTRIBUTION, allow_empty=True).strip()
        if not text:
            return SearchPage(text, (), offset, limit, False)
        base = self._visible(project_id, prompt_id)
        with self.store.read() as s:
            if text.isascii() or self.store.engine.dialect.name != "sqlite":
                ids = self._like(s, base, text, limit + 1, offset)
            else:
                ids = self._folded(s, base, text, limit + 1, offset)
            results = self._infos(s, ids[:limit], viewer_id)
        return SearchPage(text, results, offset, limit, len(ids) > limit)

    @staticmethod
    def _visible(project_id: str, prompt_id: str | None) -> Select[Any]:
        query = (
            select(Contribution.id, Contribution.text)
            .join(Prompt, Prompt.id == Contribution.prompt_id)
            .where(Prompt.project_id == project_id, Contribution.hidden.is_(False),
                   Contribution.withdrawn.is_(False))
            .order_by(Contribution.created_at, Contribution.id)
        )
        return query if prompt_id is None else query.where(Contribution.prompt_id == prompt_id)

    def _like(self, s: Session, base: Select[Any], text: str, count: int, offset: int) -> list[str]:
        """Ids of matching rows, matched by the database (ASCII queries)."""
        if self.store.engine.dialect.name == "sqlite":  # SQLite's LIKE ignores ASCII case
            match = Contribution.text.contains(text, autoescape=True)
        else:  # ILIKE folds case letter by letter; casefold() also maps ß to ss and the like
            match = Contribution.text.icontains(text, autoescape=True)
            if text.casefold() != text.lower():
                match = match | Contribution.text.icontains(text.casefold(), autoescape=True)
        return list(s.scalars(base.with_only_columns(Contribution.id).where(match)
                              .limit(count).offset(offset)))

    @staticmethod
    def _folded(s: Session, base: Select[Any], text: str, count: int, offset: int) -> list[str]:
        """Ids of matching rows, matched with Unicode case folding (read in order, stopping early).

        A text of ASCII only can hold the folded query only if that is ASCII too, and then SQLite's
        LIKE finds it; every text with another character is read and folded here.
        """
        key = text.casefold()
        beyond_ascii = Contribution.text.op("GLOB", is_comparison=True)("*[^ -~]*")
        narrowed = base.where(beyond_ascii | Contribution.text.contains(key, autoescape=True)
                              if key.isascii() else beyond_ascii)
        found: list[str] = []
        skipped = 0
        rows = s.execute(narrowed.execution_options(yield_per=STREAM_CHUNK))
        try:
            for cid, body in rows:
                if key not in body.casefold():
                    continue
                if skipped < offset:
                    skipped += 1
                    continue
                found.append(cid)
                if len(found) == count:
                    break
        finally:
            rows.close()
        return found

    @staticmethod
    def _infos(s: Session, ids: Sequence[str], viewer_id: str | None) -> tuple[ContributionInfo, ...]:
        """The page's contributions as plain values, in the order of `ids`."""
        if not ids:
            return ()
        rows = s.execute(
            select(Contribution.id, Contribution.prompt_id, Contribution.kind, Contribution.text,
                   Member.display_name, Contribution.created_at, Theme.name)
            .outerjoin(Member, Member.id == Contribution.member_id)
            .outerjoin(Theme, Theme.id == Contribution.theme_id)
            .where(Contribution.id.in_(list(ids)))
        ).all()
        counts, mine = agreement(s, Endorsement.contribution_id.in_(list(ids)), viewer_id)
        by_id = {
            cid: ContributionInfo(
                id=cid, prompt_id=prompt_id, kind=kind, text=body, author=author,
                endorsements=counts.get(cid, 0), endorsed_by_viewer=cid in mine,
                created_at=created_at, theme=theme,
            )
            for cid, prompt_id, kind, body, author, created_at, theme in rows
        }
        return tuple(by_id[cid] for cid in ids if cid in by_id)
