"""`python main.py bundle export|import|invite|computers|revoke|machine …`: exit codes, the preview
(always shown; writing needs --yes), one-line failures."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import main
from app.services.container import Services
from app.services.group.demo import DEMO_NAME, create_demo
from app.store.database import Store, sqlite_url
from tests.demo_files import demo_file
from tests.services.conftest import dump_rows, pg_url  # noqa: F401  (pg_url is a fixture)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_a(tmp_path: Path) -> Path:
    """Machine A: a store file holding the demo project."""
    return demo_file(tmp_path / "a" / "canvas.db")


def bundle(*args: str | Path) -> int:
    return main.main(["bundle", *map(str, args)])


def rows(db: str | Path) -> dict:
    store = Store.open(db if "://" in str(db) else sqlite_url(Path(db)))
    try:
        return dump_rows(store)
    finally:
        store.close()


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.startswith("canvas: ") and err.count("\n") == 1, err
    return err


def invite(db_a: Path, out: Path, capsys, label: str = "B", members=("Alex", "Sam")) -> None:
    member_args = [a for name in members for a in ("--member", name)]
    assert bundle("invite", "--db", db_a, "--project", DEMO_NAME, "--label", label, *member_args,
                  "--out", out) == 0
    said = capsys.readouterr().out
    assert f"Invited '{label}'" in said and "give it to that computer only" in said


def test_invite_then_send_work_back_with_preview(db_a: Path, tmp_path: Path, capsys):
    out = tmp_path / "group.canvas"
    invite(db_a, out, capsys)
    assert zipfile.is_zipfile(out)

    db_b = tmp_path / "b" / "canvas.db"
    assert bundle("import", "--db", db_b, out) == 0  # without --yes: the preview only
    said = capsys.readouterr().out
    assert f"Project: {DEMO_NAME} (new here)" in said and "13 keywords and phrases" in said
    assert "From the facilitator" in said and "joins this computer" in said
    assert "Nothing was written: run again with --yes" in said
    assert all(not table for table in rows(db_b).values())
    assert not (db_b.parent / "keys").exists()

    assert bundle("import", "--db", db_b, out, "--yes") == 0
    said = capsys.readouterr().out
    assert "Imported 35 records." in said
    assert bundle("import", "--db", db_b, out, "--yes") == 0
    assert "Nothing was added." in capsys.readouterr().out

    # B sends its work back; A lists B, revokes it, and B's bundles are refused from then on.
    store = Store.open(sqlite_url(db_b))
    try:
        services = Services.build(store)
        project = services.projects.find_project(DEMO_NAME).id
        sam = next(m.id for m in services.projects.list_members(project) if m.display_name == "Sam")
        services.contributions.add(sam, services.projects.list_prompts(project)[0].id, "sent from B")
    finally:
        store.close()
    back = tmp_path / "back.canvas"
    assert bundle("export", "--db", db_b, "--project", DEMO_NAME, "--out", back) == 0
    capsys.readouterr()
    assert bundle("import", "--db", db_a, back, "--yes") == 0
    said = capsys.readouterr().out
    assert "From B," in said and "New: 1 keyword or phrase." in said and "Imported 1 records." in said
    assert bundle("computers", "--db", db_a, "--project", DEMO_NAME) == 0
    listed = capsys.readouterr().out
    assert "  B  " in listed and "accepted" in listed
    machine = listed.split()[0]
    assert bundle("revoke", "--db", db_a, "--project", DEMO_NAME, machine) == 0
    assert "Revoked 'B'" in capsys.readouterr().out
    before = rows(db_a)
    assert bundle("import", "--db", db_a, back) == 1
    assert "was revoked on" in one_line_error(capsys)
    assert rows(db_a) == before


def test_changes_since_a_machine(db_a: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    db_b = tmp_path / "b" / "canvas.db"
    invite(db_a, tmp_path / "0.canvas", capsys)
    assert bundle("import", "--db", db_b, tmp_path / "0.canvas", "--yes") == 0
    assert bundle("computers", "--db", db_a, "--project", DEMO_NAME) == 0
    machine_b = capsys.readouterr().out.strip().splitlines()[-1].split()[0]
    assert len(machine_b) == 36
    first, second = tmp_path / "1.canvas", tmp_path / "2.canvas"
    args = ("--db", db_a, "--project", DEMO_NAME, "--since-machine", machine_b)
    assert bundle("export", *args, "--out", first) == 0
    assert "(changes since" in capsys.readouterr().out  # the invitation was the first, whole
    assert bundle("import", "--db", db_b, first, "--yes") == 0
    assert bundle("export", *args, "--out", second) == 0
    assert "(changes since" in capsys.readouterr().out
    assert bundle("import", "--db", db_b, second, "--yes") == 0
    assert "Nothing was added." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("export", "--db", "{missing}", "--project", DEMO_NAME, "--out", "{out}"), "There is no database"),
        (("export", "--db", "{a}", "--project", "No such", "--out", "{out}"), "No project is called"),
        (("export", "--db", "{a}", "--project", DEMO_NAME, "--out", "{out}", "--since-machine", "x"),
         "machine id"),
        (("import", "--db", "{a}", "{junk}"), "not a Co-production Canvas bundle"),
        (("invite", "--db", "{a}", "--project", DEMO_NAME, "--label", "L", "--member", "Nobody", "--out",
          "{out}"), "No member is called 'Nobody'"),
        (("revoke", "--db", "{a}", "--project", DEMO_NAME, "11111111-1111-4111-8111-111111111111"),
         "never invited"),
        (("import", "--db", "{a}", "{missing}"), "cannot be read"),
        (("import", "--db", "nosuchdriver://x/y", "{junk}"), "cannot be opened"),
    ],
    ids=["no-db", "no-project", "bad-machine", "junk-bundle", "bad-member", "never-invited", "no-bundle",
         "bad-url"],
)
def test_failures_are_one_line_and_exit_non_zero(db_a: Path, tmp_path: Path, capsys, args, expected):
    junk = tmp_path / "junk.canvas"
    junk.write_text("not a zip")
    names = {"missing": tmp_path / "missing.db", "out": tmp_path / "x.canvas", "a": db_a, "junk": junk}
    before = rows(db_a)
    assert bundle(*(a.format(**names) for a in args)) == 1
    assert expected in one_line_error(capsys)
    assert not (tmp_path / "x.canvas").exists()
    assert not (tmp_path / "missing.db").exists()
    assert rows(db_a) == before


def test_a_refused_import_names_the_reason_and_writes_nothing(
    db_a: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    other = tmp_path / "other" / "canvas.db"
    other.parent.mkdir()
    store = Store.open(sqlite_url(other))
    try:
        create_demo(store)  # the same name, another project
    finally:
        store.close()
    out = tmp_path / "other.canvas"
    assert bundle("export", "--db", other, "--project", DEMO_NAME, "--out", out) == 0
    capsys.readouterr()
    before = rows(db_a)
    assert bundle("import", "--db", db_a, out, "--yes") == 1
    error = one_line_error(capsys)
    assert "Refused: this bundle says it comes from the facilitator of" in error
    assert "has not joined that project" in error
    assert rows(db_a) == before


def test_a_real_process(db_a: Path, tmp_path: Path):
    out = tmp_path / "group.canvas"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = [sys.executable, str(ROOT / "main.py"), "bundle"]
    done = subprocess.run([*run, "invite", "--db", str(db_a), "--project", DEMO_NAME, "--label", "B",
                           "--member", "Sam", "--out", str(out)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([*run, "import", "--db", str(tmp_path / "b.db"), str(out), "--yes"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Imported 35 records." in done.stdout
    done = subprocess.run([*run, "import", "--db", str(tmp_path / "b.db"), str(db_a)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("canvas: ") and done.stderr.count("\n") == 1


def test_postgresql_database_by_url(pg_url: str, db_a: Path, tmp_path: Path, capsys):  # noqa: F811
    """`--db postgresql+psycopg://…` runs the same commands against PostgreSQL."""
    from tests.services.conftest import empty_pg

    empty_pg(pg_url)
    out = tmp_path / "group.canvas"
    invite(db_a, out, capsys)
    monkeypatch_folder = tmp_path / "pg-computer"  # the PostgreSQL computer's own keys
    os.environ["CANVAS_DATA_DIR"] = str(monkeypatch_folder)
    try:
        assert bundle("import", "--db", pg_url, out, "--yes") == 0
        assert "Imported 35 records." in capsys.readouterr().out
        back = tmp_path / "back.canvas"
        assert bundle("export", "--db", pg_url, "--project", DEMO_NAME, "--out", back) == 0
    finally:
        del os.environ["CANVAS_DATA_DIR"]
    assert bundle("import", "--db", db_a, back, "--yes") == 0
    assert "Nothing was added." in capsys.readouterr().out
    store = Store.open(pg_url)
    try:
        assert len(Services.build(store).projects.list_members(
            Services.build(store).projects.find_project(DEMO_NAME).id)) == 6
    finally:
        store.close()
