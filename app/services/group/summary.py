"""What happened to your words: a short easy-read summary of one meeting for one member.

Four parts, each a few short sentences: what they added in the meeting; who said "me too" to
it; which of their words are now in the group's definitions (by word form, as the definition
screen counts them); what the group decided (the dot votes' results once revealed, and each
definition as it stands, with how many agree). Built from what any member of the group may
see (pseudonyms, the group's shared work): never a real name, a hidden or withdrawn keyword,
a review note, or an anonymous keyword (which was never linked to anyone, them included).
Shown on the member's home screen and exported as Word (export/summary_docx.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.base import ServiceBase
from app.services.errors import NotFound
from app.services.group.meeting_results import revealed_results
from app.services.group.text_tools import keyword_coverage, question_name, quoted
from app.store.models import (
    Contribution,
    Definition,
    DraftVersion,
    Endorsement,
    Meeting,
    Member,
    Prompt,
    Stance,
)

QUOTE_LIMIT = 200  # a longer definition is cut (by quoted), so a sentence stays short enough to follow


@dataclass(frozen=True)
class SummaryPart:
    """One part of the summary: a heading and its short sentences."""

    heading: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class WordsSummary:
    """One member's summary of one meeting (or of everything so far, when there is no meeting)."""

    member_id: str
    member: str
    meeting_id: str | None
    meeting: str  # "First meeting on 5 November 2026" or "so far"
    parts: tuple[SummaryPart, ...]

    @property
    def title(self) -> str:
        return f"What happened to your words: {self.meeting}"

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(s for part in self.parts for s in part.sentences)

    @property
    def spoken(self) -> str:
        """The whole summary to read aloud, part by part."""
        return " ".join(f"{part.heading}. {' '.join(part.sentences)}" for part in self.parts)


def _names(names: list[str]) -> str:
    """["Sam"] -> "Sam"; ["Sam", "Priya", "Kai"] -> "Sam, Priya and Kai"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _day(day: date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def meeting_label(meeting: Meeting | None) -> str:
    """How the summary names its meeting."""
    if meeting is None:
        return "so far"
    return f"{meeting.title or 'the meeting'} on {_day(meeting.held_on)}"


def latest_meeting(s: Session, project_id: str) -> Meeting | None:
    """The newest meeting held (not one planned for later)."""
    return s.scalar(select(Meeting).where(Meeting.project_id == project_id, Meeting.held_on <= date.today())
                    .order_by(Meeting.held_on.desc(), Meeting.created_at.desc()).limit(1))


def build_summary(s: Session, member: Member, meeting: Meeting | None) -> WordsSummary:
    """The summary of `meeting` (None: of everything) for `member`, read in one session."""
    project_id = member.project_id
    prompts = list(s.scalars(select(Prompt).where(Prompt.project_id == project_id).order_by(Prompt.position)))
    shown = [Contribution.prompt_id.in_([p.id for p in prompts]), Contribution.hidden.is_(False),
             Contribution.withdrawn.is_(False), Contribution.member_id == member.id]
    mine = list(s.scalars(select(Contribution).where(*shown)
                          .order_by(Contribution.created_at, Contribution.id)))
    in_meeting = [c for c in mine if meeting is None or c.meeting_id == meeting.id]
    endorsers: dict[str, list[str]] = defaultdict(list)
    for cid, name in s.execute(
        select(Endorsement.contribution_id, Member.display_name)
        .join(Member, Member.id == Endorsement.member_id)
        .where(Endorsement.contribution_id.in_([c.id for c in in_meeting]), Endorsement.active.is_(True),
               Endorsement.member_id != member.id, Member.withdrawn_at.is_(None))
        .order_by(Member.position, Member.display_name)
    ):
        endorsers[cid].append(name)
    added = tuple(f"You added {quoted(c.text)}." for c in in_meeting) or ("You did not add words this time.",)
    me_too = tuple(
        f"{_names(endorsers[c.id])} said “me too” to {quoted(c.text)}." for c in in_meeting if endorsers[c.id]
    ) or (("Nobody has said “me too” to your words yet.",) if in_meeting else ("There is nothing here yet.",))
    in_definitions, decided = [], []
    for prompt in prompts:
        version = s.scalar(select(DraftVersion).join(Definition).where(Definition.prompt_id == prompt.id)
                           .order_by(DraftVersion.created_at.desc(), DraftVersion.id.desc()).limit(1))
        if version is None:
            continue
        name = question_name(prompt.pair_role, prompt.text)
        used = keyword_coverage(version.text, [c.text for c in mine if c.prompt_id == prompt.id]).used
        for word in dict.fromkeys(used):
            what = "Your words" if len(word.split()) > 1 else "Your word"
            verb = "are" if len(word.split()) > 1 else "is"
            in_definitions.append(f"{what} {quoted(word)} {verb} in the definition for {name}.")
        count = s.scalar(select(func.count()).select_from(Stance).where(
            Stance.version_id == version.id, Stance.position == "agree")) or 0
        decided.append(f"The definition for {name} now says: {quoted(version.text, QUOTE_LIMIT)}")
        decided.append(f"{count} {'person agrees' if count == 1 else 'people agree'} with it." if count
                       else "Nobody has said they agree with it yet.")
    if meeting is not None:
        decided[0:0] = revealed_results(s, meeting.id)
    parts = (
        SummaryPart("What you added", added),
        SummaryPart("Who said “me too”", me_too),
        SummaryPart("Your words in the definitions",
                    tuple(in_definitions) or ("Your words are not in a definition yet.",)),
        SummaryPart("What the group decided", tuple(decided) or ("The group has not decided anything yet.",)),
    )
    return WordsSummary(member.id, member.display_name, meeting.id if meeting else None,
                        meeting_label(meeting), parts)


class SummaryService(ServiceBase):
    """The easy-read summary a member sees on their home screen."""

    def for_member(self, member_id: str, meeting_id: str | None = None) -> WordsSummary:
        """`member_id`'s summary of a meeting (None: the newest one held; with none, everything)."""
        with self.store.read() as s:
            member = self._member(s, member_id)
            if meeting_id is None:
                meeting = latest_meeting(s, member.project_id)
            else:
                meeting = self._get(s, Meeting, meeting_id, "meeting")
                if meeting.project_id != member.project_id:
                    raise NotFound("That meeting belongs to another project.")
            return build_summary(s, member, meeting)
