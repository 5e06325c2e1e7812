"""`python main.py export …`: the same files as the service, exit codes and one-line failures."""

from __future__ import annotations

import csv
import filecmp
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

import main
from app.services.container import Services
from app.services.export import export_project
from app.services.export.csv import COLUMNS
from app.services.group.demo import DEMO_NAME, create_demo
from app.services.review.review_dto import ConsentRecord
from app.store.database import Store, sqlite_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A store file holding the demo project with a few more versions, stances and comments."""
    path = tmp_path / "data" / "canvas.db"
    store = Store.open(sqlite_url(path))
    try:
        project_id = create_demo(store)
        sv = Services.build(store)
        members = {m.display_name: m.id for m in sv.projects.list_members(project_id)}
        now, future = (p.id for p in sv.projects.list_prompts(project_id))
        first = sv.drafts.list_versions(now)[0].id
        later = sv.drafts.save_version(members["Sam"], now, "Social care now: unheard, tickbox.",
                                       first).record_id
        sv.drafts.set_stance(members["Alex"], later, "agree", "short, good")
        sv.drafts.comment(members["Kai"], later, "Yes.")
        sv.drafts.save_version(members["Priya"], future, "Care that knows us.", None)
        sv.contributions.add(members["Jordan"], now, "waiting, always", kind="phrase", anonymous=True)
        session = sv.facilitator.set_passphrase(project_id, "a long passphrase").session
        sv.review.set_decision(session, later, "final")
    finally:
        store.close()
    return path


def cli(*args: str | Path) -> int:
    return main.main(["export", *map(str, args)])


def service_export(db: Path, fmt: str, out: Path) -> None:
    store = Store.open(sqlite_url(db))
    try:
        export_project(store, store_project(store), fmt, out)
    finally:
        store.close()


def store_project(store: Store) -> str:
    return Services.build(store).projects.find_project(DEMO_NAME).id


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    if path.name == "events.csv":  # each export adds its own "export_written" entry
        action = rows[0].index("action")
        rows = [r for r in rows if r[action] != "export_written"]
    return rows


def same_csv_folders(a: Path, b: Path) -> None:
    for name in COLUMNS:
        if name != "events":
            assert filecmp.cmp(a / f"{name}.csv", b / f"{name}.csv", shallow=False), name
        assert csv_rows(a / f"{name}.csv") == csv_rows(b / f"{name}.csv"), name


def docx_content(path: Path) -> list[str]:
    doc = Document(str(path))
    return [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]


def test_csv_from_the_command_line_matches_the_service(db: Path, tmp_path: Path, capsys):
    assert cli("--db", db, "--project", DEMO_NAME, "--format", "csv", "--out", tmp_path / "cli") == 0
    out = capsys.readouterr()
    assert out.err == "" and out.out.strip() == f"canvas: exported 9 files to {tmp_path / 'cli'}"
    service_export(db, "csv", tmp_path / "service")
    same_csv_folders(tmp_path / "cli", tmp_path / "service")
    assert len(csv_rows(tmp_path / "cli" / "versions.csv")) == 1 + 3


def test_markdown_and_docx_from_the_command_line_match_the_service(db: Path, tmp_path: Path):
    for fmt, name in (("md", "r.md"), ("docx", "r.docx")):
        out = tmp_path / f"cli-{name}"
        assert cli("--db", db, "--project", DEMO_NAME, "--format", fmt, "--out", out) == 0
        service_export(db, fmt, tmp_path / f"service-{name}")
    assert (tmp_path / "cli-r.md").read_text(encoding="utf-8") == (tmp_path / "service-r.md").read_text(
        encoding="utf-8")
    content = docx_content(tmp_path / "cli-r.docx")
    assert content == docx_content(tmp_path / "service-r.docx")
    assert "Social care now: unheard, tickbox." in content and "Care that knows us." in content


def test_real_names_only_with_the_flag_and_named_credit(db: Path, tmp_path: Path):
    store = Store.open(sqlite_url(db))
    try:
        sv = Services.build(store)
        project_id = store_project(store)
        session = sv.facilitator.unlock(project_id, "a long passphrase").session
        members = {m.display_name: m.id for m in sv.projects.list_members(project_id)}
        sv.participants.set_real_name(session, members["Alex"], "Alexandra Realperson")
        sv.participants.set_real_name(session, members["Kai"], "Kai Anonymous-Credit")
        sv.participants.set_consent(session, members["Kai"], ConsentRecord(quote=True, credit="anonymous"))
    finally:
        store.close()
    assert cli("--db", db, "--project", DEMO_NAME, "--format", "md", "--out", tmp_path / "plain.md") == 0
    plain = (tmp_path / "plain.md").read_text(encoding="utf-8")
    assert "| Alex |" in plain and "Realperson" not in plain
    for fmt, out in (("md", tmp_path / "r.md"), ("csv", tmp_path / "csv")):
        assert cli("--db", db, "--project", DEMO_NAME, "--format", fmt, "--out", out, "--real-names") == 0
    named = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "| Alexandra Realperson |" in named and "| Alex |" not in named
    assert "Kai Anonymous-Credit" not in named and "| Kai |" not in named
    authors = {row[6] for row in csv_rows(tmp_path / "csv" / "contributions.csv")[1:]}
    assert "Alexandra Realperson" in authors and "Kai Anonymous-Credit" not in authors


def test_the_command_line_in_a_subprocess(db: Path, tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "main.py", "export", "--db", str(db), "--project", DEMO_NAME, "--format", "csv",
         "--out", str(tmp_path / "sub")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, "CANVAS_DB": ""},
    )
    assert done.returncode == 0, done.stderr
    service_export(db, "csv", tmp_path / "service")
    same_csv_folders(tmp_path / "sub", tmp_path / "service")

    failed = subprocess.run(
        [sys.executable, "main.py", "export", "--db", str(db), "--project", "Nobody's project", "--format",
         "md", "--out", str(tmp_path / "x.md")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert failed.returncode != 0
    assert failed.stderr.strip().count("\n") == 0 and "Nobody's project" in failed.stderr
    assert not (tmp_path / "x.md").exists()


@pytest.mark.parametrize("case", ["unknown project", "no database", "not a database", "missing folder",
                                  "out is a folder", "csv out is a file"])
def test_failures_exit_non_zero_with_one_line(db: Path, tmp_path: Path, capsys, case: str):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not an SQLite file at all" * 100)
    (tmp_path / "plain").write_text("x")
    args = {
        "unknown project": (db, "Nobody", "md", tmp_path / "x.md"),
        "no database": (tmp_path / "absent.db", DEMO_NAME, "md", tmp_path / "x.md"),
        "not a database": (junk, DEMO_NAME, "md", tmp_path / "x.md"),
        "missing folder": (db, DEMO_NAME, "docx", tmp_path / "no" / "such" / "x.docx"),
        "out is a folder": (db, DEMO_NAME, "md", tmp_path),
        "csv out is a file": (db, DEMO_NAME, "csv", tmp_path / "plain"),
    }[case]
    code = cli("--db", args[0], "--project", args[1], "--format", args[2], "--out", args[3])
    err = capsys.readouterr().err
    assert code != 0
    assert err.startswith("canvas: export failed: ") and err.count("\n") == 1, err
    assert not (tmp_path / "x.md").exists() and not (tmp_path / "absent.db").exists()


def test_a_bad_format_is_refused_by_the_parser(db: Path, tmp_path: Path):
    stderr = io.StringIO()
    sys_stderr, sys.stderr = sys.stderr, stderr
    try:
        with pytest.raises(SystemExit) as exit_info:
            cli("--db", db, "--project", DEMO_NAME, "--format", "pdf", "--out", tmp_path / "x.pdf")
    finally:
        sys.stderr = sys_stderr
    assert exit_info.value.code != 0 and "invalid choice" in stderr.getvalue()
