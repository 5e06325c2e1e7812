"""Unfinished text kept in a small file on this computer when the database cannot be reached.

A shared PostgreSQL server can be out of reach; nothing a member writes may be lost, so
each unsaved text is written here (atomically, owner-only) and handed back to the
database once it answers again.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from pathlib import Path


def data_folder() -> Path:
    """This computer's user data folder for the app (where the default database lives too)."""
    from platformdirs import user_data_path

    return user_data_path("coproduction-canvas", appauthor=False)


def default_path() -> Path:
    """Where this computer's unsaved texts are kept: the user data folder, as the database."""
    return data_folder() / "unsaved-text.json"


def write_json(path: Path, data: object, durable: bool = True) -> None:
    """Write `data` as JSON atomically (owner-only folder): a reader sees the old file or the
    new one, never half. `durable` waits for the disk too (text must survive a power cut)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
        if durable:
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, path)


class LastPlace:
    """Where the member at this computer was (their id and the screens they had opened), kept
    in a small file so that a window started again after a crash can open the same screen."""

    def __init__(self, path: Path) -> None:
        """`previous` is the place kept by the window before this one (read now, before this
        window's first screen replaces it)."""
        self.path = path
        self.previous = self.read()
        self._written: object = ...

    def keep(self, place: dict[str, object] | None) -> None:
        """Remember `place` (None: nobody's; the members screen). Unchanged, nothing is written."""
        if place == self._written:
            return
        self._written = place
        # Only a convenience (the member's text itself is in the database); not synced to disk:
        # it is for a crash of the app, not of the computer.
        with contextlib.suppress(OSError):
            write_json(self.path, place or {}, durable=False)

    def read(self) -> dict[str, object]:
        """The place last kept ({} when there is none or it cannot be read)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}


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
        write_json(self.path, data)

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
