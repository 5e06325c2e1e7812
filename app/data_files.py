"""Where the data files the app reads at run time are: the themes and other resources, and
the database migrations.

The checkout's top-level ``resources/`` and ``db/migrations/`` are the sources of truth. A
wheel carries copies of them inside the package, as ``app/_data/resources`` and
``app/_data/db/migrations`` (copied at build time by ``resources/packaging/build_hook.py``),
and the PyInstaller build puts them in the same place (``resources/packaging/canvas.spec``);
:mod:`importlib.resources` finds them there. Run from a checkout, or installed editable,
there is no ``app/_data`` and the top-level folders are read. Every module that reads a data
file asks here, so the three ways of running agree.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PACKAGED = "_data"  # the folder inside the app package that a wheel or a frozen build carries


def data_root() -> Path:
    """The folder holding ``resources/`` and ``db/migrations/``: the package's own copy when
    it has one (a wheel, a frozen build), else the checkout's top level."""
    packaged = files("app").joinpath(PACKAGED)
    if packaged.is_dir():
        return Path(str(packaged))  # installed packages and frozen builds are real folders
    return Path(__file__).resolve().parents[1]


def resource_path(*parts: str) -> Path:
    """A file or folder under ``resources/``, e.g. ``resource_path("themes", "dark.json")``."""
    return data_root().joinpath("resources", *parts)


def migrations_path() -> Path:
    """The Alembic script folder (``db/migrations``)."""
    return data_root() / "db" / "migrations"
