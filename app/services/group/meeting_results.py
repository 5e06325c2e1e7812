"""A meeting's revealed results in short sentences, for the easy-read summary (group/summary.py).

The votes are kept by app/services/meeting/; a result counts here only once the facilitator
has revealed it, so a summary never shows what the group could not yet see.
"""

from __future__ import annotations

from sqlalchemy.orm import Session


def revealed_results(s: Session, meeting_id: str) -> list[str]:
    """E.g. ["The group voted.", "“unheard” got 7 dots.", …], most dots first."""
    return []
