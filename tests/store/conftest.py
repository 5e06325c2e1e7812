"""Fixtures shared by the store tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.store import database
from app.store.database import head_revision
from tests.store.helpers import REAL_HEAD, SECOND_REVISION, TEST_HEAD


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "canvas.db"



@pytest.fixture
def with_second_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Return a function that switches the app to a copy of db/migrations plus one test revision."""

    def install(fail: bool = False) -> Path:
        copy = tmp_path / "migrations"
        shutil.copytree(database.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
        body = SECOND_REVISION.replace(
            "{fail}", 'raise RuntimeError("test migration failed")' if fail else "pass"
        ).replace("{down}", REAL_HEAD)
        (copy / "versions" / "9999_test_extra.py").write_text(body)
        monkeypatch.setattr(database, "MIGRATIONS", copy)
        assert head_revision() == TEST_HEAD
        return copy

    return install
