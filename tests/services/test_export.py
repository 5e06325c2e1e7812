"""Exports: DOCX and Markdown hold each definition and table; CSVs match the database row for row."""

from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import func, select

from app.services.container import Services
from app.services.errors import DomainError
from app.services.export import ExportError, export_project
from app.services.export.csv import COLUMNS
from app.services.group.demo import DEMO_NAME, FUTURE_KEYWORDS, NOW_DRAFT, NOW_KEYWORDS
from app.services.review.facilitator import FacilitatorLocked
from app.services.review.review_dto import ConsentRecord, FacilitatorSession
from app.store.database import Store
from app.store.models import (
    Comment,
    Contribution,
    Definition,
    DraftVersion,
    Endorsement,
    Event,
    Prompt,
    Stance,
)

from .conftest import Project

FUTURE_TEXT = "Care that is proactive, coordinated and knows us."



@pytest.fixture
def rich(services: Services, demo: Project, other: Project, fs: FacilitatorSession) -> dict[str, str]:
    """The demo with more in it: versions with a final one, stances, comments, a theme, hidden and
    withdrawn keywords, an anonymous one; and another project that must never show."""
    sv = services
    first = sv.drafts.list_versions(demo.now)[0].id
    later = sv.drafts.save_version(demo.member("Sam"), demo.now, NOW_DRAFT + " We are more than a number.",
                                   first, "added number").record_id
    sv.drafts.save_version(demo.member("Kai"), demo.now, "A newer draft no one chose.", later)
    sv.review.set_decision(fs, later, "final")
    future = sv.drafts.save_version(demo.member("Priya"), demo.future, FUTURE_TEXT, None).record_id
    sv.drafts.set_stance(demo.member("Alex"), future, "agree", "yes, \"known\", with commas")
    sv.drafts.comment(demo.member("Jordan"), future, "Line one\nline two | with a pipe")
    sv.review.set_note(fs, later, "PRIVATE NOTE")
    sv.contributions.add(demo.member("Kai"), demo.now, "anon words", anonymous=True)
    hidden = sv.contributions.add(demo.member("Kai"), demo.now, "hidden words").record_id
    sv.review.hide(fs, hidden, "HIDDEN REASON")
    theme = sv.review.create_theme(fs, demo.future, "Being known").record_id
    known = next(k.id for k in sv.review.prompt_review(fs, demo.future).keywords if k.text == "being known")
    sv.review.move_to_theme(fs, [known], theme)
    with sv.projects.store.transaction() as s:
        s.add(Contribution(prompt_id=demo.now, member_id=demo.member("Alex"), text="withdrawn words",
                           withdrawn=True))
    sv.contributions.add(other.member("Alex"), other.now, "other project words")
    return {"final": later, "future": future}


def docx_text(path: Path) -> tuple[list[str], list[list[list[str]]]]:
    doc = Document(str(path))
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in doc.tables]
    return [p.text for p in doc.paragraphs], tables


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def header(path: Path) -> tuple[str, ...]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return tuple(next(csv.reader(handle)))


def count(store: Store, query) -> int:
    with store.read() as s:
        return s.scalar(query) or 0


# --- DOCX and Markdown ------------------------------------------------------------------------


