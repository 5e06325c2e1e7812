"""Exports: a DOCX or Markdown report, and CSV files for analysis.

What goes out (the same in every format unless said):
- each question's chosen definition: the newest version marked "final", else the newest
  marked "agreed", else the newest; the now and future pair side by side; the keyword
  table (text, kind, "me too" count, author or "anonymous", theme); the version history
  with authors, notes, stance counts and comments;
- never: withdrawn contributions, review notes, hidden reasons, consent records;
- hidden contributions: only in contributions.csv, flagged hidden=1, and as a voted-on
  keyword in votes.csv, flagged keyword_hidden=1 (not in DOCX/MD);
- meetings: votes.csv, asks.csv, attendance.csv (export/meetings.py) and a report section
  per meeting (export/meeting_report.py): only revealed vote results in the report;
- names: display names (pseudonyms). A member whose consent says credit "anonymous", or
  who has withdrawn, is "anonymous". With `real_names=True`, a member whose credit is
  "named" and whose real name the facilitator recorded is named by it (export/consent.py);
- words: in the DOCX and Markdown reports, a participant's own words appear only if they
  agreed to being quoted, else "[not quoted: no consent]" and a count under the title;
  definitions are the group's text and appear whole. The CSV files keep every text, with
  may_quote columns, and quote any cell a spreadsheet would run as a formula.

Files are written atomically (a temporary file in the same folder, then os.replace) and
readable by their owner only. Long exports call `progress(done, total)` as they go.
Each export is recorded in the audit log ("export_written": format and file names).

`ExportService` (for the screens) needs a live FacilitatorSession; the module functions
`export_docx`, `export_markdown` and `export_csv` are what it and the command line use.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.services.export.csv import export_csv
from app.services.export.docx import export_docx
from app.services.export.involvement import export_involvement_csv, export_statement, export_statements
from app.services.export.markdown import export_markdown
from app.services.export.report import ExportError, Progress, log_export
from app.services.export.summary_docx import export_summaries
from app.services.review.facilitator import GuardedService
from app.services.review.review_dto import ExportResult, FacilitatorSession
from app.store.database import Store

__all__ = ["ExportError", "ExportService", "export_csv", "export_docx", "export_markdown", "export_project"]

FORMATS = ("docx", "md", "csv")


def export_project(store: Store, project_id: str, fmt: str, out: Path | str, *, real_names: bool = False,
                   progress: Progress | None = None, member_id: str | None = None) -> list[Path]:
    """Write one export ("docx", "md" or "csv"; for csv `out` is a folder) and log it."""
    if fmt == "docx":
        paths = [export_docx(store, project_id, out, real_names=real_names, progress=progress)]
    elif fmt == "md":
        paths = [export_markdown(store, project_id, out, real_names=real_names, progress=progress)]
    elif fmt == "csv":
        paths = export_csv(store, project_id, out, real_names=real_names, progress=progress)
    else:
        raise ExportError(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")
    log_export(store, project_id, member_id, fmt, paths, real_names)
    return paths


class ExportService(GuardedService):
    """Exports for the facilitator's screens; each is logged as one Event."""

    def docx(self, session: FacilitatorSession, path: Path | str, real_names: bool = False,
             progress: Progress | None = None) -> ExportResult:
        """Write the report as a Word document at `path`."""
        return self._run(session, "docx", path, real_names, progress)

    def markdown(self, session: FacilitatorSession, path: Path | str, real_names: bool = False,
                 progress: Progress | None = None) -> ExportResult:
        """Write the report as Markdown at `path`."""
        return self._run(session, "md", path, real_names, progress)

    def csv(self, session: FacilitatorSession, folder: Path | str, real_names: bool = False,
            progress: Progress | None = None) -> ExportResult:
        """Write the nine CSV files into `folder`."""
        return self._run(session, "csv", folder, real_names, progress)

    def involvement_csv(self, session: FacilitatorSession, folder: Path | str, since: date | None = None,
                        until: date | None = None, real_names: bool = False) -> ExportResult:
        """Write involvement.csv (the facilitator's record for payments) into `folder`."""
        session = self._session(session)
        path = export_involvement_csv(self.store, session.project_id, folder, since=since, until=until,
                                      real_names=self._yes_no(real_names))
        log_export(self.store, session.project_id, session.member_id, "involvement_csv", [path], real_names)
        return ExportResult((path,), f"Exported involvement.csv to {path.parent}.")

    def statement(self, session: FacilitatorSession, member_id: str, path: Path | str,
                  since: date | None = None, until: date | None = None,
                  real_names: bool = False) -> ExportResult:
        """Write one member's statement of involvement (Word) at `path`."""
        session = self._session(session)
        out = export_statement(self.store, session.project_id, member_id, path, since=since, until=until,
                               real_names=self._yes_no(real_names))
        log_export(self.store, session.project_id, session.member_id, "statement", [out], real_names)
        return ExportResult((out,), f"Wrote the statement {out.name} to {out.parent}.")

    def statements(self, session: FacilitatorSession, folder: Path | str, since: date | None = None,
                   until: date | None = None, real_names: bool = False) -> ExportResult:
        """Write every participant's statement of involvement into `folder`."""
        session = self._session(session)
        paths = export_statements(self.store, session.project_id, folder, since=since, until=until,
                                  real_names=self._yes_no(real_names))
        log_export(self.store, session.project_id, session.member_id, "statement", paths, real_names)
        files = "1 statement" if len(paths) == 1 else f"{len(paths)} statements"
        return ExportResult(tuple(paths), f"Wrote {files} to {Path(folder).expanduser()}.")

    def summaries(self, session: FacilitatorSession, folder: Path | str,
                  meeting_id: str | None = None) -> ExportResult:
        """Write each participant's "What happened to your words" (Word, easy read) into `folder`."""
        session = self._session(session)
        paths = export_summaries(self.store, session.project_id, folder, meeting_id)
        log_export(self.store, session.project_id, session.member_id, "summary", paths, False)
        files = "1 summary" if len(paths) == 1 else f"{len(paths)} summaries"
        return ExportResult(tuple(paths), f"Wrote {files} to {Path(folder).expanduser()}.")

    @staticmethod
    def _yes_no(real_names: object) -> bool:
        if not isinstance(real_names, bool):
            raise ExportError("real_names is yes or no.")
        return real_names

    def _run(self, session: FacilitatorSession, fmt: str, out: Path | str, real_names: bool,
             progress: Progress | None) -> ExportResult:
        session = self._session(session)
        if not isinstance(real_names, bool):
            raise ExportError("real_names is yes or no.")
        paths = export_project(self.store, session.project_id, fmt, out, real_names=bool(real_names),
                               progress=progress, member_id=session.member_id)
        if fmt == "csv":  # the folder once: "Exported 9 files to …/canvas-…-csv."
            return ExportResult(tuple(paths), f"Exported {len(paths)} files to {paths[0].parent}.")
        return ExportResult(tuple(paths), f"Exported 1 file, {paths[0].name}, to {paths[0].parent}.")
