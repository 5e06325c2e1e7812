"""Unfinished text kept in a small file on this computer when the database cannot be reached.

A shared PostgreSQL server can be out of reach; nothing a member writes may be lost, so
each unsaved text is written here (atomically, owner-only) and handed back to the
database once it answers again.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path


def default_path() -> Path:
    """Where this computer's unsaved texts are kept: the user data folder, as the database."""
    from platformdirs import user_data_path

    return user_data_path("coproduction-canvas", appauthor=False) / "unsaved-text.json"


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

    def waiting(self, member_id: str) -> list[tuple[str, str, int]]:
        """Every text of a member kept here: (target, text, cursor)."""
        entries = self._read().get(member_id)
        out = []
        for target in (entries if isinstance(entries, dict) else []):
            kept = self.get(member_id, target)
            if kept is not None:
                out.append((target, kept[0], kept[1]))
        return out

    def texts_of(self, member_id: str) -> list[str]:
        """Every text kept for this member."""
        entries = self._read().get(member_id, {})
        return [t for t in map(_text, entries.values()) if t is not None] if isinstance(entries, dict) else []

    def mentioning(self, pattern: re.Pattern[str], but: str = "") -> list[str]:
        """The texts of everyone but `but` in which `pattern` matches."""
        return [t for mid, entries in self._read().items() if mid != but and isinstance(entries, dict)
                for t in map(_text, entries.values()) if t is not None and pattern.search(t)]

    def erase_member(self, member_id: str, pattern: re.Pattern[str], replacement: str) -> int:
        """Drop every text kept for a withdrawn member and replace `pattern` in everyone else's;
        returns how many texts went or changed."""
        data = self._read()
        gone = data.pop(member_id, None)
        changed = len(gone) if isinstance(gone, dict) else int(gone is not None)
        for entries in data.values():
            if not isinstance(entries, dict):
                continue
            for target, entry in entries.items():
                text = _text(entry)
                if text is not None and pattern.search(text):
                    text = pattern.sub(replacement, text)
                    entries[target] = [text, len(text)]
                    changed += 1
        if changed:
            self._write(data)
        return changed


def _text(entry: object) -> str | None:
    """The text of one kept entry ([text, cursor]), or None for anything else."""
    return entry[0] if isinstance(entry, list) and entry and isinstance(entry[0], str) else None
