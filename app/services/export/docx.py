"""The project report as a Word document (python-docx).

Real headings (so a screen reader can move by them), tables with a repeating header
row, and the chosen definition of each question first; then the now and future pair
side by side, the keyword table and the version history.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table

from app.services.export.markdown import version_meta, version_title
from app.services.export.report import (
    ANONYMOUS,
    ExportError,
    Progress,
    PromptSection,
    Report,
    atomic_write,
    check_file_target,
    gather_report,
)
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


def _section(doc: DocumentObject, number: int, sec: PromptSection) -> None:
    doc.add_heading(f"Question {number}: {sec.prompt.text}", level=1)
    if sec.prompt.pair_role:
        doc.add_paragraph(sec.prompt.pair_role.upper())
    doc.add_heading(f"Definition ({sec.chosen_label})", level=2)
    chosen = sec.chosen
    doc.add_paragraph(chosen.text if chosen else "No definition has been written yet.")
    doc.add_heading("Keywords", level=2)
    if sec.review.keywords:
        _table(doc, ["Keyword", "Kind", "Me too", "Author", "Theme"],
               [[k.text, k.kind, str(k.endorsements), k.author or ANONYMOUS, k.theme or ""]
                for k in sec.review.keywords])
    else:
        doc.add_paragraph("No keywords yet.")
    doc.add_heading("Version history", level=2)
    if not sec.history.versions:
        doc.add_paragraph("No versions yet.")
    for v in sec.history.versions:
        doc.add_heading(version_title(v), level=3)
        doc.add_paragraph(version_meta(v)).runs[0].italic = True
        doc.add_paragraph(v.text)
        for c in v.comments:
            doc.add_paragraph(f"{c.author or ANONYMOUS}: {c.text}", style="List Bullet")


def render(report: Report, progress: Progress | None = None, total: int = 0, done: int = 0) -> bytes:
    """The report as the bytes of a .docx file."""
    doc = Document()
    doc.core_properties.title = report.project_name
    doc.core_properties.author = "Co-production Canvas"
    doc.add_heading(report.project_name, level=0)
    doc.add_paragraph(
        f"Exported on {report.exported_on.isoformat()}. Names are pseudonyms; "
        f"\"{ANONYMOUS}\" marks contributions given without a name."
    )
    if report.pairs:
        doc.add_heading("Now and future", level=1)
        for now, future in report.pairs:
            _table(doc, [f"Now: {now.prompt.text}", f"Future: {future.prompt.text}"],
                   [[now.chosen.text if now.chosen else "No definition yet.",
                     future.chosen.text if future.chosen else "No definition yet."],
                    [now.chosen_label, future.chosen_label]])
    for i, sec in enumerate(report.sections, start=1):
        _section(doc, i, sec)
        if progress is not None:
            progress(done + i, total)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def export_docx(store: Store, project_id: str, path: Path | str, *, real_names: bool = False,
                progress: Progress | None = None) -> Path:
    """Write the project report as DOCX to `path` (atomically); returns the path."""
    target = check_file_target(path)
    report = gather_report(store, project_id, real_names)
    total = len(report.sections) + 2
    if progress is not None:
        progress(1, total)
    data = render(report, progress, total, 1)
    try:
        atomic_write(target, data)
    except OSError as exc:
        raise ExportError(f"Could not write {target}: {exc.strerror or exc}") from exc
    if progress is not None:
        progress(total, total)
    return target
