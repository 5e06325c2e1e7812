"""Unfinished text kept in a small file on this computer when the database cannot take it.

A shared PostgreSQL server can be out of reach and an SQLite file can be locked; nothing a
member writes may be lost, so each unsaved text is written here and handed back to the
database once it answers again. Every kept text says when and on which computer it was written
(app/store/draft_text.py), and may carry the earlier draft it replaced.

The file is written with the one atomic writer (app/store/files.py: write, fsync, rename) under a
file lock, so two copies of the app on one computer take turns instead of interleaving. A file
that cannot be read as ours is never overwritten: it is renamed aside
(``unsaved-text.json.damaged-<time>``) and reported.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from filelock import FileLock

from app.store.draft_text import KeptText
from app.store.files import atomic_write_bytes

FORMAT = 2
LOCK_TIMEOUT_S = 10.0  # another copy of the app writes this file in milliseconds
log = logging.getLogger("canvas.drafts")


def data_folder() -> Path:
    """This computer's user data folder for the app (where the default database lives too)."""
    from platformdirs import user_data_path

    return user_data_path("coproduction-canvas", appauthor=False)


def default_path() -> Path:
    """Where this computer's unsaved texts are kept: the user data folder, as the database."""
    return data_folder() / "unsaved-text.json"


def write_json(path: Path, data: object, durable: bool = True) -> None:
    """Write `data` as JSON atomically (owner-only folder and file): a reader sees the old file
    or the new one, never half. `durable` waits for the disk too (text must survive a power cut)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write_bytes(path, json.dumps(data, ensure_ascii=False).encode("utf-8"), durable=durable)


def computer_id(folder: Path) -> str:
    """This computer's id (made once, kept in `computer-id` in the data folder): which computer
    wrote a kept text. A folder that cannot be written gives an id for this run only."""
    path = folder / "computer-id"
    with contextlib.suppress(OSError, UnicodeDecodeError):
        known = path.read_text(encoding="utf-8").strip()
        if re.fullmatch(r"[0-9a-f-]{36}", known):
            return known
    made = str(uuid.uuid4())
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write_bytes(path, made.encode("ascii"))
    return made


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


Data = dict[str, dict[str, dict[str, Any]]]


def _stamp(at: datetime | None) -> str | None:
    return at.astimezone(timezone.utc).isoformat() if at is not None else None


def _kept(entry: object) -> KeptText | None:
    """One entry of the file as a KeptText (None for anything that is not one)."""
    if isinstance(entry, list) and len(entry) == 2:  # format 1: [text, cursor], no time
        entry = {"text": entry[0], "cursor": entry[1]}
    if not isinstance(entry, dict):
        return None
    text, cursor, at, on = (entry.get(k) for k in ("text", "cursor", "at", "on"))
    if not isinstance(text, str) or not isinstance(cursor, int) or isinstance(cursor, bool):
        return None
    when = None
    if isinstance(at, str):
        with contextlib.suppress(ValueError):
            when = datetime.fromisoformat(at)
            when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    return KeptText(text, min(max(cursor, 0), len(text)), when, on if isinstance(on, str) else None)


def _entry(kept: KeptText, earlier: KeptText | None) -> dict[str, Any]:
    out: dict[str, Any] = {"text": kept.text, "cursor": kept.cursor, "at": _stamp(kept.written_at),
                           "on": kept.written_on}
    if earlier is not None:
        out["earlier"] = _entry(earlier, None)
    return out


class LocalDrafts:
    """This computer's file of unsaved texts: {member id: {target: entry}}, where an entry is
    the text, its cursor, when and where it was written, and any earlier draft it replaced."""

    def __init__(self, path: Path, computer: str | None = None,
                 on_damaged: Callable[[Path], None] | None = None) -> None:
        """`computer` names this computer in what it writes (default: the data folder's id).
        `on_damaged` hears of a damaged file set aside (from whichever thread read it)."""
        self.path = Path(path)
        self._computer = computer
        self.on_damaged = on_damaged
        self.set_aside: list[Path] = []  # damaged files renamed aside, oldest first
        self._lock = FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT_S)

    @property
    def computer(self) -> str:
        """Which computer this is (in every text it keeps)."""
        if self._computer is None:
            self._computer = computer_id(self.path.parent)
        return self._computer

    # ------------------------------------------------------------------ file
    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self._lock:
            yield

    def _read(self) -> Data:
        """The file's texts (call under the lock). A file that is not ours is set aside."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(raw.decode("utf-8"))
            texts = data.get("texts") if isinstance(data, dict) and data.get("format") == FORMAT else data
            if not isinstance(texts, dict) or not all(isinstance(v, dict) for v in texts.values()):
                raise ValueError("not a map of members to their texts")
        except (UnicodeDecodeError, ValueError) as exc:
            self._set_aside(exc)
            return {}
        return texts

    def _set_aside(self, exc: Exception) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        self.path.rename(aside)  # never overwritten: what it holds may still be read by hand
        log.warning("%s could not be read (%s); it was renamed %s", self.path, exc, aside.name)
        self.set_aside.append(aside)
        if self.on_damaged is not None:
            self.on_damaged(aside)

    def _write(self, data: Data) -> None:
        body = {"format": FORMAT, "texts": {m: e for m, e in data.items() if e}}
        atomic_write_bytes(self.path, json.dumps(body, ensure_ascii=False).encode("utf-8"))

    def _change(self, edit: Callable[[Data], bool]) -> None:
        with self._locked():
            data = self._read()
            if edit(data):
                self._write(data)

    # ------------------------------------------------------------ the texts
    def keep(self, member_id: str, target: str, text: str, cursor: int,
             written_at: datetime | None = None) -> None:
        """Remember a text the database has not got yet (written now, unless told when); an
        earlier draft kept with it stays."""
        kept = KeptText(text, cursor, written_at or datetime.now(timezone.utc), self.computer)

        def edit(data: Data) -> bool:
            old = data.setdefault(member_id, {}).get(target)
            earlier = _kept(old.get("earlier")) if isinstance(old, dict) else None
            data[member_id][target] = _entry(kept, earlier)
            return True

        self._change(edit)

    def keep_entry(self, member_id: str, target: str, kept: KeptText | None,
                   earlier: KeptText | None) -> None:
        """Put exactly this text and earlier draft here (None and None: forget them)."""

        def edit(data: Data) -> bool:
            texts = data.setdefault(member_id, {})
            if kept is None and earlier is None:
                return texts.pop(target, None) is not None
            texts[target] = _entry(kept or KeptText("", 0), earlier)
            return True

        self._change(edit)

    def entry(self, member_id: str, target: str) -> tuple[KeptText, KeptText | None] | None:
        """The text kept for this member and target, and its earlier draft, if any."""
        with self._locked():
            raw = self._read().get(member_id, {}).get(target)
        kept = _kept(raw)
        if kept is None:
            return None
        return kept, _kept(raw.get("earlier")) if isinstance(raw, dict) else None

    def get(self, member_id: str, target: str) -> tuple[str, int] | None:
        """The text and cursor kept for this member and target, if any."""
        found = self.entry(member_id, target)
        return (found[0].text, found[0].cursor) if found else None

    def forget(self, member_id: str, target: str, only: KeptText | None = None) -> None:
        """Drop a text once the database has it (and its earlier draft too); with `only`, just
        when the text kept is still that one (nothing typed since)."""

        def edit(data: Data) -> bool:
            texts = data.get(member_id, {})
            if only is not None and _kept(texts.get(target)) != only:
                return False
            return texts.pop(target, None) is not None

        self._change(edit)

    def waiting(self, member_id: str) -> list[tuple[str, KeptText, KeptText | None]]:
        """Every text of a member kept here: (target, text, earlier draft)."""
        with self._locked():
            entries = self._read().get(member_id, {})
        out = []
        for target, raw in entries.items():
            kept = _kept(raw)
            if kept is not None:
                out.append((target, kept, _kept(raw.get("earlier")) if isinstance(raw, dict) else None))
        return out

    def _all_texts(self, data: Data, member_id: str) -> list[str]:
        out = []
        for raw in data.get(member_id, {}).values():
            for kept in (_kept(raw), _kept(raw.get("earlier")) if isinstance(raw, dict) else None):
                if kept is not None and kept.text:
                    out.append(kept.text)
        return out

    def texts_of(self, member_id: str) -> list[str]:
        """Every text kept for this member (earlier drafts too)."""
        with self._locked():
            return self._all_texts(self._read(), member_id)

    def mentioning(self, pattern: re.Pattern[str], but: str = "") -> list[str]:
        """The texts (earlier drafts too) of everyone but `but` in which `pattern` matches."""
        with self._locked():
            data = self._read()
        return [t for mid in data if mid != but for t in self._all_texts(data, mid) if pattern.search(t)]

    def erase_member(self, member_id: str, pattern: re.Pattern[str], replacement: str) -> int:
        """Drop every text kept for a withdrawn member and replace `pattern` in everyone else's
        (earlier drafts too); returns how many texts went or changed."""
        changed = 0

        def scrub(kept: KeptText | None) -> KeptText | None:
            nonlocal changed
            if kept is None or not pattern.search(kept.text):
                return kept
            changed += 1
            text = pattern.sub(replacement, kept.text)
            return KeptText(text, len(text), kept.written_at, kept.written_on)

        def edit(data: Data) -> bool:
            nonlocal changed
            gone = data.pop(member_id, None)
            changed += len(gone) if isinstance(gone, dict) else int(gone is not None)
            for entries in data.values():
                for target, raw in list(entries.items()):
                    kept = _kept(raw)
                    if kept is None:
                        continue
                    earlier = scrub(_kept(raw.get("earlier")) if isinstance(raw, dict) else None)
                    entries[target] = _entry(scrub(kept) or kept, earlier)
            return changed > 0

        self._change(edit)
        return changed
