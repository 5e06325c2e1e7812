"""This computer's settings file: the connection line to a shared database, kept so a member
need not type it (`main.py --save-db LINE`). It holds a password, so it is the owner's
alone (mode 0600, in a 0700 folder), written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


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
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data = {**(data if isinstance(data, dict) else {}), "db": url}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-")  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    os.chmod(path, 0o600)
    return path
