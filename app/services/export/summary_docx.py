""""What happened to your words" as a Word document per member: easy read, large type.

Easy-read practice: a big clear font (Arial or Verdana, 16 pt at least; here 20 pt), one
short sentence to a line, real headings (a screen reader moves by them), plenty of space,
left-aligned. The words are the member's own summary (group/summary.py): pseudonyms and the
group's shared work only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

from docx import Document
from docx.shared import Pt
from sqlalchemy import select

from app.services.errors import NotFound
from app.services.export.files import ExportError, atomic_writer
from app.services.group.summary import WordsSummary, build_summary, latest_meeting
from app.store.database import Store
from app.store.models import Meeting, Member

BODY_PT, HEADING_PT, TITLE_PT = 20, 26, 30
FONT = "Arial"


def render_summary(handle: BinaryIO, summary: WordsSummary) -> None:
    """One member's summary as a .docx file, into `handle`."""
    doc = Document()
    styles = doc.styles
    for style, size in (("Normal", BODY_PT), ("Heading 1", HEADING_PT), ("Title", TITLE_PT)):
        styles[style].font.name = FONT
        styles[style].font.size = Pt(size)
    styles["Normal"].paragraph_format.space_after = Pt(12)
    doc.core_properties.title = summary.title
    doc.core_properties.author = "Co-production Canvas"
    doc.add_heading("What happened to your words", level=0)
    doc.add_paragraph(f"For {summary.member}.")
    doc.add_paragraph(f"This is about {summary.meeting}.")
    for part in summary.parts:
        doc.add_heading(part.heading, level=1)
        for sentence in part.sentences:
            doc.add_paragraph(sentence)
    doc.save(handle)


def summary_name(summary: WordsSummary) -> str:
    """"words-Alex.docx" (letters, digits, - and _ only)."""
    safe = re.sub(r"[^\w-]+", "-", summary.member).strip("-") or summary.member_id[:8]
    return f"words-{safe}.docx"


def export_summaries(store: Store, project_id: str, folder: Path | str, meeting_id: str | None = None
                     ) -> list[Path]:
    """Every participant's summary of a meeting (None: the newest held) into `folder`."""
    target = Path(folder).expanduser()
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} is a file; give a folder.")
    if not target.parent.is_dir():
        raise ExportError(f"The folder {target.parent} does not exist.")
    with store.read() as s:
        if meeting_id is None:
            meeting = latest_meeting(s, project_id)
        else:
            meeting = s.get(Meeting, meeting_id) if isinstance(meeting_id, str) else None
            if meeting is None or meeting.project_id != project_id:
                raise NotFound("Unknown meeting.")
        members = s.scalars(select(Member).where(
            Member.project_id == project_id, Member.role == "participant", Member.withdrawn_at.is_(None))
            .order_by(Member.position, Member.display_name))
        summaries = [build_summary(s, m, meeting) for m in members]
    paths = []
    try:
        target.mkdir(mode=0o700, exist_ok=True)
        for summary in summaries:
            path = target / summary_name(summary)
            with atomic_writer(path) as handle:
                render_summary(handle, summary)
            paths.append(path)
    except OSError as exc:
        raise ExportError(f"Could not write into {target}: {exc.strerror or exc}") from exc
    return paths
