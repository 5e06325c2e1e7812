"""Shared by the packaging tests: a clean copy of the checkout to build from, and the check
that a built app wrote every screen."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.test_main_start import MAIN_SCREENS

ROOT = Path(__file__).resolve().parents[2]
NOT_SOURCES = shutil.ignore_patterns(".venv", ".git", "build", "dist", "__pycache__", "*.egg-info",
                                     ".pytest_cache", ".ruff_cache", ".hypothesis", "screenshots-tmp",
                                     "*.db", "*.db-wal", "*.db-shm")


@pytest.fixture(scope="module")
def source_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkout as a fresh clone has it (a build writes build/ and *.egg-info beside the
    sources, which must not land in the working copy under test)."""
    dest = tmp_path_factory.mktemp("src") / "coproduction-canvas"
    shutil.copytree(ROOT, dest, ignore=NOT_SOURCES)
    return dest


def assert_every_screen(folder: Path, printed: str) -> None:
    """Every main screen is a real picture in `folder`, and the app named each file it wrote."""
    from PySide6.QtGui import QImage

    shots = {path.stem: path for path in folder.glob("*.png")}
    assert set(shots) == MAIN_SCREENS
    assert {Path(line).stem for line in printed.split()} == MAIN_SCREENS
    for name, path in shots.items():
        image = QImage(str(path))
        assert image.width() >= 640 and image.height() >= 480, name
        width, height = image.width(), image.height()
        colours = {image.pixel(x, y) for x in range(0, width, 20) for y in range(0, height, 20)}
        assert len(colours) > 2, f"{name}.png is blank"
