"""The scale benchmark's project: built fast with SQLAlchemy core bulk inserts (see bench.scale)."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update

from app.store.database import Store
from app.store.models import (
    Comment,
    Contribution,
    Definition,
    DraftVersion,
    Endorsement,
    Event,
    Meeting,
    Member,
    Project,
    Prompt,
    ReviewNote,
    Stance,
    Theme,
    new_id,
)

CHUNK = 5_000
DATA = Path(__file__).resolve().parent / "data"  # the group's own words: the held-out texts
ORDER = [Project, Member, Meeting, Prompt, Theme, Contribution, Endorsement, Definition, DraftVersion, Stance,
         Comment, ReviewNote, Event]


@dataclass(frozen=True)
class Sizes:
    """How much to build."""

    contributions: int = 100_000
    endorsements: int = 20_000
    versions: int = 5_000
    version_chars: int = 2_000
    participants: int = 29
    meetings: int = 26
    themes: int = 6

    def scaled(self, factor: int) -> Sizes:
        """The counts divided by `factor` (members, meetings and text lengths stay)."""
        return Sizes(self.contributions // factor, self.endorsements // factor, self.versions // factor,
                     self.version_chars, self.participants, self.meetings, self.themes)


@dataclass
class Built:
    """Handles to the built project."""

    project_id: str
    prompts: list[str]
    participants: list[str]
    versions: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)  # prompt -> (id, parent)
    counts: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------------- building
class _Writer:
    """Bulk inserts in chunks, with one event per record as the services would write."""

    def __init__(self, conn: Any, project_id: str) -> None:
        self.conn, self.project_id = conn, project_id
        self.pending: dict[Any, list[dict[str, Any]]] = {}

    def add(self, model: Any, row: dict[str, Any], action: str | None = None, member: str | None = None,
            kind: str = "") -> None:
        self.pending.setdefault(model, []).append(row)
        if action is not None:
            self.pending.setdefault(Event, []).append({
                "id": new_id(), "project_id": self.project_id, "member_id": member, "action": action,
                "target_kind": kind, "target_id": row["id"], "detail": {}, "created_at": row["created_at"]})
        if len(self.pending[model]) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        for model in sorted(self.pending, key=ORDER.index):  # records before what refers to them
            rows = self.pending.pop(model, [])
            if rows:
                self.conn.execute(insert(model), rows)


def _sentence(rng: random.Random, words: Sequence[str]) -> str:
    chosen = rng.choices(words, k=rng.randint(8, 20))
    return " ".join(chosen).capitalize() + "."


def _fit(rng: random.Random, words: Sequence[str], sentences: list[str], chars: int) -> list[str]:
    """Sentences joined to between chars - 100 and chars characters."""
    while sum(len(x) + 1 for x in sentences) < chars - 100:
        sentences.append(_sentence(rng, words))
    while sum(len(x) + 1 for x in sentences) > chars + 1:
        sentences.pop()
    return sentences


def _keyword(rng: random.Random, words: Sequence[str], kind: str) -> str:
    n = {"keyword": rng.choice((1, 2, 2, 3)), "phrase": rng.randint(3, 6), "experience": rng.randint(10, 30)}
    return " ".join(rng.choices(words, k=n[kind]))


def build(store: Store, sizes: Sizes, seed: int = 7) -> Built:
    """Fill an empty store with the benchmark project (see the module docstring)."""
    rng = random.Random(seed)
    texts = " ".join(f.read_text(encoding="utf-8").lower() for f in sorted(DATA.glob("*.txt")))
    words = sorted(set(re.findall(r"[a-z]+", texts)))
    start = datetime.now(timezone.utc) - timedelta(days=365)
    span = timedelta(days=360)
    project_id = new_id()
    with store.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        w = _Writer(conn, project_id)
        w.add(Project, {"id": project_id, "name": "Scale benchmark", "created_at": start})
        w.flush()
        members = [new_id() for _ in range(sizes.participants)]
        for i, mid in enumerate(members):
            w.add(Member, {"id": mid, "project_id": project_id, "display_name": f"Member {i + 1:02d}",
                           "role": "participant", "position": i, "consent_participate": True,
                           "consent_date": date.today(), "credit": "anonymous" if i % 10 == 9 else "named",
                           "created_at": start})
        facilitator = new_id()
        w.add(Member, {"id": facilitator, "project_id": project_id, "display_name": "Facilitator",
                       "role": "facilitator", "position": 99, "consent_participate": True,
                       "consent_date": date.today(), "credit": None, "created_at": start})
        meetings = [new_id() for _ in range(sizes.meetings)]
        for i, mid in enumerate(meetings):
            w.add(Meeting, {"id": mid, "project_id": project_id, "title": f"Meeting {i + 1}",
                            "held_on": (start + span * i / sizes.meetings).date(), "created_at": start})
        prompts = [new_id(), new_id()]
        for i, (pid, role) in enumerate(zip(prompts, ("now", "future"), strict=True)):
            w.add(Prompt, {"id": pid, "project_id": project_id, "position": i, "pair_role": role,
                           "text": f"What does social care mean to us {role}?", "created_at": start})
        themes = {p: [new_id() for _ in range(sizes.themes)] for p in prompts}
        for p, ids in themes.items():
            for i, tid in enumerate(ids):
                w.add(Theme, {"id": tid, "prompt_id": p, "name": f"Theme {i + 1}", "position": i,
                              "created_at": start})
        w.flush()
        for pid, other in zip(prompts, reversed(prompts), strict=True):
            conn.execute(update(Prompt).where(Prompt.id == pid).values(paired_with_id=other))
        contributions = _contributions(w, rng, words, sizes, prompts, members, meetings, themes, start, span)
        _endorsements(w, rng, sizes, members, contributions, start + span)
        built = Built(project_id, prompts, members)
        _versions(w, rng, words, sizes, prompts, members, facilitator, start, span, built)
        w.flush()
    with store.read() as s:
        for name, model in (("contributions", Contribution), ("endorsements", Endorsement),
                            ("versions", DraftVersion), ("stances", Stance), ("events", Event)):
            built.counts[name] = s.scalar(select(func.count()).select_from(model)) or 0
    return built


def build_file(url: str, sizes: Sizes, seed: int = 7) -> Built:
    """Open (migrating) the store at `url`, build the project in it and close it (for a child process)."""
    store = Store.open(url)
    try:
        return build(store, sizes, seed)
    finally:
        store.close()


def _contributions(w: _Writer, rng: random.Random, words: Sequence[str], sizes: Sizes, prompts: list[str],
                   members: list[str], meetings: list[str], themes: dict[str, list[str]], start: datetime,
                   span: timedelta) -> list[tuple[str, str | None, datetime]]:
    seen: set[tuple[str, str]] = set()
    out = []
    n = sizes.contributions
    for i in range(n):
        prompt = prompts[0] if rng.random() < 0.55 else prompts[1]
        kind = rng.choices(("keyword", "phrase", "experience"), (70, 20, 10))[0]
        text = _keyword(rng, words, kind)
        while (prompt, text) in seen:
            text = _keyword(rng, words, "phrase")
        seen.add((prompt, text))
        author = rng.choice(members)
        anonymous = rng.random() < 0.1
        created = start + span * (i / n) + timedelta(seconds=rng.random())
        cid = new_id()
        hidden = rng.random() < 0.005
        w.add(Contribution, {
            "id": cid, "prompt_id": prompt, "member_id": None if anonymous else author,
            "meeting_id": meetings[min(i * len(meetings) // n, len(meetings) - 1)],
            "theme_id": rng.choice(themes[prompt]) if rng.random() < 0.25 else None, "kind": kind,
            "text": text, "created_at": created, "hidden": hidden,
            "hidden_reason": "Names a person" if hidden else None, "withdrawn": rng.random() < 0.002,
        }, "contribution_added", None if anonymous else author, "contribution")
        out.append((cid, None if anonymous else author, created))
    return out


def _endorsements(w: _Writer, rng: random.Random, sizes: Sizes, members: list[str],
                  contributions: list[tuple[str, str | None, datetime]], end: datetime) -> None:
    popular = contributions[: max(1, len(contributions) // 50)]
    rng.shuffle(popular)
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < sizes.endorsements:
        cid, author, created = rng.choice(popular if rng.random() < 0.5 else contributions)
        member = rng.choice(members)
        if member == author or (cid, member) in pairs:
            continue
        pairs.add((cid, member))
        when = min(created + timedelta(days=rng.random() * 30), end)
        w.add(Endorsement, {"id": new_id(), "contribution_id": cid, "member_id": member,
                            "active": rng.random() < 0.9, "created_at": when, "updated_at": when},
              "endorsement_set", member, "contribution")


def _versions(w: _Writer, rng: random.Random, words: Sequence[str], sizes: Sizes, prompts: list[str],
              members: list[str], facilitator: str, start: datetime, span: timedelta, built: Built) -> None:
    definitions = {p: new_id() for p in prompts}
    for p, did in definitions.items():
        w.add(Definition, {"id": did, "prompt_id": p, "created_at": start})
    w.flush()
    chain: dict[str, list[tuple[str, list[str]]]] = {p: [] for p in prompts}  # the last two versions
    for i in range(sizes.versions):
        prompt = prompts[i % 2]
        recent = chain[prompt]
        parent = recent[-2] if len(recent) > 1 and rng.random() < 0.1 else (recent[-1] if recent else None)
        sentences = list(parent[1]) if parent else []
        if sentences:
            sentences[rng.randrange(len(sentences))] = _sentence(rng, words)
        sentences = _fit(rng, words, sentences, sizes.version_chars)
        vid, author = new_id(), rng.choice(members)
        created = start + span * (i / sizes.versions) + timedelta(hours=1)
        w.add(DraftVersion, {"id": vid, "definition_id": definitions[prompt], "author_id": author,
                             "parent_id": parent[0] if parent else None, "text": " ".join(sentences),
                             "note": f"Changed a sentence ({i})", "created_at": created},
              "version_saved", author, "draft_version")
        built.versions.setdefault(prompt, []).append((vid, parent[0] if parent else None))
        chain[prompt] = [*recent[-1:], (vid, sentences)]
        for member in rng.sample(members, rng.randint(0, 6)):
            w.add(Stance, {"id": new_id(), "version_id": vid, "member_id": member, "created_at": created,
                           "updated_at": created, "position": rng.choice(("agree", "unsure", "disagree")),
                           "reason": "" if rng.random() < 0.8 else _sentence(rng, words)},
                  "stance_set", member, "draft_version")
        if rng.random() < 0.2:
            w.add(Comment, {"id": new_id(), "version_id": vid, "member_id": rng.choice(members),
                            "text": _sentence(rng, words), "created_at": created}, "comment_added")
        if rng.random() < 0.02 or i >= sizes.versions - 2:
            decision = "final" if i >= sizes.versions - 2 else rng.choice(("agreed", None))
            w.add(ReviewNote, {"id": new_id(), "version_id": vid, "author_id": facilitator,
                               "text": _sentence(rng, words), "decision": decision, "created_at": created})
