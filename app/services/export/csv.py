"""CSV files for NVivo, Excel or R: one row per record, with ids to join them.

contributions.csv, endorsements.csv, versions.csv, stances.csv, comments.csv and
events.csv, written into one folder. UTF-8 with a byte-order mark (so Excel reads
accents right; R's readr skips it), comma-separated, one header row; yes/no as 1/0;
times in ISO 8601 UTC ("2024-05-01T10:00:00.123456Z"); nothing as an empty cell.

What is left out or masked:
- withdrawn contributions (and their "me too"s and comments) never appear;
- hidden contributions do appear, with hidden=1 (the reason for hiding does not);
- review notes never appear (versions.csv has the decision only);
- names follow export.report.public_name: anonymous ones are "anonymous", and a
  withdrawn member's member_id is left empty too; an event no member made has both
  member_id and member empty.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.services.export.report import (
    ANONYMOUS,
    ExportError,
    Progress,
    atomic_write,
    public_name,
    version_decisions,
)
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
    Stance,
    Theme,
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "contributions": ("id", "prompt_id", "prompt", "kind", "text", "member_id", "author", "meeting_id",
                      "meeting_date", "theme_id", "theme", "created_at", "hidden", "endorsements"),
    "endorsements": ("id", "contribution_id", "member_id", "member", "active", "created_at", "updated_at"),
    "versions": ("id", "prompt_id", "definition_id", "number", "parent_id", "author_id", "author",
                 "created_at", "note", "text", "decision"),
    "stances": ("id", "version_id", "member_id", "member", "position", "reason", "created_at", "updated_at"),
    "comments": ("id", "version_id", "contribution_id", "member_id", "member", "text", "created_at"),
    "events": ("id", "created_at", "member_id", "member", "action", "target_kind", "target_id", "detail"),
}
Rows = list[tuple[Any, ...]]


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return str(value)


class _Names:
    """member_id and name columns for a member as exports show them."""

    def __init__(self, real_names: bool) -> None:
        self.real_names = real_names

    def __call__(self, member_id: str | None, member: Member | None) -> tuple[str | None, str]:
        if member is not None and member.withdrawn_at is not None:
            return None, ANONYMOUS
        return member_id, public_name(member, self.real_names) or ANONYMOUS


def gather_tables(s: Session, project_id: str, real_names: bool = False) -> dict[str, Rows]:
    """Every table's rows for a project, in COLUMNS order, oldest first."""
    names = _Names(real_names)
    m = aliased(Member)
    prompts = select(Prompt.id).where(Prompt.project_id == project_id)
    kept = select(Contribution.id).where(
        Contribution.prompt_id.in_(prompts), Contribution.withdrawn.is_(False)
    )
    versions = select(DraftVersion.id).join(Definition).where(Definition.prompt_id.in_(prompts))
    endorsements = s.execute(
        select(Endorsement, m).outerjoin(m, m.id == Endorsement.member_id)
        .where(Endorsement.contribution_id.in_(kept)).order_by(Endorsement.created_at, Endorsement.id)
    ).all()
    active: dict[str, int] = {}
    for e, _ in endorsements:
        active[e.contribution_id] = active.get(e.contribution_id, 0) + int(e.active)
    tables: dict[str, Rows] = {"contributions": [], "endorsements": [], "versions": [], "stances": [],
                               "comments": [], "events": []}
    for c, prompt_text, member, meeting, theme in s.execute(
        select(Contribution, Prompt.text, m, Meeting, Theme.name)
        .join(Prompt, Prompt.id == Contribution.prompt_id)
        .outerjoin(m, m.id == Contribution.member_id)
        .outerjoin(Meeting, Meeting.id == Contribution.meeting_id)
        .outerjoin(Theme, Theme.id == Contribution.theme_id)
        .where(Contribution.id.in_(kept)).order_by(Contribution.created_at, Contribution.id)
    ):
        tables["contributions"].append((
            c.id, c.prompt_id, prompt_text, c.kind, c.text, *names(c.member_id, member), c.meeting_id,
            meeting.held_on.isoformat() if meeting else None, c.theme_id, theme, c.created_at, c.hidden,
            active.get(c.id, 0)))
    for e, member in endorsements:
        tables["endorsements"].append((e.id, e.contribution_id, *names(e.member_id, member), e.active,
                                       e.created_at, e.updated_at))
    rows = s.execute(
        select(DraftVersion, Definition.prompt_id, m).join(Definition)
        .outerjoin(m, m.id == DraftVersion.author_id)
        .where(DraftVersion.id.in_(versions)).order_by(DraftVersion.created_at, DraftVersion.id)
    ).all()
    decisions = version_decisions(s, [v.id for v, *_ in rows])
    numbers: dict[str, int] = {}
    for v, prompt_id, member in rows:
        numbers[v.definition_id] = numbers.get(v.definition_id, 0) + 1
        tables["versions"].append((v.id, prompt_id, v.definition_id, numbers[v.definition_id], v.parent_id,
                                   *names(v.author_id, member), v.created_at, v.note, v.text,
                                   decisions.get(v.id)))
    for st, member in s.execute(
        select(Stance, m).outerjoin(m, m.id == Stance.member_id)
        .where(Stance.version_id.in_(versions)).order_by(Stance.created_at, Stance.id)
    ):
        tables["stances"].append((st.id, st.version_id, *names(st.member_id, member), st.position, st.reason,
                                  st.created_at, st.updated_at))
    for c, member in s.execute(
        select(Comment, m).outerjoin(m, m.id == Comment.member_id)
        .where((Comment.version_id.in_(versions)) | (Comment.contribution_id.in_(kept)))
        .order_by(Comment.created_at, Comment.id)
    ):
        tables["comments"].append((c.id, c.version_id, c.contribution_id, *names(c.member_id, member), c.text,
                                   c.created_at))
    for e, member in s.execute(
        select(Event, m).outerjoin(m, m.id == Event.member_id)
        .where(Event.project_id == project_id).order_by(Event.created_at, Event.id)
    ):
        who = names(e.member_id, member) if member is not None else (None, "")  # no one acted as a member
        tables["events"].append((e.id, e.created_at, *who, e.action, e.target_kind,
                                 e.target_id, json.dumps(e.detail or {}, sort_keys=True, ensure_ascii=False)))
    return tables


def encode(columns: Iterable[str], rows: Rows) -> bytes:
    """One CSV file's bytes: UTF-8 with BOM, a header row, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(columns))
    writer.writerows([_value(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def export_csv(store: Store, project_id: str, folder: Path | str, *, real_names: bool = False,
               progress: Progress | None = None) -> list[Path]:
    """Write the six CSV files into `folder` (made if missing; its parent must exist)."""
    target = Path(folder).expanduser()
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} is a file; CSV export needs a folder.")
    if not target.parent.is_dir():
        raise ExportError(f"The folder {target.parent} does not exist.")
    total = len(COLUMNS) + 1
    with store.read() as s:
        if not isinstance(project_id, str) or s.get(Project, project_id) is None:
            raise ExportError("Unknown project.")
        tables = gather_tables(s, project_id, real_names)
    if progress is not None:
        progress(1, total)
    paths = []
    try:
        target.mkdir(mode=0o700, exist_ok=True)
        for done, (name, columns) in enumerate(COLUMNS.items(), start=2):
            paths.append(atomic_write(target / f"{name}.csv", encode(columns, tables[name])))
            if progress is not None:
                progress(done, total)
    except OSError as exc:
        raise ExportError(f"Could not write into {target}: {exc.strerror or exc}") from exc
    return paths
