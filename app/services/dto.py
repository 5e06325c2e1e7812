"""Plain values the UI receives: never live ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.store.draft_text import KeptText


@dataclass(frozen=True)
class ProjectInfo:
    """A project by id and name."""

    id: str
    name: str


@dataclass(frozen=True)
class MemberInfo:
    """A member as the screens show them."""

    id: str
    project_id: str
    display_name: str
    role: str
    anonymous_default: bool
    profile: dict[str, Any]


@dataclass(frozen=True)
class PromptInfo:
    """A question the group answers."""

    id: str
    project_id: str
    position: int
    text: str
    pair_role: str | None
    paired_with_id: str | None


@dataclass(frozen=True)
class ContributionInfo:
    """A contribution tile: text, kind, author (None when anonymous), "me too" count."""

    id: str
    prompt_id: str
    kind: str
    text: str
    author: str | None
    endorsements: int
    endorsed_by_viewer: bool
    created_at: datetime
    theme: str | None


@dataclass(frozen=True)
class VersionInfo:
    """One draft version of a definition."""

    id: str
    definition_id: str
    prompt_id: str
    parent_id: str | None
    author: str | None
    text: str
    note: str
    created_at: datetime


@dataclass(frozen=True)
class StanceInfo:
    """A member's position on a version."""

    version_id: str
    member_id: str
    member: str
    position: str
    reason: str


@dataclass(frozen=True)
class CommentInfo:
    """A remark on a version or a contribution."""

    id: str
    author: str | None
    text: str
    created_at: datetime


@dataclass(frozen=True)
class InProgress:
    """Unfinished text and where the cursor was; when and on which computer it was written,
    and the earlier draft it replaced (app/store/draft_text.py), when there is one."""

    target: str
    text: str
    cursor: int
    written_at: datetime | None = field(default=None, compare=False)  # stamps: not the content
    written_on: str | None = field(default=None, compare=False)
    earlier: KeptText | None = None

    @property
    def kept(self) -> KeptText:
        """The text as a KeptText, to compare with this computer's copy."""
        return KeptText(self.text, self.cursor, self.written_at, self.written_on)


@dataclass(frozen=True)
class Outcome:
    """The result of an action: what to announce, and a token to undo it with."""

    message: str
    undo_token: str | None = None
    record_id: str | None = None


@dataclass(frozen=True)
class StanceSummary:
    """Where the group stands on one version, and who has still to say."""

    version_id: str
    counts: dict[str, int]
    waiting: list[str]

    @property
    def text(self) -> str:
        """E.g. "4 agree · 1 unsure", or "No one has said yet"."""
        parts = [f"{self.counts[p]} {p}" for p in ("agree", "unsure", "disagree") if self.counts.get(p)]
        return " · ".join(parts) if parts else "No one has said yet"


class NewestFirstPage:
    """Mixed into a dataclass holding one page of a newest-first list (its `page`, `per_page`
    and `total` fields): which way the other pages lie."""

    page: int
    per_page: int
    total: int

    @property
    def has_newer(self) -> bool:
        """True when a page of newer items comes before this one."""
        return self.page > 0

    @property
    def has_older(self) -> bool:
        """True when a page of older items comes after this one."""
        return (self.page + 1) * self.per_page < self.total
