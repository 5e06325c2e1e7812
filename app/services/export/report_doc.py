"""The report a DOCX or Markdown export shows, gathered in one read, and writing it to a file.

The reading of each prompt's keywords and history is in export/report.py, of the meetings
(a section each after the questions) in export/meeting_report.py; the rendering in
export/docx.py and export/markdown.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select

from app.services.dto import PromptInfo
from app.services.errors import NotFound
from app.services.export.consent import NOT_QUOTED, QuotePolicy, public_name
from app.services.export.files import ExportError, atomic_writer, check_file_target
from app.services.export.meeting_report import MeetingSection, gather_meetings
from app.services.export.report import ANONYMOUS, Progress, definition_history, prompt_review
from app.services.group.projects import prompt_info
from app.services.review.review_dto import DefinitionHistory, PromptReview, VersionNode
from app.store.database import Store
from app.store.models import Member, Project, Prompt

CHOSEN_LABELS = {"final": "final", "agreed": "agreed by the group", "current": "latest version"}


@dataclass(frozen=True)
class PromptSection:
    """One prompt as a report shows it: its keywords and its definition's history."""

    prompt: PromptInfo
    review: PromptReview
    history: DefinitionHistory

    @property
    def chosen(self) -> VersionNode | None:
        """The definition the report leads with (see DefinitionHistory.chosen_id)."""
        return next((v for v in self.history.versions if v.id == self.history.chosen_id), None)

    @property
    def chosen_label(self) -> str:
        """"final", "agreed by the group", "latest version" or "no definition yet"."""
        return CHOSEN_LABELS.get(self.history.chosen_kind or "", "no definition yet")


@dataclass(frozen=True)
class Report:
    """Everything a DOCX or Markdown report shows, gathered in one read."""

    project_id: str
    project_name: str
    exported_on: date
    real_names: bool
    sections: tuple[PromptSection, ...]
    withheld: int = 0  # texts shown as NOT_QUOTED: their writers have not agreed to being quoted
    meetings: tuple[MeetingSection, ...] = ()  # oldest first

    @property
    def intro(self) -> str:
        """The paragraph under the title: what the names are, and what is not quoted and why."""
        names = ("Names are pseudonyms, or real names where the person agreed to named credit"
                 if self.real_names else "Names are pseudonyms")
        text = (f"Exported on {self.exported_on.isoformat()}. {names}; "
                f"\"{ANONYMOUS}\" marks contributions given without a name.")
        if self.withheld:
            texts = "1 text is" if self.withheld == 1 else f"{self.withheld} texts are"
            who = "its writer has" if self.withheld == 1 else "their writers have"
            text += (f" {texts} shown as \"{NOT_QUOTED}\": {who} not agreed to being quoted. "
                     "Definitions are the group's shared text and are shown in full.")
        return text

    @property
    def pairs(self) -> list[tuple[PromptSection, PromptSection]]:
        """(now, future) sections of paired prompts, in prompt order."""
        by_id = {sec.prompt.id: sec for sec in self.sections}
        return [
            (sec, by_id[sec.prompt.paired_with_id])
            for sec in self.sections
            if sec.prompt.pair_role == "now" and sec.prompt.paired_with_id in by_id
        ]


def gather_report(store: Store, project_id: str, real_names: bool = False) -> Report:
    """The report of a project: visible keywords, definitions and history; no private notes."""
    with store.read() as s:
        project = s.get(Project, project_id) if isinstance(project_id, str) else None
        if project is None:
            raise NotFound("Unknown project.")
        prompts = s.scalars(select(Prompt).where(Prompt.project_id == project.id).order_by(Prompt.position))
        name = partial(public_name, real_names=real_names)
        members = {m.id: m for m in s.scalars(select(Member).where(Member.project_id == project.id))}
        policy = QuotePolicy(members.values())
        sections = tuple(
            PromptSection(prompt_info(p), prompt_review(s, p, name, hidden=False, quote=policy.quote),
                          definition_history(s, p, name, notes=False, quote=policy.quote))
            for p in prompts
        )
        meetings = gather_meetings(s, project.id, members, name, policy.quote)
        return Report(project.id, project.name, date.today(), real_names, sections, policy.withheld, meetings)


Renderer = Callable[[BinaryIO, "Report", "Progress | None", int, int], None]


def write_report(store: Store, project_id: str, path: Path | str, render_to: Renderer, *,
                 real_names: bool = False, progress: Progress | None = None) -> Path:
    """Gather the project's report and write it with `render_to` to `path`, atomically.
    Progress: 1 of N once gathered, a step per prompt while rendering, N of N when written."""
    target = check_file_target(path)
    report = gather_report(store, project_id, real_names)
    total = len(report.sections) + 2
    if progress is not None:
        progress(1, total)
    try:
        with atomic_writer(target) as handle:
            render_to(handle, report, progress, total, 1)
    except OSError as exc:
        raise ExportError(f"Could not write {target}: {exc.strerror or exc}") from exc
    if progress is not None:
        progress(total, total)
    return target
