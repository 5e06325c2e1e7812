"""The project report as Markdown (GitHub-flavoured tables), the same content as the DOCX."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from app.services.export.meeting_report import MeetingSection, clock
from app.services.export.report import ANONYMOUS, Progress
from app.services.export.report_doc import PromptSection, Report, write_report
from app.services.review.review_dto import VersionNode
from app.store.database import Store

_ESCAPED = "\\`*_[]<>#|"


def escape(text: str) -> str:
    """Text with Markdown's special characters backslash-escaped."""
    return "".join(f"\\{ch}" if ch in _ESCAPED else ch for ch in text)


def cell(text: str) -> str:
    """Text fit for one table cell: escaped, line breaks as <br>."""
    return "<br>".join(escape(line) for line in text.splitlines()) if text else ""


def quote(text: str) -> str:
    """A block quote of the text, line by line."""
    return "\n".join(f"> {escape(line)}" if line.strip() else ">" for line in text.splitlines())


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def version_title(v: VersionNode) -> str:
    """E.g. "Version 3 (final), from version 2"."""
    marks = {"final": " (final)", "agreed": " (agreed by the group)"}.get(v.decision or "", "")
    origin = f", from version {v.parent_number}" if v.parent_number else ""
    return f"Version {v.number}{marks}{origin}"


def version_meta(v: VersionNode) -> str:
    """Author, time, note and stances of a version on one line."""
    parts = [f"By {v.author or ANONYMOUS}", v.created_at.strftime("%Y-%m-%d %H:%M UTC")]
    if v.note:
        parts.append(f"Note: {v.note}")
    parts.append(f"Stances: {v.stances.text}")
    return " · ".join(parts)


def _section(number: int, sec: PromptSection) -> list[str]:
    lines = [f"## Question {number}: {escape(sec.prompt.text)}", ""]
    if sec.prompt.pair_role:
        lines += [f"*{sec.prompt.pair_role.upper()}*", ""]
    chosen = sec.chosen
    lines += [f"### Definition ({sec.chosen_label})", ""]
    lines += [quote(chosen.text) if chosen else "No definition has been written yet.", ""]
    lines += ["### Keywords", ""]
    if sec.review.keywords:
        rows = [[k.text, k.kind, str(k.endorsements), k.author or ANONYMOUS, k.theme or ""]
                for k in sec.review.keywords]
        lines += [*_table(["Keyword", "Kind", "Me too", "Author", "Theme"], rows), ""]
    else:
        lines += ["No keywords yet.", ""]
    lines += ["### Version history", ""]
    if not sec.history.versions:
        lines += ["No versions yet.", ""]
    for v in sec.history.versions:
        lines += [f"#### {version_title(v)}", "", escape(version_meta(v)), "", quote(v.text), ""]
        if v.comments:
            lines += ["Comments:", ""]
            lines += [f"- {escape(c.author or ANONYMOUS)}: {escape(' '.join(c.text.split()))}"
                      for c in v.comments]
            lines += [""]
    return lines


def meeting_lines(sec: MeetingSection) -> list[str]:
    """One meeting: date and times, agenda, who attended, revealed vote results, asks."""
    lines = [f"### Meeting: {escape(sec.meeting.label)}", "", escape(f"Date: {sec.when}"), "",
             "#### Agenda", ""]
    agenda = [f"{i}. {escape(step)}" for i, step in enumerate(sec.agenda, start=1)]
    lines += agenda or ["No agenda was recorded."]
    lines += ["", "#### Who attended", "", escape(sec.attendance), ""]
    for vote in sec.votes:
        lines += [f"#### {escape(vote.title)}", "", escape(vote.summary), ""]
        if vote.results:
            lines += [*_table(["Keyword", "Dots"], [[text, str(n)] for text, n in vote.results]), ""]
    lines += ["#### Asks", ""]
    if sec.asks:
        rows = [[a.who, a.what, f"{clock(a.asked_at)} UTC", a.answered] for a in sec.asks]
        lines += [*_table(["Who", "Asked", "At", "Answered"], rows), ""]
    else:
        lines += ["Nobody asked for a break, a repeat or to speak.", ""]
    return lines


def render(report: Report, progress: Progress | None = None, total: int = 0, done: int = 0) -> str:
    """The report as Markdown text."""
    lines = [f"# {escape(report.project_name)}", "", escape(report.intro), ""]
    if report.pairs:
        lines += ["## Now and future", ""]
        for now, future in report.pairs:
            lines += _table(
                [f"Now: {cell(now.prompt.text)}", f"Future: {cell(future.prompt.text)}"],
                [[now.chosen.text if now.chosen else "No definition yet.",
                  future.chosen.text if future.chosen else "No definition yet."],
                 [now.chosen_label, future.chosen_label]],
            )
            lines += [""]
    for i, sec in enumerate(report.sections, start=1):
        lines += _section(i, sec)
        if progress is not None:
            progress(done + i, total)
    if report.meetings:
        lines += ["## Meetings", ""]
        for meeting in report.meetings:
            lines += meeting_lines(meeting)
    return "\n".join(lines).rstrip() + "\n"


def _render_to(handle: BinaryIO, report: Report, progress: Progress | None, total: int, done: int) -> None:
    handle.write(render(report, progress, total, done).encode("utf-8"))


def export_markdown(store: Store, project_id: str, path: Path | str, *, real_names: bool = False,
                    progress: Progress | None = None) -> Path:
    """Write the project report as Markdown to `path` (atomically); returns the path."""
    return write_report(store, project_id, path, _render_to, real_names=real_names, progress=progress)
