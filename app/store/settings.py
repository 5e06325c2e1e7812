"""This computer's settings file: the connection line to a shared database, kept so a member
need not type it (`main.py --save-db LINE`), and the project last chosen on this computer (the
one a joined invitation opened, say), which the app opens on its next start. It holds a
password, so it is the owner's alone (mode 0600, in a 0700 folder), written atomically."""

from __future__ import annotations

import json
from pathlib import Path

from app.store.files import atomic_write_bytes


def settings_path() -> Path:
    """The settings file, in the user data folder beside the database."""
    from platformdirs import user_data_path

    return user_data_path("coproduction-canvas", appauthor=False) / "settings.json"


def saved_database(path: Path | None = None) -> str | None:
    """The saved connection line, if any (an unreadable file counts as none)."""
    try:
        data = json.loads((path or settings_path()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    db = data.get("db") if isinstance(data, dict) else None
    return db if isinstance(db, str) and db else None


def save_database(url: str, path: Path | None = None) -> Path:
    """Keep `url` as this computer's database (owner-only); returns the file."""
    return _save("db", url, path)


def chosen_project(path: Path | None = None) -> str | None:
    """The id of the project last chosen on this computer, if any."""
    try:
        data = json.loads((path or settings_path()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    project = data.get("project") if isinstance(data, dict) else None
    return project if isinstance(project, str) and project else None


def choose_project(project_id: str, path: Path | None = None) -> Path:
    """Open this project on the next start (kept beside the database line)."""
    return _save("project", project_id, path)


def _save(key: str, value: str, path: Path | None) -> Path:
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data = {**(data if isinstance(data, dict) else {}), key: value}
    atomic_write_bytes(path, json.dumps(data).encode("utf-8"))
    return path
