"""A meeting's dot-vote counts, and its revealed results in short sentences for the easy-read
summary (group/summary.py).

The votes are written by app/services/meeting/, which reads its results through `vote_counts`
here (group may not import meeting; meeting may use group). A result counts in a summary only
once the facilitator has revealed it, so a summary never shows what the group could not yet see,
and never a hidden or withdrawn keyword.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.group.text_tools import question_name, quoted
from app.store.models import AgendaStep, Contribution, Prompt, Vote

TOP = 5  # an easy-read summary names the five keywords with most dots, then counts the rest


@dataclass(frozen=True)
class VoteCount:
    """One keyword's dots in one vote step."""

    contribution_id: str
    text: str
    member_id: str | None  # who wrote the keyword (None: anonymous)
    dots: int


def vote_counts(s: Session, step_id: str) -> list[VoteCount]:
    """The dots on each keyword of a vote step as the group may see them, most first (ties by the
    keyword's text): never a hidden or withdrawn keyword, even one hidden after the vote (the one
    rule of the live results, the summaries and the report; only the facilitator's votes.csv
    keeps a hidden keyword's dots, marked). Keywords with no dots are not listed."""
    c = Contribution
    rows = s.execute(select(c.id, c.text, c.member_id, func.count(Vote.id))
                     .join(Vote, Vote.contribution_id == c.id)
                     .where(Vote.step_id == step_id, c.withdrawn.is_(False), c.hidden.is_(False))
                     .group_by(c.id, c.text, c.member_id))
    counts = [VoteCount(cid, text, member_id, n) for cid, text, member_id, n in rows]
    return sorted(counts, key=lambda r: (-r.dots, r.text.casefold(), r.contribution_id))


def _dots(n: int) -> str:
    return f"{n} {'dot' if n == 1 else 'dots'}"


def step_sentences(s: Session, step: AgendaStep) -> list[str]:
    """One revealed vote step in short sentences: what was voted on, then each keyword's dots."""
    prompt = s.get(Prompt, step.prompt_id) if step.prompt_id else None
    what = f" on the words for {question_name(prompt.pair_role, prompt.text)}" if prompt else ""
    counts = vote_counts(s, step.id)
    if not counts:
        return [f"The group voted{what}.", "Nobody put a dot on a word."]
    out = [f"The group voted{what}."]
    out += [f"{quoted(r.text)} got {_dots(r.dots)}." for r in counts[:TOP]]
    rest = counts[TOP:]
    if rest:
        words = "1 more word" if len(rest) == 1 else f"{len(rest)} more words"
        out.append(f"{words} got fewer dots.")
    return out


def revealed_results(s: Session, meeting_id: str) -> list[str]:
    """E.g. ["The group voted on the words for NOW.", "“unheard” got 7 dots.", …]: each revealed
    vote step of the meeting in agenda order, its keywords most dots first."""
    steps = s.scalars(select(AgendaStep).where(
        AgendaStep.meeting_id == meeting_id, AgendaStep.kind == "vote", AgendaStep.revealed_at.is_not(None))
        .order_by(AgendaStep.position, AgendaStep.created_at))
    return [sentence for step in steps for sentence in step_sentences(s, step)]