def test_docx_holds_each_definition_the_pair_and_the_tables(services: Services, demo: Project,
                                                            fs: FacilitatorSession, rich, tmp_path: Path):
    result = services.exports.docx(fs, tmp_path / "report.docx")
    assert result.paths == (tmp_path / "report.docx",) and "Exported 1 file" in result.message
    paragraphs, tables = docx_text(tmp_path / "report.docx")
    chosen = NOW_DRAFT + " We are more than a number."
    assert paragraphs[0] == DEMO_NAME
    assert "Definition (final)" in paragraphs and "Definition (latest version)" in paragraphs
    assert chosen in paragraphs and FUTURE_TEXT in paragraphs
    pair = tables[0]
    assert len(pair[0]) == 2  # now and future side by side
    assert pair[0][0].startswith("Now: ") and pair[0][1].startswith("Future: ")
    assert pair[1] == [chosen, FUTURE_TEXT] and pair[2] == ["final", "latest version"]
    now_table, future_table = tables[1], tables[2]
    assert now_table[0] == ["Keyword", "Kind", "Me too", "Author", "Theme"]
    assert [r[0] for r in now_table[1:]] == [*NOW_KEYWORDS, "anon words"]
    assert now_table[-1][3] == "anonymous"
    assert [r[0] for r in future_table[1:]] == list(FUTURE_KEYWORDS)
    assert next(r for r in future_table if r[0] == "being known")[4] == "Being known"
    tiles = {c.text: str(c.endorsements) for c in services.contributions.list_for_prompt(demo.now)}
    assert all(tiles[r[0]] == r[2] for r in now_table[1:])
    # The history: every version, the final one marked; comments in; private things out.
    assert "Version 2 (final), from version 1" in paragraphs and "Version 3, from version 2" in paragraphs
    assert "A newer draft no one chose." in paragraphs
    assert "Jordan: Line one\nline two | with a pipe" in paragraphs
    everything = "\n".join(paragraphs + [c for t in tables for r in t for c in r])
    for private in ("PRIVATE NOTE", "HIDDEN REASON", "hidden words", "withdrawn words", "other project"):
        assert private not in everything
    assert stat.S_IMODE(os.stat(tmp_path / "report.docx").st_mode) == 0o600


def test_markdown_holds_the_same(services: Services, fs: FacilitatorSession, rich, tmp_path: Path):
    services.exports.markdown(fs, tmp_path / "report.md")
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert text.startswith(f"# {DEMO_NAME}\n")
    assert f"> {NOW_DRAFT} We are more than a number." in text and f"> {FUTURE_TEXT}" in text
    assert ("| Now: What does social care mean to us now? "
            "| Future: What should social care be in the future? |") in text
    assert "| tickbox | keyword | 2 | Jordan |  |" in text
    assert "| anon words | keyword | 0 | anonymous |  |" in text
    assert "#### Version 2 (final), from version 1" in text
    assert "- Jordan: Line one line two \\| with a pipe" in text
    for private in ("PRIVATE NOTE", "HIDDEN REASON", "hidden words", "withdrawn words", "other project"):
        assert private not in text


def test_credit_anonymous_members_are_not_named(services: Services, demo: Project, fs: FacilitatorSession,
                                                tmp_path: Path):
    services.participants.set_consent(fs, demo.member("Jordan"),
                                      ConsentRecord(quote=True, credit="anonymous"))
    services.participants.set_real_name(fs, demo.member("Jordan"), "Jordan Realname")
    for real_names in (False, True):
        services.exports.markdown(fs, tmp_path / "r.md", real_names=real_names)
        text = (tmp_path / "r.md").read_text(encoding="utf-8")
        assert "Jordan" not in text and "| tickbox | keyword | 2 | anonymous |  |" in text
        assert "| Alex |" in text  # no real name recorded for Alex: the pseudonym


# --- CSV -------------------------------------------------------------------------------------


