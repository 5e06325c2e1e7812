"""The project report as a Word document (python-docx).

Real headings (so a screen reader can move by them), tables with a repeating header
row, and the chosen definition of each question first; then the now and future pair
side by side, the keyword table and the version history; then a section per meeting
(export/meeting_report.py).

A keyword table may have tens of thousands of rows: python-docx would hold them all as XML
objects (hundreds of megabytes, minutes to build). So python-docx builds each such table
with its header and first row only, followed by a placeholder paragraph; when the file is
written, the other rows are streamed into word/document.xml in its place, cell for cell as
python-docx writes them (`cell.text`: tabs as <w:tab/>, line breaks as <w:br/>).
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table

from app.services.export.markdown import version_meta, version_title
from app.services.export.meeting_report import MeetingSection, clock
from app.services.export.report import ANONYMOUS, Progress
from app.services.export.report_doc import PromptSection, Report, write_report
from app.services.review.review_dto import VersionNode
from app.store.database import Store


def _table(doc: DocumentObject, header: list[str], rows: list[list[str]]) -> Table:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    head = table.rows[0]
    for cell, text in zip(head.cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    marker = OxmlElement("w:tblHeader")  # repeat on each page; read as a header row
    marker.set(qn("w:val"), "true")
    head._tr.get_or_add_trPr().append(marker)
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    return table


add_table = _table  # for the other Word documents (export/involvement.py, export/summary_docx.py)

# Characters XML 1.0 cannot hold (lxml refuses them): dropped from streamed cells.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BREAKS = re.compile(r"(\t|\r|\n)")
ROWS_PER_WRITE = 2_000


@dataclass
class _Stream:
    """What goes in place of one placeholder: a long table's other rows, or a run of paragraphs."""

    rows: Iterator[list[str]] | None = None
    paragraphs: Iterator[str] | None = None


Streamed = dict[str, _Stream]  # placeholder text -> what to write in its place


def _runs(text: str, italic: bool = False) -> str:
    """The run python-docx's `run.text = text` makes, as XML (tabs as w:tab, line breaks as w:br)."""
    parts = ["<w:rPr><w:i/></w:rPr>"] if italic else []
    for piece in _BREAKS.split(_NOT_XML.sub("", text)):
        if piece == "\t":
            parts.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            parts.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            parts.append(f"<w:t{space}>{escape(piece)}</w:t>")
    return f"<w:r>{''.join(parts)}</w:r>" if parts else "<w:r/>"


def _paragraph(text: str, style: str | None = None, italic: bool = False) -> str:
    """The paragraph python-docx's `add_paragraph(text, style)` makes, as XML."""
    inner = (f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else "") + (
        _runs(text, italic) if text else "")
    return f"<w:p>{inner}</w:p>" if inner else "<w:p/>"


def _placeholder(doc: DocumentObject, streamed: Streamed, stream: _Stream) -> None:
    token = f"canvas-stream-{uuid.uuid4().hex}"
    doc.add_paragraph(token)
    streamed[token] = stream


def _long_table(doc: DocumentObject, header: list[str], rows: Iterable[list[str]],
                streamed: Streamed) -> None:
    """A table whose rows after the first are streamed in when the file is written (see the module)."""
    remaining = iter([_NOT_XML.sub("", text) for text in row] for row in rows)
    first = next(remaining, None)
    _table(doc, header, [] if first is None else [first])
    if first is not None:
        _placeholder(doc, streamed, _Stream(rows=remaining))


def _history(versions: Sequence[VersionNode], heading: str, bullet: str) -> Iterator[str]:
    """Each version as python-docx would add it: a heading, the italic meta line, the text, comments."""
    for v in versions:
        yield _paragraph(version_title(v), heading)
        yield _paragraph(version_meta(v), italic=True)
        yield _paragraph(v.text)
        for c in v.comments:
            yield _paragraph(f"{c.author or ANONYMOUS}: {c.text}", bullet)


def _section(doc: DocumentObject, number: int, sec: PromptSection, streamed: Streamed) -> None:
    doc.add_heading(f"Question {number}: {sec.prompt.text}", level=1)
    if sec.prompt.pair_role:
        doc.add_paragraph(sec.prompt.pair_role.upper())
    doc.add_heading(f"Definition ({sec.chosen_label})", level=2)
    chosen = sec.chosen
    doc.add_paragraph(chosen.text if chosen else "No definition has been written yet.")
    doc.add_heading("Keywords", level=2)
    if sec.review.keywords:
        _long_table(doc, ["Keyword", "Kind", "Me too", "Author", "Theme"],
                    ([k.text, k.kind, str(k.endorsements), k.author or ANONYMOUS, k.theme or ""]
                     for k in sec.review.keywords), streamed)
    else:
        doc.add_paragraph("No keywords yet.")
    doc.add_heading("Version history", level=2)
    if not sec.history.versions:
        doc.add_paragraph("No versions yet.")
    else:
        styles = doc.styles
        _placeholder(doc, streamed, _Stream(paragraphs=_history(
            sec.history.versions, styles["Heading 3"].style_id, styles["List Bullet"].style_id)))


