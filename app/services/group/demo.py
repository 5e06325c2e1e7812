"""The demo project: made on first start with an empty store, or with --demo."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from app.store.database import Store
from app.store.models import (
    Contribution,
    Definition,
    DraftVersion,
    Endorsement,
    Event,
    Meeting,
    Member,
    Project,
    Prompt,
    utcnow,
)

DEMO_NAME = "What social care means to us"
PARTICIPANTS = ("Alex", "Sam", "Jordan", "Priya", "Kai")
FACILITATOR = "Ruth (facilitator)"
NOW_KEYWORDS = (
    "unheard", "health before social", "tickbox", "medicalised", "patronising",
    "just a number", "fighting for care",
)
FUTURE_KEYWORDS = (
    "willingness to engage", "focused on what we can do", "enabling", "being known",
    "proactive", "coordinated",
)
NOW_DRAFT = (
    "Social care now often leaves us unheard. It feels like a tickbox exercise "
    "where health comes before social life, and we keep fighting for care."
)


def is_empty(store: Store) -> bool:
    """True when the store holds no project at all."""
    with store.read() as s:
        return (s.scalar(select(func.count()).select_from(Project)) or 0) == 0


def create_demo(store: Store, name: str = DEMO_NAME) -> str:
    """Create the demo project (once; an existing one of that name is kept) and return its id."""
    with store.transaction() as s:
        existing = s.scalar(select(Project).where(Project.name == name))
        if existing is not None:
            return existing.id
        project = Project(name=name)
        s.add(project)
        s.flush()
        members = [
            Member(project_id=project.id, display_name=n, role="participant", position=i,
                   consent_date=date.today(), consent_participate=True, consent_quote=True,
                   credit="named")
            for i, n in enumerate(PARTICIPANTS)
        ]
        facilitator = Member(project_id=project.id, display_name=FACILITATOR, role="facilitator",
                             position=99, consent_participate=True)
        s.add_all([*members, facilitator])
        meeting = Meeting(project_id=project.id, held_on=date.today() - timedelta(days=7),
                          title="First meeting")
        now = Prompt(project_id=project.id, position=0, pair_role="now",
                     text="What does social care mean to us now?")
        future = Prompt(project_id=project.id, position=1, pair_role="future",
                        text="What should social care be in the future?")
        s.add_all([meeting, now, future])
        s.flush()
        now.paired_with_id, future.paired_with_id = future.id, now.id
        start = utcnow() - timedelta(days=7)
        for prompt, words in ((now, NOW_KEYWORDS), (future, FUTURE_KEYWORDS)):
            for i, word in enumerate(words):
                author = members[i % len(members)]
                c = Contribution(prompt_id=prompt.id, member_id=author.id, meeting_id=meeting.id,
                                 kind="keyword" if " " not in word else "phrase", text=word,
                                 created_at=start + timedelta(minutes=i))
                s.add(c)
                s.flush()
                for other in members[(i + 1) % 3: (i + 1) % 3 + i % 3]:
                    if other is not author:
                        s.add(Endorsement(contribution_id=c.id, member_id=other.id))
        definition = Definition(prompt_id=now.id)
        s.add(definition)
        s.flush()
        s.add(DraftVersion(definition_id=definition.id, author_id=members[0].id, text=NOW_DRAFT,
                           note="First draft from our keywords", created_at=start + timedelta(hours=1)))
        s.add(Event(project_id=project.id, member_id=None, action="demo_created",
                    target_kind="project", target_id=project.id))
        return project.id
