"""The report's meeting sections, gathered in the report's read (export/report_doc.py).

Per meeting: its date and times, its agenda, who attended (pseudonyms through `public_name`;
a withdrawn member or one credited "anonymous" is counted, not named), each vote's results
once revealed (most dots first; a vote never revealed says so and shows nothing, since the
group never saw it), and the asks with whether each was answered. Keywords in the results
are a participant's words and pass the report's QuotePolicy; hidden and withdrawn keywords
never appear. Rendered by export/markdown.py and export/docx.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.export.meetings import MeetingRecord, StepRecord, read_asks, read_attendance, read_meetings
from app.services.group.meeting_results import vote_counts
from app.services.meeting.dto import ASK_LABELS
from app.store.models import Member, Vote

Namer = Callable[[Member | None], str | None]
Quoter = Callable[[Member | None, str], str]
ANONYMOUS = "anonymous"


def clock(value: datetime | None) -> str:
    """A time of day in UTC, "14:05" ("" for none)."""
    return "" if value is None else value.strftime("%H:%M")


@dataclass(frozen=True)
class VoteResult:
    """A vote step and, once revealed, its keywords' dots, most first."""

    step: StepRecord
    results: tuple[tuple[str, int], ...]
    voters: int  # members who put at least one dot (on a keyword the report may show)

    @property
    def revealed(self) -> bool:
        return self.step.revealed_at is not None

    @property
    def title(self) -> str:
        """E.g. "Vote: Vote (What does social care mean to us now?)"."""
        about = f" ({self.step.prompt})" if self.step.prompt else ""
        return f"Vote: {self.step.title}{about}"

    @property
    def summary(self) -> str:
        """One line under the title: dots each, how many voted, or that it was never revealed."""
        if not self.revealed:
            return "The results were not revealed to the group, so they are not shown here."
        each = f"Each member had {self.step.dots} {'dot' if self.step.dots == 1 else 'dots'}."
        if not self.results:
            return f"{each} Nobody put a dot on a keyword."
        total = sum(n for _, n in self.results)
        who = "1 member" if self.voters == 1 else f"{self.voters} members"
        return f"{each} {who} put {total} {'dot' if total == 1 else 'dots'}."


@dataclass(frozen=True)
class AskLine:
    """One ask: who, what, when, and when it was answered (None: never)."""

    who: str
    what: str
    asked_at: datetime
    answered_at: datetime | None

    @property
    def answered(self) -> str:
        """"yes, at 10:33 UTC" or "no"."""
        return f"yes, at {clock(self.answered_at)} UTC" if self.answered_at is not None else "no"


@dataclass(frozen=True)
class MeetingSection:
    """One meeting as the report shows it."""

    meeting: MeetingRecord
    attended: tuple[str, ...]  # the names the report may show, in the members' order
    unnamed: int  # attendees the report may not name
    votes: tuple[VoteResult, ...]
    asks: tuple[AskLine, ...]

    @property
    def when(self) -> str:
        """E.g. "2026-12-02 · ran 10:02–11:05 UTC · planned 10:00–11:00 UTC"."""
        m = self.meeting
        parts = [m.held_on.isoformat()]
        if m.started_at is not None:
            parts.append(f"ran {clock(m.started_at)}–{clock(m.ended_at) or 'not ended'} UTC")
        if m.starts_at is not None and m.ends_at is not None:
            parts.append(f"planned {clock(m.starts_at)}–{clock(m.ends_at)} UTC")
        return " · ".join(parts)

    @property
    def agenda(self) -> tuple[str, ...]:
        """Each step in order, e.g. "Keywords for NOW (keywords)"."""
        return tuple(f"{st.title} ({st.kind})" for st in self.meeting.steps)

    @property
    def attendance(self) -> str:
        """E.g. "Alex, Sam and 1 person not named (3 in all)."."""
        names = list(self.attended)
        if self.unnamed:
            names.append("1 person not named" if self.unnamed == 1 else f"{self.unnamed} people not named")
        if not names:
            return "No attendance was recorded."
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return f"{listed} ({len(self.attended) + self.unnamed} in all)."


def gather_meetings(s: Session, project_id: str, members: dict[str, Member], name: Namer,
                    quote: Quoter) -> tuple[MeetingSection, ...]:
    """Every meeting of the project as the report shows it, oldest first."""
    meetings = read_meetings(s, project_id)
    present: dict[str, list[str | None]] = {m.id: [] for m in meetings}
    for row in read_attendance(s, project_id, meetings, members):
        if row.attended:
            present[row.meeting_id].append(name(members.get(row.member_id)))
    asks: dict[str, list[AskLine]] = {m.id: [] for m in meetings}
    for a in read_asks(s, meetings):
        asks[a.meeting_id].append(AskLine(name(members.get(a.member_id)) or ANONYMOUS,
                                          ASK_LABELS.get(a.kind, a.kind), a.created_at, a.answered_at))
    out = []
    for m in meetings:
        votes = []
        for st in m.steps:
            if st.kind != "vote":
                continue
            counts = vote_counts(s, st.id) if st.revealed_at is not None else []
            shown = [c.contribution_id for c in counts]
            voters = s.scalar(select(func.count(func.distinct(Vote.member_id))).where(
                Vote.step_id == st.id, Vote.contribution_id.in_(shown))) if shown else 0
            votes.append(VoteResult(st, tuple(
                (quote(members.get(c.member_id) if c.member_id else None, c.text), c.dots) for c in counts),
                voters or 0))
        named = tuple(n for n in present[m.id] if n is not None)
        out.append(MeetingSection(m, named, len(present[m.id]) - len(named), tuple(votes), tuple(asks[m.id])))
    return tuple(out)
