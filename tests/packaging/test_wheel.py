"""The wheel works anywhere: built from the sources, installed (not editable) into a new
virtual environment outside the checkout, and started as `canvas` from another folder, it
finds its themes and migrations inside the package, migrates a new database and draws every
screen. Slow (it installs the dependencies): marked `packaging`, run as its own step by .ci/run."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__
from app.store.database import head_revision
from tests.packaging.conftest import ROOT, assert_every_screen

pytestmark = pytest.mark.packaging


def _run(args: list[str], cwd: Path, timeout: float = 900, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CANVAS_DB", "VIRTUAL_ENV")}
    result = subprocess.run(args, cwd=cwd, env={**clean, **env}, capture_output=True, text=True,
                            timeout=timeout, check=False)
    assert result.returncode == 0, f"{args[:3]} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed(source_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with the wheel (and its dependencies) installed; its bin/."""
    work = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(work / "dist"),
          str(source_tree)], cwd=work)
    wheels = list((work / "dist").glob("coproduction_canvas-*.whl"))
    assert len(wheels) == 1
    _run([sys.executable, "-m", "venv", str(work / "venv")], cwd=work)
    bin_dir = work / "venv" / ("Scripts" if os.name == "nt" else "bin")
    _run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheels[0])], cwd=work)
    return bin_dir


def test_the_installed_app_takes_every_screenshot_from_another_folder(installed: Path, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    db, shots = tmp_path / "data" / "canvas.db", tmp_path / "shots"
    done = _run([str(installed / "canvas"), "--db", str(db), "--demo", "--screenshot", str(shots)],
                cwd=elsewhere, timeout=300, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path / "xdg"))
    assert_every_screen(shots, done.stdout)
    with sqlite3.connect(db) as conn:  # migrated to the head the package carries
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    assert revision == head_revision()
    assert list(elsewhere.iterdir()) == []  # nothing written into the folder it was started from


def test_the_installed_package_reads_its_own_copy_of_the_data(installed: Path, tmp_path: Path):
    probe = ("from app.data_files import resource_path, migrations_path; import app; "
             "print(app.__file__); print(resource_path('themes')); print(migrations_path())")
    done = _run([str(installed / "python"), "-c", probe], cwd=tmp_path)
    package, themes, migrations = (Path(line) for line in done.stdout.split())
    assert ROOT not in package.parents  # the venv's copy, not this checkout
    assert themes == package.parent / "_data" / "resources" / "themes"
    source_themes = {p.name for p in (ROOT / "resources" / "themes").glob("*.json")}
    assert {p.name for p in themes.glob("*.json")} == source_themes
    source_versions = {p.name for p in (ROOT / "db" / "migrations" / "versions").glob("*.py")}
    assert {p.name for p in (migrations / "versions").glob("*.py")} == source_versions
    assert (migrations / "env.py").is_file()


def test_canvas_version_prints_the_version(installed: Path, tmp_path: Path):
    done = _run([str(installed / "canvas"), "--version"], cwd=tmp_path)
    assert done.stdout.strip() == f"canvas {__version__}"
