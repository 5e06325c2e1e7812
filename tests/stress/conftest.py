"""The two computers of the attack suite (forgery.py); the real window for the fault tests
(test_faults.py, the fixture of tests/ui/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stress.forgery import World, make_world
from tests.ui.conftest import make_app  # noqa: F401 - the fixture, for test_faults.py


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from make_world(tmp_path)
