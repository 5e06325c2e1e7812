"""setuptools' build_py, plus the data files a wheel must carry (named in pyproject.toml's
``[tool.setuptools.cmdclass]``).

The top-level ``resources/`` and ``db/migrations/`` stay where they are, the one copy that is
edited; a built wheel gets them as ``app/_data/resources`` and ``app/_data/db/migrations``,
where :mod:`app.data_files` finds them. An editable install gets no copy: it reads the
checkout's folders directly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parents[2]
CARRIED = ("resources", "db/migrations")  # relative to the checkout and to app/_data
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", "packaging")


class BuildPyWithData(build_py):
    """Copy the checkout's data folders into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder in CARRIED:
            target = Path(self.build_lib) / "app" / "_data" / folder
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ROOT / folder, target, ignore=SKIPPED)
