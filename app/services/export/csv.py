"""CSV files for NVivo, Excel or R: one row per record, with ids to join them.

contributions.csv, endorsements.csv, versions.csv, stances.csv, comments.csv, events.csv,
and the meetings' votes.csv, asks.csv and attendance.csv, written into one folder. UTF-8
with a byte-order mark (so Excel reads accents right; R's readr skips it), comma-separated,
one header row (a table with no rows, e.g. no meeting yet, has its header alone); yes/no as 1/0;
times in ISO 8601 UTC ("2024-05-01T10:00:00.123456Z"); nothing as an empty cell.

What is left out or masked:
- withdrawn contributions (and their "me too"s and comments) never appear;
- hidden contributions do appear, with hidden=1 (the reason for hiding does not);
- review notes never appear (versions.csv has the decision only);
- names follow export.consent.public_name: anonymous ones are "anonymous", and a
  withdrawn member's member_id is left empty too; an event no member made has both
  member_id and member empty. attendance.csv names a withdrawn member by the placeholder
  the withdrawal gave them ("Withdrawn participant 2", withdrawn=1), as the payment record
  keeps them, so a meeting's head count stays right;
- votes.csv has one row per member, vote step and keyword, with the dots and whether the
  step's results were revealed (revealed=0: the group never saw them); asks.csv one row per
  ask, answered or not; attendance.csv one row per member and meeting, with the minutes and
  the preparation time for it, never expenses or involvement notes (export/meetings.py).

Every text is kept (this is analysis data, covered by consent to take part), with a
column saying whether its writer agreed to being quoted (export.consent.QuotePolicy):
may_quote in contributions, stances (the reason) and comments, note_may_quote in
versions (a version's text is the group's).

A cell that begins with =, +, -, @, a tab or a carriage return gets a single quote in
front (OWASP's advice on CSV injection), so Excel and LibreOffice never run it as a
formula: "=HYPERLINK(...)" is written as "'=HYPERLINK(...)". Analysts reading the files
in R or Python see that quote and can drop it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Text, func, select, type_coerce
from sqlalchemy.orm import Session

from app.services.export.consent import QuotePolicy, public_name
from app.services.export.meetings import read_asks, read_attendance, read_dots, read_meetings
from app.services.export.report import ANONYMOUS, ExportError, Progress, atomic_writer
from app.services.meeting.dto import ASK_LABELS
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
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "contributions": ("id", "prompt_id", "prompt", "kind", "text", "member_id", "author", "meeting_id",
                      "meeting_date", "theme_id", "theme", "created_at", "hidden", "endorsements",
                      "may_quote"),
    "endorsements": ("id", "contribution_id", "member_id", "member", "active", "created_at", "updated_at"),
    "versions": ("id", "prompt_id", "definition_id", "number", "parent_id", "author_id", "author",
                 "created_at", "note", "text", "decision", "note_may_quote"),
    "stances": ("id", "version_id", "member_id", "member", "position", "reason", "created_at", "updated_at",
                "may_quote"),
    "comments": ("id", "version_id", "contribution_id", "member_id", "member", "text", "created_at",
                 "may_quote"),
    "events": ("id", "created_at", "member_id", "member", "action", "target_kind", "target_id", "detail"),
    "votes": ("meeting_id", "meeting", "meeting_date", "step_id", "step", "prompt_id", "prompt", "revealed",
              "revealed_at", "contribution_id", "keyword", "keyword_hidden", "keyword_may_quote", "member_id",
              "member", "dots", "first_dot_at", "last_dot_at"),
    "asks": ("id", "meeting_id", "meeting", "meeting_date", "member_id", "member", "kind", "ask", "asked_at",
             "answered", "answered_at", "answered_by"),
    "attendance": ("meeting_id", "meeting", "meeting_date", "member_id", "member", "withdrawn", "attended",
                   "minutes", "minutes_recorded", "preparation_minutes"),
}
Row = tuple[Any, ...]
_UTC = timezone.utc
FORMULA_STARTS = frozenset("=+-@\t\r")


def safe_cell(value: Any) -> Any:
    """A text that a spreadsheet would take for a formula, with a single quote in front."""
    if value.__class__ is str and value and value[0] in FORMULA_STARTS:
        return "'" + value
    return value


def _time(value: datetime | None) -> str | None:
    """A time as ISO 8601 UTC with a Z (None stays None: the csv module writes it as an empty cell)."""
    if value is None:
        return None
    if value.tzinfo is not _UTC:
        value = value.astimezone(_UTC)
    return value.isoformat().replace("+00:00", "Z")


class _Names:
    """member_id and name columns for a member as exports show them (worked out once per member)."""

    def __init__(self, real_names: bool, members: dict[str, Member]) -> None:
        self.members = members
        self.known: dict[str | None, tuple[str | None, str]] = {None: (None, ANONYMOUS)}
        policy = QuotePolicy(members.values())
        self.quotable: dict[str | None, str] = {None: _yes(policy.may_quote(None))}
        for mid, member in members.items():
            name = public_name(member, real_names) or ANONYMOUS
            self.known[mid] = (None, ANONYMOUS) if member.withdrawn_at is not None else (mid, name)
            self.quotable[mid] = _yes(policy.may_quote(member))

    def __call__(self, member_id: str | None) -> tuple[str | None, str]:
        found = self.known.get(member_id)
        return found if found is not None else (member_id, ANONYMOUS)

    def may_quote(self, member_id: str | None) -> str:
        """"1" when the writer's words may be quoted, else "0" (an unknown writer as no writer)."""
        found = self.quotable.get(member_id)
        return found if found is not None else self.quotable[None]


