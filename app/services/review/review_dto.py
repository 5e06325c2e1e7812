"""Plain values for the facilitator's side: unlocking, review, participants, exports.

Like app/services/dto.py, these are frozen dataclasses holding plain values only; a
screen never receives an ORM object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.services.dto import CommentInfo, PromptInfo, StanceSummary

# --- facilitator mode ----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FacilitatorSession:
    """Proof that the facilitator's passphrase was given: pass it to every facilitator method.

    Opaque to the UI: it is only valid while the FacilitatorService that issued it keeps it
    (until `lock`, an idle timeout, or the app closes). Building one by hand gives nothing:
    its token is unknown to the service, which then raises FacilitatorLocked.
    """

    project_id: str
    member_id: str | None  # the project's facilitator member, who the audit log names
    token: str = field(repr=False)


@dataclass(frozen=True)
class UnlockResult:
    """The answer to a passphrase: ok, or how long to wait and why; `session` when ok."""

    ok: bool
    wait_seconds: int
    message: str
    session: FacilitatorSession | None = None


# --- review dashboard ----------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeInfo:
    """A theme of one prompt and how many visible contributions it holds."""

    id: str
    prompt_id: str
    name: str
    position: int
    count: int


@dataclass(frozen=True)
class MeetingInfo:
    """A dated meeting."""

    id: str
    held_on: date
    title: str


@dataclass(frozen=True)
class KeywordRow:
    """A contribution as the facilitator reviews it (hidden ones included, marked)."""

    id: str
    prompt_id: str
    text: str
    kind: str
    author: str | None  # None: anonymous
    endorsements: int
    endorsers: tuple[str, ...]
    meeting_id: str | None
    meeting: str | None  # "First meeting (2024-05-01)"
    theme_id: str | None
    theme: str | None
    hidden: bool
    hidden_reason: str | None
    created_at: datetime
    comments: tuple[CommentInfo, ...]


@dataclass(frozen=True)
class PromptReview:
    """One prompt's keywords, themes and meetings for the review dashboard."""

    prompt: PromptInfo
    keywords: tuple[KeywordRow, ...]
    themes: tuple[ThemeInfo, ...]
    meetings: tuple[MeetingInfo, ...]

    @property
    def visible(self) -> tuple[KeywordRow, ...]:
        """The keywords the group sees (not hidden)."""
        return tuple(k for k in self.keywords if not k.hidden)


# --- definition history --------------------------------------------------------------------


@dataclass(frozen=True)
class VersionNode:
    """One version in the timeline: where it sits, who wrote it, what the group and I said.

    `number` counts versions oldest first from 1. Versions written from the same parent
    are siblings (`sibling_group` is the parent's id, or "root"). `lane` is a column for
    drawing branches: a version stays in its parent's lane if it is the parent's first
    child, and opens a new lane otherwise. `review_note` and `decision` are private to
    the facilitator.
    """

    id: str
    number: int
    parent_id: str | None
    parent_number: int | None
    children: tuple[str, ...]
    sibling_ids: tuple[str, ...]
    sibling_group: str
    lane: int
    author: str | None
    text: str
    note: str
    created_at: datetime
    stances: StanceSummary
    comments: tuple[CommentInfo, ...]
    decision: str | None
    review_note: str
    is_current: bool


@dataclass(frozen=True)
class DefinitionHistory:
    """Every version of one prompt's definition, oldest first, and which one counts.

    `chosen_id` is the version an export uses: the newest marked "final", else the newest
    marked "agreed", else the current (newest) one; `chosen_kind` says which rule applied.
    """

    prompt_id: str
    definition_id: str | None
    versions: tuple[VersionNode, ...]
    current_id: str | None
    chosen_id: str | None
    chosen_kind: str | None  # "final" | "agreed" | "current" | None


# --- participants ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentRecord:
    """A member's consent: given to set_consent and returned inside ParticipantInfo."""

    consent_date: date | None = None
    participate: bool = False
    quote: bool = False
    credit: str | None = None  # "named" | "anonymous" | None
    keep_until: date | None = None


@dataclass(frozen=True)
class ParticipantInfo:
    """A member as the facilitator manages them."""

    id: str
    display_name: str
    role: str
    position: int
    consent: ConsentRecord
    withdrawn_at: datetime | None
    created_at: datetime
    real_name: str | None = None  # typed by the facilitator on this machine; shown only to them


@dataclass(frozen=True)
class AffectedItem:
    """One record a withdrawal would change: its kind, id, text and what happens to it."""

    kind: str
    id: str
    text: str
    effect: str  # "deleted" | "anonymised" | "author removed" | "name replaced"


KIND_NAMES = {
    "contributions": "their keywords and phrases", "me_toos": "their me toos",
    "others_me_toos": "others' me toos on their words", "others_comments": "others' comments on their words",
    "stances": "their stances", "comments": "their comments", "versions": "versions they wrote",
    "unfinished_texts": "their unfinished texts", "review_notes": "review notes on their versions",
    "votes": "their dots in votes", "asks": "their asks in meetings",
    "audit_entries": "audit entries", "mentions": "mentions of their name",
    "texts_on_this_computer": "their unsaved texts on this computer", "backups": "backups",
    "involvement": "their involvement record (time, expenses, notes)",
    "payment_record": "what they were paid for",
}


def kind_name(kind: str) -> str:
    """A kind of record a withdrawal touches, in plain words ("others' me toos on their words")."""
    return KIND_NAMES.get(kind, kind.replace("_", " "))


@dataclass(frozen=True)
class WithdrawalPreview:
    """What withdrawing a member would do, computed before anything changes.

    `counts` has one entry per kind of record touched: "contributions", "me_toos",
    "stances", "comments", "versions", "unfinished_texts", "review_notes",
    "audit_entries", "mentions" and, when deleting, "others_me_toos" and
    "others_comments" (other people's on the contributions that go). `items` lists each
    record with its text and what happens to it.
    """

    member_id: str
    display_name: str
    placeholder: str
    mode: str  # "delete" | "anonymise"
    counts: dict[str, int]
    items: tuple[AffectedItem, ...]

    @property
    def summary(self) -> str:
        """One line to show and speak, e.g. "contributions: 3 deleted; versions: 1 author removed"."""
        effects = {item.kind: item.effect for item in self.items}
        parts = [
            f"{kind_name(kind)}: {n} {effects.get(kind, 'changed')}"
            for kind, n in self.counts.items()
            if n
        ]
        return "; ".join(parts) if parts else "Nothing else changes."


@dataclass(frozen=True)
class AuditRow:
    """One audit-log entry with the acting member's current display name (None: no one)."""

    id: str
    created_at: datetime
    member_id: str | None
    member: str | None
    action: str
    target_kind: str
    target_id: str | None
    detail: dict[str, Any]


# --- exports ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    """The files an export wrote and a line to announce."""

    paths: tuple[Path, ...]
    message: str