def test_csv_rows_match_the_database(store: Store, services: Services, demo: Project, fs: FacilitatorSession,
                                     rich, tmp_path: Path):
    prompts = select(Prompt.id).where(Prompt.project_id == demo.id)
    kept = select(Contribution.id).where(Contribution.prompt_id.in_(prompts),
                                         Contribution.withdrawn.is_(False))
    versions = select(DraftVersion.id).join(Definition).where(Definition.prompt_id.in_(prompts))
    expected = {
        "contributions": count(store, select(func.count()).where(Contribution.id.in_(kept))),
        "endorsements": count(store, select(func.count()).where(Endorsement.contribution_id.in_(kept))),
        "versions": count(store, select(func.count()).where(DraftVersion.id.in_(versions))),
        "stances": count(store, select(func.count()).where(Stance.version_id.in_(versions))),
        "comments": count(store, select(func.count()).select_from(Comment).where(
            Comment.version_id.in_(versions) | Comment.contribution_id.in_(kept))),
        "events": count(store, select(func.count()).where(Event.project_id == demo.id)),
    }
    assert min(expected.values()) >= 1
    expected |= {"votes": 0, "asks": 0, "attendance": 0}  # none in the demo: see test_export_meetings
    steps: list[tuple[int, int]] = []
    result = services.exports.csv(fs, tmp_path / "csv", progress=lambda d, t: steps.append((d, t)))
    assert [p.name for p in result.paths] == [f"{name}.csv" for name in COLUMNS]
    assert steps[-1][0] == steps[-1][1] and [d for d, _ in steps] == sorted(d for d, _ in steps)
    tables = {name: read_csv(tmp_path / "csv" / f"{name}.csv") for name in COLUMNS}
    assert {name: len(rows) for name, rows in tables.items()} == expected
    for name, rows in tables.items():
        assert header(tmp_path / "csv" / f"{name}.csv") == COLUMNS[name]
        assert len({r.get("id") or id(r) for r in rows}) == len(rows)
    contributions = {r["text"]: r for r in tables["contributions"]}
    assert contributions["hidden words"]["hidden"] == "1" and contributions["unheard"]["hidden"] == "0"
    assert "withdrawn words" not in contributions and "other project words" not in contributions
    anon = contributions["anon words"]
    assert (anon["author"], anon["member_id"]) == ("anonymous", "")
    assert contributions["being known"]["theme"] == "Being known"
    tiles = {c.text: c.endorsements for c in services.contributions.list_for_prompt(demo.now)}
    assert all(int(contributions[t]["endorsements"]) == n for t, n in tiles.items())
    decisions = {r["id"]: r["decision"] for r in tables["versions"]}
    assert decisions[rich["final"]] == "final" and list(decisions.values()).count("final") == 1
    stance = tables["stances"][0]
    assert (stance["member"], stance["reason"]) == ("Alex", 'yes, "known", with commas')
    assert any(r["text"] == "Line one\nline two | with a pipe" for r in tables["comments"])
    for row in tables["events"]:
        json.loads(row["detail"])
        assert row["created_at"].endswith("Z")
    everything = "\n".join(v for rows in tables.values() for r in rows for v in r.values())
    assert "PRIVATE NOTE" not in everything and "HIDDEN REASON" not in everything
    assert (tmp_path / "csv" / "contributions.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_exports_are_logged_and_leave_no_temporary_files(store: Store, services: Services, demo: Project,
                                                         fs: FacilitatorSession, tmp_path: Path, event_ids):
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    before = event_ids()
    services.exports.docx(fs, tmp_path / "a.docx")
    services.exports.markdown(fs, tmp_path / "a.md")
    services.exports.csv(fs, tmp_path / "out")
    with store.read() as s:
        new = [e for e in s.scalars(select(Event).order_by(Event.created_at)) if e.id not in before]
    assert [(e.action, e.detail["format"], e.member_id) for e in new] == [
        ("export_written", fmt, demo.facilitator) for fmt in ("docx", "md", "csv")]
    assert str(tmp_path) not in repr([e.detail for e in new])  # file names only, no folders
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx", "a.md", "out"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{n}.csv" for n in COLUMNS)


def test_an_export_replaces_the_old_file_whole(services: Services, fs: FacilitatorSession, tmp_path: Path):
    target = tmp_path / "report.md"
    target.write_text("old contents " * 10_000, encoding="utf-8")
    services.exports.markdown(fs, target)
    assert "old contents" not in target.read_text(encoding="utf-8")


def test_progress_is_reported(services: Services, fs: FacilitatorSession, tmp_path: Path):
    for export, out in ((services.exports.docx, "p.docx"), (services.exports.markdown, "p.md")):
        steps: list[tuple[int, int]] = []
        export(fs, tmp_path / out, progress=lambda d, t, steps=steps: steps.append((d, t)))
        assert steps[0][0] >= 1 and steps[-1][0] == steps[-1][1] == 4  # gather, two prompts, write


@pytest.mark.parametrize("fmt", ["docx", "md", "csv"])
def test_bad_targets_fail_plainly_and_write_nothing(store: Store, demo: Project, tmp_path: Path, counts,
                                                    fmt: str):
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    before = counts()
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "a-folder").mkdir()
    bad = [tmp_path / "missing" / "deeper" / "out", tmp_path / ("a-file" if fmt == "csv" else "a-folder")]
    for out in bad:
        with pytest.raises(ExportError):
            export_project(store, demo.id, fmt, out)
    with pytest.raises(DomainError):
        export_project(store, "no-such-project", fmt, tmp_path / "x")
    assert counts() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "a-folder"]


def test_exports_need_a_session(services: Services, demo: Project, tmp_path: Path):
    with pytest.raises(FacilitatorLocked):
        services.exports.csv(None, tmp_path / "csv")
    assert not (tmp_path / "csv").exists()