def _detail(raw: object) -> str:
    """An event's detail as sorted JSON ("{}" for none), from the stored JSON text (or a driver's value)."""
    if isinstance(raw, str):
        if raw in ("{}", "null"):
            return "{}"
        raw = json.loads(raw)
    return json.dumps(raw or {}, sort_keys=True, ensure_ascii=False)


def _yes(value: bool) -> str:
    return "1" if value else "0"


def table_rows(s: Session, project_id: str, real_names: bool = False) -> Iterator[tuple[str, Iterator[Row]]]:
    """(table name, its rows as written, in COLUMNS order, oldest first) for each table in turn.

    Values come as the file holds them (times as ISO 8601 UTC text, yes/no as "1"/"0", None for
    an empty cell). The rows are read from the database as they are used: consume each table's
    rows before moving on to the next table.
    """
    db = s.connection()  # Core rows: no ORM bookkeeping for hundreds of thousands of them
    members = {m.id: m for m in s.scalars(select(Member).where(Member.project_id == project_id))}
    names = _Names(real_names, members)
    prompt_text = dict(db.execute(select(Prompt.id, Prompt.text).where(Prompt.project_id == project_id))
                       .all())
    prompts = list(prompt_text)
    e, c, v, st, cm, d = Endorsement, Contribution, DraftVersion, Stance, Comment, Definition
    shown = (c.prompt_id.in_(prompts), c.withdrawn.is_(False))
    kept = select(c.id).where(*shown)
    versions = select(v.id).join(d).where(d.prompt_id.in_(prompts))

    def contributions() -> Iterator[Row]:
        active = dict(db.execute(select(e.contribution_id, func.count()).join(c, c.id == e.contribution_id)
                                 .where(*shown, e.active.is_(True)).group_by(e.contribution_id)).all())
        held = dict(db.execute(select(Meeting.id, Meeting.held_on).where(Meeting.project_id == project_id))
                    .all())
        themes = dict(db.execute(select(Theme.id, Theme.name).where(Theme.prompt_id.in_(prompts))).all())
        for cid, prompt_id, kind, text, member_id, meeting_id, theme_id, created_at, hidden in db.execute(
            select(c.id, c.prompt_id, c.kind, c.text, c.member_id, c.meeting_id, c.theme_id, c.created_at,
                   c.hidden).where(*shown).order_by(c.created_at, c.id)
        ):
            meeting = held.get(meeting_id) if meeting_id is not None else None
            yield (cid, prompt_id, prompt_text.get(prompt_id), kind, text, *names(member_id), meeting_id,
                   meeting.isoformat() if meeting else None, theme_id, themes.get(theme_id),
                   _time(created_at), _yes(hidden), active.get(cid, 0), names.may_quote(member_id))

    def endorsements() -> Iterator[Row]:
        for eid, cid, member_id, active, created_at, updated_at in db.execute(
            select(e.id, e.contribution_id, e.member_id, e.active, e.created_at, e.updated_at)
            .where(e.contribution_id.in_(kept)).order_by(e.created_at, e.id)
        ):
            yield eid, cid, *names(member_id), _yes(active), _time(created_at), _time(updated_at)

    def version_rows() -> Iterator[Row]:
        decisions = dict(db.execute(
            select(ReviewNote.version_id, ReviewNote.decision).where(
                ReviewNote.version_id.in_(versions), ReviewNote.decision.is_not(None))
            .order_by(ReviewNote.created_at, ReviewNote.id)).all())  # the newest decision wins
        numbers: dict[str, int] = {}
        for vid, prompt_id, definition_id, parent_id, author_id, created_at, note, text in db.execute(
            select(v.id, d.prompt_id, v.definition_id, v.parent_id, v.author_id, v.created_at, v.note, v.text)
            .join(d).where(d.prompt_id.in_(prompts)).order_by(v.created_at, v.id)
        ):
            numbers[definition_id] = numbers.get(definition_id, 0) + 1
            yield (vid, prompt_id, definition_id, numbers[definition_id], parent_id, *names(author_id),
                   _time(created_at), note, text, decisions.get(vid), names.may_quote(author_id))

    def stances() -> Iterator[Row]:
        for sid, vid, member_id, position, reason, created_at, updated_at in db.execute(
            select(st.id, st.version_id, st.member_id, st.position, st.reason, st.created_at, st.updated_at)
            .where(st.version_id.in_(versions)).order_by(st.created_at, st.id)
        ):
            yield (sid, vid, *names(member_id), position, reason, _time(created_at), _time(updated_at),
                   names.may_quote(member_id))

    def comments() -> Iterator[Row]:
        for cid, vid, contribution_id, member_id, text, created_at in db.execute(
            select(cm.id, cm.version_id, cm.contribution_id, cm.member_id, cm.text, cm.created_at)
            .where(cm.version_id.in_(versions) | cm.contribution_id.in_(kept)).order_by(cm.created_at, cm.id)
        ):
            yield (cid, vid, contribution_id, *names(member_id), text, _time(created_at),
                   names.may_quote(member_id))

    def events() -> Iterator[Row]:
        for eid, created_at, member_id, action, kind, target_id, detail in db.execute(
            select(Event.id, Event.created_at, Event.member_id, Event.action, Event.target_kind,
                   Event.target_id, type_coerce(Event.detail, Text)).where(Event.project_id == project_id)
            .order_by(Event.created_at, Event.id)
        ):
            # an event no member made (or a member of no project here) names no one
            who = names(member_id) if member_id in members else (None, "")
            yield eid, _time(created_at), *who, action, kind, target_id, _detail(detail)

    yield from (("contributions", contributions()), ("endorsements", endorsements()),
                ("versions", version_rows()), ("stances", stances()), ("comments", comments()),
                ("events", events()))
    yield from meeting_rows(s, project_id, names, prompt_text)


