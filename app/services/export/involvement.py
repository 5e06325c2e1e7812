"""The involvement record as files: involvement.csv and a printable Word statement per member.

Both are the facilitator's, for payments and for a member's benefits paperwork ("hours of
involvement between … and …"); neither goes into the research exports. Names: pseudonyms,
or with `real_names` the real name where the facilitator recorded one (a statement is the
member's own document; research credit does not come into it). A withdrawn member appears
only through their kept payment record, under the placeholder name, with the reason it is
kept. Written atomically, owner-only, like every export; each is logged ("export_written").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from docx import Document
from docx.shared import Pt

from app.services.errors import NotFound
from app.services.export.csv import write_csv
from app.services.export.docx import add_table
from app.services.export.files import ExportError, atomic_writer, check_file_target
from app.services.review.involvement_dto import (
    InvolvementRecord,
    KeptPayment,
    day_text,
    hours_decimal,
    hours_text,
    money_text,
)
from app.services.review.involvement_read import check_period, read_kept, read_records
from app.store.database import Store
from app.store.models import Member, Project

COLUMNS = ("member_id", "member", "status", "day", "meeting_id", "meeting", "meeting_minutes",
           "preparation_minutes", "total_minutes", "total_hours", "expenses_pence", "expenses", "note")


def _project(s: Any, project_id: str) -> Project:
    project = s.get(Project, project_id) if isinstance(project_id, str) else None
    if project is None:
        raise ExportError("Unknown project.")
    return project


def _rows(records: list[InvolvementRecord], kept: list[KeptPayment], real_names: bool) -> Iterator[tuple]:
    for r in records:
        for line in r.lines:
            total = line.meeting_minutes + line.preparation_minutes
            yield (r.member_id, r.named(real_names), "taking part", line.day.isoformat(), line.meeting_id,
                   line.meeting, line.meeting_minutes, line.preparation_minutes, total, hours_decimal(total),
                   line.expenses_pence, money_text(line.expenses_pence), line.note)
    for k in kept:
        for line in k.lines:
            total = line.meeting_minutes + line.preparation_minutes
            yield (None, k.pseudonym, "withdrawn: payment record kept", line.day.isoformat(), None,
                   line.meeting,
                   line.meeting_minutes, line.preparation_minutes, total, hours_decimal(total),
                   line.expenses_pence, money_text(line.expenses_pence), k.reason)


def export_involvement_csv(store: Store, project_id: str, folder: Path | str, *, since: date | None = None,
                           until: date | None = None, real_names: bool = False) -> Path:
    """Write `folder`/involvement.csv: one row per dated line of each member's record."""
    since, until = check_period(since, until)
    target = Path(folder).expanduser()
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} is a file; the involvement export needs a folder.")
    if not target.parent.is_dir():
        raise ExportError(f"The folder {target.parent} does not exist.")
    with store.read() as s:
        _project(s, project_id)
        records = read_records(s, project_id, None, since, until)
        kept = [k for k in read_kept(s, project_id)]
    path = target / "involvement.csv"
    try:
        target.mkdir(mode=0o700, exist_ok=True)
        with atomic_writer(path) as handle:
            write_csv(handle, COLUMNS, _rows(records, kept, real_names))
    except OSError as exc:
        raise ExportError(f"Could not write into {target}: {exc.strerror or exc}") from exc
    return path


# --- the Word statement ------------------------------------------------------------------------


def statement_name(record: InvolvementRecord, real_names: bool) -> str:
    """A file name for a member's statement: "statement-Alex.docx" (only letters, digits, - and _)."""
    safe = re.sub(r"[^\w-]+", "-", record.named(real_names)).strip("-") or record.member_id[:8]
    return f"statement-{safe}.docx"


def period_text(record: InvolvementRecord, today: date) -> tuple[str, str]:
    """The first and last day a statement covers, in words."""
    first = record.since or record.first_day or today
    last = record.until or today
    return day_text(first), day_text(last)


def render_statement(handle: BinaryIO, record: InvolvementRecord, project_name: str, real_names: bool,
                     today: date) -> None:
    """A member's statement of involvement as a .docx file, into `handle`."""
    doc = Document()
    doc.styles["Normal"].font.size = Pt(12)
    name = record.named(real_names)
    first, last = period_text(record, today)
    doc.core_properties.title = f"Statement of involvement: {name}"
    doc.core_properties.author = "Co-production Canvas"
    doc.add_heading("Statement of involvement", level=0)
    doc.add_paragraph(f"Name: {name}")
    doc.add_paragraph(f"Project: {project_name}")
    doc.add_paragraph(f"Period: {first} to {last}")
    doc.add_heading(f"Hours of involvement between {first} and {last}", level=1)
    meetings = "1 meeting" if record.meetings == 1 else f"{record.meetings} meetings"
    doc.add_paragraph(
        f"{name} gave {hours_text(record.total_minutes)} ({hours_decimal(record.total_minutes)} hours) "
        f"of involvement: {hours_text(record.meeting_minutes)} in {meetings} and "
        f"{hours_text(record.preparation_minutes)} preparing.")
    doc.add_paragraph(f"Expenses: {money_text(record.expenses_pence)}.")
    doc.add_heading("Each day", level=1)
    if record.lines:
        rows = [[day_text(x.day), x.meeting or "", hours_text(x.meeting_minutes),
                 hours_text(x.preparation_minutes),
                 money_text(x.expenses_pence), x.note] for x in record.lines]
        rows.append(["Total", meetings, hours_text(record.meeting_minutes),
                     hours_text(record.preparation_minutes),
                     money_text(record.expenses_pence), ""])
        add_table(doc, ["Day", "Meeting", "In the meeting", "Preparing", "Expenses", "Note"], rows)
    else:
        doc.add_paragraph("Nothing is recorded in this period.")
    doc.add_paragraph("")
    doc.add_paragraph(f"Made with Co-production Canvas on {day_text(today)} from the facilitator's record.")
    doc.add_paragraph("Signed (facilitator): ______________________    Date: ______________")
    doc.save(handle)


def export_statement(store: Store, project_id: str, member_id: str, path: Path | str, *,
                     since: date | None = None, until: date | None = None, real_names: bool = False,
                     today: date | None = None) -> Path:
    """Write one member's statement of involvement to `path` (atomically)."""
    since, until = check_period(since, until)
    target = check_file_target(path)
    with store.read() as s:
        project = _project(s, project_id)
        member = s.get(Member, member_id) if isinstance(member_id, str) else None
        if member is None or member.project_id != project.id or member.withdrawn_at is not None:
            raise NotFound("Unknown member (or one who has withdrawn).")
        record = read_records(s, project.id, [member.id], since, until)[0]
        name = project.name
    try:
        with atomic_writer(target) as handle:
            render_statement(handle, record, name, real_names, today or date.today())
    except OSError as exc:
        raise ExportError(f"Could not write {target}: {exc.strerror or exc}") from exc
    return target


def export_statements(store: Store, project_id: str, folder: Path | str, *, since: date | None = None,
                      until: date | None = None, real_names: bool = False) -> list[Path]:
    """Every participant's statement, into `folder` (made if missing; its parent must exist)."""
    target = Path(folder).expanduser()
    if not target.parent.is_dir():
        raise ExportError(f"The folder {target.parent} does not exist.")
    with store.read() as s:
        _project(s, project_id)
        records = read_records(s, project_id, None, since, until)
    target.mkdir(mode=0o700, exist_ok=True)
    return [export_statement(store, project_id, r.member_id, target / statement_name(r, real_names),
                             since=since, until=until, real_names=real_names) for r in records]
