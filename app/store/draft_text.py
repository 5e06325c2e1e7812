"""One kept copy of a member's unfinished text, and the rule for which of two copies wins.

A copy is kept in the database (`in_progress_text`) and, while the database cannot take it, in
this computer's `unsaved-text.json`. Each copy says when it was written and on which computer,
so that on opening the newer one wins wherever it is, and the other is kept as the earlier
draft: unfinished text never goes backwards, and no copy is thrown away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)  # a copy with no time is older than any other


@dataclass(frozen=True)
class KeptText:
    """A text, where its cursor was, and when and where it was written (None: before 0009)."""

    text: str
    cursor: int
    written_at: datetime | None = None
    written_on: str | None = None

    @property
    def when(self) -> datetime:
        """The time it was written, for comparing (the oldest possible when unknown)."""
        return self.written_at or EPOCH


def newer_first(one: KeptText, other: KeptText) -> tuple[KeptText, KeptText]:
    """(the copy that wins, the one kept as the earlier draft). A tie goes to `one`."""
    return (other, one) if other.when > one.when else (one, other)