def meeting_rows(s: Session, project_id: str, names: _Names, prompt_text: dict[str, str]
                 ) -> Iterator[tuple[str, Iterator[Row]]]:
    """votes, asks and attendance (table name, rows) as table_rows gives the others."""
    meetings = read_meetings(s, project_id)
    meeting_of = {m.id: (m.id, m.title, m.held_on.isoformat()) for m in meetings}
    steps = {st.id: (m, st) for m in meetings for st in m.steps}

    def votes() -> Iterator[Row]:
        for r in read_dots(s, meetings, names.members):
            meeting, step = steps[r.step_id]
            yield (*meeting_of[meeting.id], step.id, step.title, step.prompt_id,
                   prompt_text.get(step.prompt_id or ""), _yes(step.revealed_at is not None),
                   _time(step.revealed_at), r.contribution_id, r.keyword, _yes(r.hidden),
                   names.may_quote(r.writer_id), *names(r.member_id), r.dots, _time(r.first_at),
                   _time(r.last_at))

    def asks() -> Iterator[Row]:
        for a in read_asks(s, meetings):
            answered_by = names(a.answered_by)[1] if a.answered_by is not None else None
            yield (a.id, *meeting_of[a.meeting_id], *names(a.member_id), a.kind,
                   ASK_LABELS.get(a.kind, a.kind), _time(a.created_at), _yes(a.answered_at is not None),
                   _time(a.answered_at), answered_by)

    def attendance() -> Iterator[Row]:
        for r in read_attendance(s, project_id, meetings, names.members):
            member = names.members.get(r.member_id)
            gone = member is not None and member.withdrawn_at is not None
            who = (None, member.display_name) if gone and member is not None else names(r.member_id)
            yield (*meeting_of[r.meeting_id], *who, _yes(gone), _yes(r.attended), r.minutes,
                   _yes(r.recorded) if r.attended else None, r.preparation_minutes)

    yield from (("votes", votes()), ("asks", asks()), ("attendance", attendance()))


def write_csv(handle: BinaryIO, columns: Iterable[str], rows: Iterable[Row]) -> None:
    """One CSV file into a binary handle: UTF-8 with BOM, a header row, then the rows."""
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="", write_through=False)
    try:
        writer = csv.writer(text)
        writer.writerow(list(columns))
        writer.writerows([safe_cell(v) for v in row] for row in rows)  # None: an empty cell
        text.flush()
    finally:
        text.detach()  # the handle stays open for whoever owns it


def export_csv(store: Store, project_id: str, folder: Path | str, *, real_names: bool = False,
               progress: Progress | None = None) -> list[Path]:
    """Write the nine CSV files into `folder` (made if missing; its parent must exist)."""
    target = Path(folder).expanduser()
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} is a file; CSV export needs a folder.")
    if not target.parent.is_dir():
        raise ExportError(f"The folder {target.parent} does not exist.")
    total = len(COLUMNS) + 1
    with store.read() as s:
        if not isinstance(project_id, str) or s.get(Project, project_id) is None:
            raise ExportError("Unknown project.")
        if progress is not None:
            progress(1, total)
        paths = []
        try:
            target.mkdir(mode=0o700, exist_ok=True)
            # One table at a time, streamed from the database into its file: never all in memory.
            for done, (name, rows) in enumerate(table_rows(s, project_id, real_names), start=2):
                with atomic_writer(target / f"{name}.csv") as handle:
                    write_csv(handle, COLUMNS[name], rows)
                paths.append(target / f"{name}.csv")
                if progress is not None:
                    progress(done, total)
        except OSError as exc:
            raise ExportError(f"Could not write into {target}: {exc.strerror or exc}") from exc
    return paths
