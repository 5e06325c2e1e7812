"""Unfinished text kept in a small file on this computer when the database cannot be reached.

A shared PostgreSQL server can be out of reach; nothing a member writes may be lost, so
each unsaved text is written here (atomically, owner-only) and handed back to the
database once it answers again.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


class LocalDrafts:
    """A JSON file of {member id: {target: [text, cursor]}}."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, dict[str, list[object]]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, dict[str, list[object]]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".drafts-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def keep(self, member_id: str, target: str, text: str, cursor: int) -> None:
        """Remember a text that could not be saved in the database."""
        data = self._read()
        data.setdefault(member_id, {})[target] = [text, cursor]
        self._write(data)

    def get(self, member_id: str, target: str) -> tuple[str, int] | None:
        """The text kept for this member and target, if any."""
        entry = self._read().get(member_id, {}).get(target)
        if not isinstance(entry, list) or len(entry) != 2:
            return None
        text, cursor = entry
        return (text, cursor) if isinstance(text, str) and isinstance(cursor, int) else None

    def forget(self, member_id: str, target: str) -> None:
        """Drop a text once the database has it."""
        data = self._read()
        if data.get(member_id, {}).pop(target, None) is not None:
            self._write(data)
