"""One way to set up a live meeting in a test: the facilitator's session, an agenda, its start.

The meeting tests (a member's window following the group, the facilitator's screens, the
exports) each need a planned meeting with a few steps, often started and on one of them; this
builds it through the services as the facilitator's screens do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.services.container import Services
from app.services.dto import PromptInfo

PASSPHRASE = "a long enough passphrase"

#: a step as a test names it: (kind, title) or (kind, title, {"dots": 3, "think_first": True})
StepSpec = tuple[str, str] | tuple[str, str, dict[str, Any]]


@dataclass(frozen=True)
class Planned:
    """What was set up: the session, the meeting, its steps' ids in order, and the question."""

    session: Any
    meeting: str
    steps: tuple[str, ...]
    prompt: PromptInfo


def facilitator_session(services: Services, project_id: str, passphrase: str = PASSPHRASE) -> Any:
    """The facilitator's session: the passphrase set now, or unlocked where it already was."""
    result = services.facilitator.set_passphrase(project_id, passphrase)
    return result.session if result.ok else services.facilitator.unlock(project_id, passphrase).session


def plan_meeting(services: Services, project_id: str, title: str, *steps: StepSpec,
                 question: str = "now", start: bool = True, on: int | None = None,
                 passphrase: str = PASSPHRASE) -> Planned:
    """Plan today's meeting `title` with `steps` (keyword and vote steps name the project's
    `question`: its "now" or "future" prompt); `start` starts it, and `on` moves the group to
    that step (its index in `steps`)."""
    session = facilitator_session(services, project_id, passphrase)
    prompt = next(p for p in services.projects.list_prompts(project_id) if p.pair_role == question)
    meetings = services.meetings
    meeting = meetings.plan(session, date.today(), title).record_id
    ids = []
    for kind, step_title, *rest in steps:
        options = rest[0] if rest else {}
        asks = prompt.id if kind in ("keywords", "vote", "draft") else None
        ids.append(meetings.add_step(session, meeting, kind, step_title, asks, **options).record_id)
    if start or on is not None:
        meetings.start(session, meeting)
    if on is not None:
        meetings.move_to(session, ids[on])
    return Planned(session, meeting, tuple(ids), prompt)