def meeting_section(doc: DocumentObject, sec: MeetingSection) -> None:
    """One meeting: date and times, agenda, who attended, revealed vote results, asks."""
    doc.add_heading(f"Meeting: {sec.meeting.label}", level=2)
    doc.add_paragraph(f"Date: {sec.when}")
    doc.add_heading("Agenda", level=3)
    for step in sec.agenda:
        doc.add_paragraph(step, style="List Number")
    if not sec.agenda:
        doc.add_paragraph("No agenda was recorded.")
    doc.add_heading("Who attended", level=3)
    doc.add_paragraph(sec.attendance)
    for vote in sec.votes:
        doc.add_heading(vote.title, level=3)
        doc.add_paragraph(vote.summary)
        if vote.results:
            _table(doc, ["Keyword", "Dots"], [[text, str(n)] for text, n in vote.results])
    doc.add_heading("Asks", level=3)
    if sec.asks:
        _table(doc, ["Who", "Asked", "At", "Answered"],
               [[a.who, a.what, f"{clock(a.asked_at)} UTC", a.answered] for a in sec.asks])
    else:
        doc.add_paragraph("Nobody asked for a break, a repeat or to speak.")


def _write_body(xml: str, out: BinaryIO, streamed: Streamed) -> None:
    """word/document.xml with each placeholder paragraph replaced by what it stands for."""
    pos = 0
    for token, stream in streamed.items():
        marker = f"<w:p><w:r><w:t>{token}</w:t></w:r></w:p>"
        at = xml.index(marker, pos)
        if stream.rows is None:
            out.write(xml[pos:at].encode("utf-8"))
            while batch := list(islice(stream.paragraphs or iter(()), ROWS_PER_WRITE)):
                out.write("".join(batch).encode("utf-8"))
        else:
            end = at - len("</w:tbl>")  # the placeholder comes right after its table
            first_row = xml[xml.rindex("<w:tr>", pos, end):end]
            cells = [cell[:cell.index("<w:p>")] for cell in first_row.split("<w:tc>")[1:]]
            out.write(xml[pos:end].encode("utf-8"))
            while rows := list(islice(stream.rows, ROWS_PER_WRITE)):
                out.write("".join(
                    "<w:tr>" + "".join(f"<w:tc>{pre}<w:p>{_runs(text)}</w:p></w:tc>"
                                       for pre, text in zip(cells, row, strict=True)) + "</w:tr>"
                    for row in rows).encode("utf-8"))
            out.write(b"</w:tbl>")
        pos = at + len(marker)
    out.write(xml[pos:].encode("utf-8"))


def _write(doc: DocumentObject, streamed: Streamed, handle: BinaryIO) -> None:
    """Save the document into `handle`, streaming the long tables' rows into its body."""
    built = io.BytesIO()
    doc.save(built)
    with zipfile.ZipFile(built) as zin, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != "word/document.xml":
                zout.writestr(info, zin.read(info.filename))
                continue
            xml = zin.read(info.filename).decode("utf-8")
            with zout.open(zipfile.ZipInfo(info.filename, info.date_time), "w", force_zip64=True) as out:
                _write_body(xml, out, streamed)


def render_to(handle: BinaryIO, report: Report, progress: Progress | None = None, total: int = 0,
              done: int = 0) -> None:
    """Write the report as a .docx file into a binary handle."""
    doc = Document()
    doc.core_properties.title = report.project_name
    doc.core_properties.author = "Co-production Canvas"
    doc.add_heading(report.project_name, level=0)
    doc.add_paragraph(report.intro)
    if report.pairs:
        doc.add_heading("Now and future", level=1)
        for now, future in report.pairs:
            _table(doc, [f"Now: {now.prompt.text}", f"Future: {future.prompt.text}"],
                   [[now.chosen.text if now.chosen else "No definition yet.",
                     future.chosen.text if future.chosen else "No definition yet."],
                    [now.chosen_label, future.chosen_label]])
    streamed: Streamed = {}
    for i, sec in enumerate(report.sections, start=1):
        _section(doc, i, sec, streamed)
        if progress is not None:
            progress(done + i, total)
    if report.meetings:
        doc.add_heading("Meetings", level=1)
        for meeting in report.meetings:
            meeting_section(doc, meeting)
    _write(doc, streamed, handle)


def export_docx(store: Store, project_id: str, path: Path | str, *, real_names: bool = False,
                progress: Progress | None = None) -> Path:
    """Write the project report as DOCX to `path` (atomically); returns the path."""
    return write_report(store, project_id, path, render_to, real_names=real_names, progress=progress)
