"""main.py started as a person starts it (in a child process, offscreen): the quick start on an
existing file, the first start, and a file the quick start cannot finish."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.demo_files import demo_file

ROOT = Path(__file__).resolve().parents[1]
MAIN_SCREENS = {"members", "home", "prompt", "dwell", "definition", "versions", "keyboard", "pair",
                "settings", "switch-test", "facilitator", "review", "compare", "participant", "exports"}


def start(db: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run the app until its first screen is drawn and ready (the start-up probe), then quit."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CANVAS_STARTUP_PROBE="1",
               XDG_DATA_HOME=str(tmp_path / "xdg"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    env.pop("CANVAS_DB", None)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(db), "--no-speech", *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return demo_file(tmp_path / "data" / "canvas.db")


def test_a_first_start_creates_the_demo_and_a_later_one_starts_quickly(tmp_path: Path) -> None:
    db = tmp_path / "fresh" / "canvas.db"
    first = start(db, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "startup-probe" in first.stdout
    assert db.exists() and list((db.parent / "backups").glob("canvas-*-daily.db"))
    again = start(db, tmp_path)
    assert again.returncode == 0, again.stderr
    assert "startup-probe" in again.stdout
    # A run that quits as soon as it is drawn makes no trigram index (a 20-45 s child process).
    assert not list((tmp_path / "cache").rglob("sphinx-trigrams*"))


def test_the_quick_start_still_opens_and_migrates_the_store(database: Path, tmp_path: Path) -> None:
    done = start(database, tmp_path)
    assert done.returncode == 0, done.stderr
    # The store was opened behind the first screen: it took the day's backup.
    assert list((database.parent / "backups").glob("canvas-*-daily.db"))


def test_a_file_from_a_newer_app_is_refused_after_the_quick_start(database: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(database)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    before = database.read_bytes()
    done = start(database, tmp_path)
    assert done.returncode == 2
    assert "newer version" in done.stderr
    assert database.read_bytes() == before


def test_an_unknown_project_is_refused(database: Path, tmp_path: Path) -> None:
    done = start(database, tmp_path, "--project", "No such project")
    assert done.returncode == 2
    assert "no project is called 'No such project'" in done.stderr


def test_screenshots_of_every_main_screen_are_written(tmp_path: Path) -> None:
    folder = tmp_path / "shots"
    done = start(tmp_path / "shots.db", tmp_path, "--demo", "--screenshot", str(folder))
    assert done.returncode == 0, done.stderr
    names = {path.stem for path in folder.glob("*.png")}
    assert names == MAIN_SCREENS
    assert all(path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for path in folder.glob("*.png"))


def test_screenshots_at_a_size_and_window_size(tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    from app.access.profile import AccessProfile
    from app.services.container import Services
    from app.store.database import Store

    folder = tmp_path / "big"
    db = tmp_path / "big.db"
    done = start(db, tmp_path, "--demo", "--screenshot", str(folder), "--size", "200",
                 "--window-size", "1366x768")
    assert done.returncode == 0, done.stderr
    image = QImage(str(folder / "keyboard.png"))
    assert (image.width(), image.height()) == (1366, 768)
    store = Store.open(f"sqlite:///{db}")
    try:
        services = Services.build(store)
        project = services.projects.list_projects()[0]
        sizes = {AccessProfile.stored(m.profile).size_percent
                 for m in services.projects.list_members(project.id)}
    finally:
        store.close()
    assert sizes == {200}  # every member's profile, as the Size setting sets it
    wrong = start(db, tmp_path, "--screenshot", str(folder), "--window-size", "big")
    assert wrong.returncode == 2 and "WIDTHxHEIGHT" in wrong.stderr
