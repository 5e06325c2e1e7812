"""What the first screen needs, read with the standard library before SQLAlchemy loads.

Importing SQLAlchemy, the models and the services costs about twice a bare Qt start-up
(bench/startup.py), so the window draws "Who is taking part?" from this snapshot while
:class:`ServicesLoader` opens the store in a background thread. The snapshot is only a
shortcut: when the file is missing, cannot be read as this app's database or lacks the
project asked for, :func:`read_snapshot` returns None and the app starts the slow way.
It never writes: the file is opened read-only and never created.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from app.services.dto import MemberInfo

T = TypeVar("T")

_MEMBER_COLUMNS = "m.id, m.project_id, m.display_name, m.role, m.anonymous_default, m.access_profile"


@dataclass(frozen=True)
class StartupSnapshot:
    """The open project, its members as the member screen lists them, and the member who
    last started a session (whose access profile scans that screen)."""

    project_id: str
    project_name: str
    members: list[MemberInfo]
    last_member: MemberInfo | None
    projects: int = 1  # how many projects the database holds (the member screen offers the others)


def _member(row: tuple[Any, ...]) -> MemberInfo:
    profile = json.loads(row[5]) if row[5] else {}
    return MemberInfo(
        id=row[0], project_id=row[1], display_name=row[2], role=row[3],
        anonymous_default=bool(row[4]), profile=dict(profile) if isinstance(profile, dict) else {},
    )


def read_snapshot(path: Path, project_name: str | None = None, chosen: str | None = None,
                  keys_folder: Path | None = None) -> StartupSnapshot | None:
    """The first screen's data from the SQLite file at `path`, or None to start the slow way.

    The project is the one named, else the one last `chosen` on this computer if it is there,
    else the first by name. The queries mirror ``ProjectService.list_projects`` (first by name),
    ``list_members`` (on a participant's computer only the members who use it, as its keys file
    in `keys_folder` says: ExchangeService.members_here) and ``last_session_member``; tests hold
    them to the same answers.
    """
    if not path.is_file():
        return None
    wal, shm = (path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))
    if wal.exists() or shm.exists():
        if not (wal.exists() and shm.exists()):
            return None
        query = "mode=ro"  # a running copy (or a crash) left them: read through the WAL
    else:
        # Closed cleanly, so the file holds everything; read it as it is, without creating the
        # WAL files a read-only connection would otherwise leave beside it.
        query = "immutable=1"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True, timeout=1.0)
    except sqlite3.Error:
        return None
    try:
        project = None
        if project_name is None and chosen is not None:
            project = conn.execute("SELECT id, name FROM project WHERE id = ?", (chosen,)).fetchone()
        if project_name is None and project is None:
            project = conn.execute("SELECT id, name FROM project ORDER BY name LIMIT 1").fetchone()
        elif project_name is not None:
            project = conn.execute("SELECT id, name FROM project WHERE name = ?", (project_name,)).fetchone()
        if project is None:
            return None
        members = [_member(row) for row in conn.execute(
            f"SELECT {_MEMBER_COLUMNS} FROM member m WHERE m.project_id = ? AND m.withdrawn_at IS NULL "
            "ORDER BY m.role DESC, m.position, m.display_name", (project[0],))]
        here = members_here(keys_folder or path.parent / "keys", project[0])
        if here is not None:
            members = [m for m in members if m.id in here]
        last = conn.execute(
            f"SELECT {_MEMBER_COLUMNS} FROM member m JOIN event e ON e.member_id = m.id "
            "WHERE e.project_id = ? AND e.action = 'session_started' AND m.withdrawn_at IS NULL "
            "ORDER BY e.created_at DESC LIMIT 1", (project[0],)).fetchone()
        count = conn.execute("SELECT count(*) FROM project").fetchone()[0]
        return StartupSnapshot(project[0], project[1], members, None if last is None else _member(last),
                               count)
    except (sqlite3.Error, ValueError, TypeError):
        return None  # not this app's schema, or damaged: Store.open will say what is wrong
    finally:
        conn.close()


def members_here(keys_folder: Path, project_id: str) -> frozenset[str] | None:
    """The members who use this computer, from its keys file for the project, when it joined the
    project as a participant's computer (the file's format: app/services/exchange/keyring.py,
    read here without loading it); None otherwise."""
    try:
        raw = json.loads((keys_folder / f"{project_id}.keys.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    members = raw.get("members") if isinstance(raw, dict) and raw.get("role") == "participant" else None
    if not isinstance(members, list):
        return None
    return frozenset(m for m in members if isinstance(m, str))


class ServicesLoader(Generic[T]):
    """Builds something slow (the store and services) once, in a background thread.

    :meth:`get` waits for it: a screen that needs the services before they are ready
    waits a moment instead of failing. A failure is raised again by :meth:`get`.
    """

    def __init__(self, build: Callable[[], T], on_done: Callable[[], None] | None = None) -> None:
        self._build = build
        self.on_done = on_done  # called in the loading thread when building has finished
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="services-load", daemon=True)

    def start(self) -> None:
        """Begin building (once)."""
        if not self._thread.is_alive() and not self.done:
            self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._build()
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits in get()
            self._error = exc
        if self.on_done is not None:
            self.on_done()

    def wait(self) -> None:
        """Wait for a build that has started (a no-op otherwise)."""
        if self._thread.is_alive():
            self._thread.join()

    @property
    def done(self) -> bool:
        """Whether building has finished (well or not)."""
        return self._value is not None or self._error is not None

    @property
    def failed(self) -> BaseException | None:
        """What went wrong, if building failed."""
        return self._error

    def get(self) -> T:
        """The built value, waiting for it if need be (building it here if never started)."""
        if not self.done and not self._thread.is_alive():
            self._run()
        if self._thread.is_alive():
            self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


class Ready(Generic[T]):
    """A value that is there already, handed out the way :class:`ServicesLoader` hands out its own."""

    done = True
    failed: BaseException | None = None

    def __init__(self, value: T) -> None:
        self._value = value

    def get(self) -> T:
        """The value."""
        return self._value
