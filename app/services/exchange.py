"""Bundles: a project's records carried between machines in one `.canvas` file.

`export_bundle` writes the whole project, or only what changed since the last bundle
sent to a given machine. `preview_import` checks a bundle and says what importing it
would add (writing nothing); `import_bundle` does the same checks and merges in one
transaction. A bad bundle raises BundleError with a one-line reason and changes nothing.
See bundle_format (the file) and bundle_merge (the rules).

A machine is a database: its id is made on first need and kept in `local_machine` (a copied
SQLite file keeps it; everyone on a shared PostgreSQL database is one machine). "Changes
since" a machine start at the last bundle sent to it, less MARGIN, and earlier still if
records since brought in from a third machine are older; the project's small structure
(project, members, meetings, questions, themes, definitions) always travels whole, so a
delta's references resolve. A project of the same name but another id is refused: two
groups' work is never merged on a name alone. Imports write no Event: `bundle_log` records
them, so bundles imported in any order give the same shared records.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Date, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.services.base import ServiceBase
from app.services.bundle_format import (
    FORMAT_VERSION,
    KINDS,
    MANIFEST,
    PARTS,
    BundleError,
    Manifest,
    check_manifest,
    check_records,
    dump_json,
    is_uuid,
    parse_json,
    to_json,
)
from app.services.bundle_merge import BundlePreview, apply_merge, plan_merge, project_id_queries
from app.services.validation import check_id
from app.store.models import BundleLog, LocalMachine, Project, UTCDateTime, new_id, utcnow

__all__ = ["BundleError", "BundlePreview", "ExchangeService", "ExportResult", "MachineInfo"]

MAX_BUNDLE_BYTES = 200 * 1024 * 1024  # the file, checked before it is opened
MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # all parts together, declared and as read
MAX_RATIO = 100  # unpacked : packed, for parts over RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
READ_CHUNK = 64 * 1024
WRITE_BATCH = 1_000  # records per JSON batch when a bundle is written
# A "changes since" bundle starts this long before its mark, so a record written while the
# last bundle was being made is never missed (importing a record twice changes nothing).
MARGIN = timedelta(minutes=10)


@dataclass(frozen=True)
class ExportResult:
    """A bundle written: where, what it holds, and which machine it came from."""

    path: Path
    bundle_id: str
    machine_id: str
    project_name: str
    scope: str  # "whole" or "changes"
    since: datetime | None
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """The number of records in the bundle."""
        return sum(self.counts.values())

    @property
    def message(self) -> str:
        """One line to show or speak."""
        what = "the whole project" if self.scope == "whole" else "the changes"
        return f"Bundle saved: {self.path.name}, {what} ({self.total} records)."


@dataclass(frozen=True)
class MachineInfo:
    """Another machine this project's bundles went to or came from."""

    machine_id: str
    last_sent: datetime | None
    last_received: datetime | None


def _unsafe(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return (
        name.startswith(("/", "\\")) or "\\" in name or "\x00" in name or ".." in parts
        or (len(name) > 1 and name[1] == ":") or any(p in ("", ".") for p in parts)
    )


def _read_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """One entry's bytes, never more than it declared or than the budget left."""
    limit = min(info.file_size, budget)
    chunks, size = [], 0
    with zf.open(info) as stream:
        while True:
            chunk = stream.read(READ_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise BundleError("The bundle unpacks to far more than it says: it is refused as unsafe.")
            chunks.append(chunk)
    return b"".join(chunks)


def read_bundle(path: Path) -> tuple[Manifest, dict[str, list[dict[str, Any]]]]:
    """Open, check and parse a bundle file; BundleError on anything wrong."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BundleError(f"The bundle {path.name} cannot be read: {exc.strerror or exc}.") from exc
    if not path.is_file():
        raise BundleError(f"{path.name} is not a file.")
    if size > MAX_BUNDLE_BYTES:
        raise BundleError(f"The bundle is too large ({size / 2**20:,.0f} MB; at most 200 MB).")
    try:
        with zipfile.ZipFile(path) as zf:
            return _read_zip(zf, size)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, OSError, ValueError,
            NotImplementedError, RuntimeError) as exc:
        raise BundleError(
            f"{path.name} is not a Co-production Canvas bundle, or it is damaged or cut short."
        ) from exc


def _read_zip(zf: zipfile.ZipFile, size: int) -> tuple[Manifest, dict[str, list[dict[str, Any]]]]:
    infos = zf.infolist()
    names = [i.filename for i in infos]
    for name in names:
        if _unsafe(name):
            raise BundleError(f"The bundle holds an unsafe file name ({name[:60]!r}): it is refused.")
    if len(set(names)) != len(names):
        raise BundleError("The bundle holds the same file twice.")
    unknown = sorted(set(names) - {MANIFEST, *PARTS})
    if unknown:
        raise BundleError(f"The bundle holds a file it should not ({unknown[0][:60]!r}).")
    if MANIFEST not in names:
        raise BundleError("The bundle has no manifest.json.")
    declared = sum(i.file_size for i in infos)
    if declared > MAX_UNPACKED_BYTES or declared > MAX_RATIO * max(size, RATIO_FLOOR):
        raise BundleError("The bundle would unpack to far too much: it is refused as unsafe.")
    for info in infos:
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BundleError("The bundle is encrypted or compressed in a way this app does not read.")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise BundleError("The bundle would unpack to far too much: it is refused as unsafe.")
    # First every part is read within the budget, keeping only its checksum (a large bundle's
    # parts are never all in memory at once); then each part is read again, parsed and checked.
    budget = MAX_UNPACKED_BYTES
    sums: dict[str, str] = {}
    manifest_data = b""
    for info in infos:
        data = _read_part(zf, info, budget)
        budget -= len(data)
        if info.filename == MANIFEST:
            manifest_data = data
        else:
            sums[info.filename] = hashlib.sha256(data).hexdigest()
    manifest = check_manifest(parse_json(manifest_data, MANIFEST))
    missing = sorted(set(PARTS) - set(sums))
    if missing:
        raise BundleError(f"The bundle lacks {missing[0]}.")
    for name in PARTS:
        if sums[name] != manifest.sha256[name]:
            raise BundleError(f"{name} does not match its checksum: the bundle was changed or damaged.")
    by_name = {info.filename: info for info in infos}
    records = {}
    for name, kind in PARTS.items():
        data = _read_part(zf, by_name[name], MAX_UNPACKED_BYTES)
        if hashlib.sha256(data).hexdigest() != manifest.sha256[name]:  # changed since the first read
            raise BundleError(f"{name} does not match its checksum: the bundle was changed or damaged.")
        parsed = parse_json(data, name)
        del data
        records[kind.name] = check_records(kind, parsed)
        if len(records[kind.name]) != manifest.counts[kind.name]:
            raise BundleError(f"{name} holds a different number of records than the manifest says.")
    return manifest, records


@contextmanager
def bundle_file(path: Path) -> Iterator[zipfile.ZipFile]:
    """A zip written beside `path` and moved into place when the block ends; readable by its owner
    only. If the block fails, the half-written file is removed and `path` is untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".bundle-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            yield zf
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ExchangeService(ServiceBase):
    """Export and import bundles; this store's machine id."""

    def machine_id(self) -> str:
        """This store's machine id, made (and kept in the database) on first need."""
        with self.store.read() as s:
            found = s.scalar(select(LocalMachine.id))
        if found is not None:
            return found
        try:
            with self.store.transaction() as s:
                row = LocalMachine()
                s.add(row)
                s.flush()
                return row.id
        except IntegrityError:  # another process made it first
            with self.store.read() as s:
                return s.scalar(select(LocalMachine.id)) or ""

    def known_machines(self, project_id: str) -> list[MachineInfo]:
        """Machines this project's bundles were sent to or came from, most recent first."""
        project_id = check_id(project_id, "project")
        with self.store.read() as s:
            rows = s.execute(
                select(BundleLog.machine_id, BundleLog.direction, func.max(BundleLog.created_at))
                .where(BundleLog.project_id == project_id)
                .group_by(BundleLog.machine_id, BundleLog.direction)
            ).all()
        seen: dict[str, dict[str, datetime]] = {}
        for machine, direction, when in rows:
            seen.setdefault(machine, {})[direction] = when
        infos = [MachineInfo(m, d.get("sent"), d.get("received")) for m, d in seen.items()]
        return sorted(infos, key=lambda i: max(t for t in (i.last_sent, i.last_received) if t), reverse=True)

    def export_bundle(
        self, project_id: str, path: str | os.PathLike[str], since_machine: str | None = None
    ) -> ExportResult:
        """Write the project (or, with `since_machine`, what changed since the last bundle to it)."""
        target = Path(path)
        if since_machine is not None and not is_uuid(since_machine):
            raise BundleError("The other machine's id must be a machine id (a UUID).")
        with self.store.read() as s:
            if since_machine is not None and since_machine == s.scalar(select(LocalMachine.id)):
                raise BundleError("That is this machine's own id.")
            self._get(s, Project, project_id, "project")  # before any file is made
        started = utcnow()
        try:
            # The records go straight from the database into the zip, part by part (never all in
            # memory); the manifest, with their counts and checksums, goes in last.
            with bundle_file(target) as zf:
                with self._snapshot() as s:
                    project = self._get(s, Project, project_id, "project")
                    since = self._since(s, project.id, since_machine) if since_machine else None
                    sums, counts = self._write_records(zf, s, project.id, since)
                    name = project.name
                machine = self.machine_id()
                manifest = Manifest(
                    format_version=FORMAT_VERSION, bundle_id=new_id(), project_id=project_id,
                    project_name=name, created_at=started, machine_id=machine,
                    scope="whole" if since is None else "changes", since=since, to_machine=since_machine,
                    counts=counts, sha256=sums,
                )
                zf.writestr(MANIFEST, dump_json(manifest.to_json()))
        except OSError as exc:
            raise BundleError(f"The bundle cannot be written to {target}: {exc.strerror or exc}.") from exc
        if since_machine is not None:
            with self.store.transaction() as s:
                s.add(BundleLog(bundle_id=manifest.bundle_id, direction="sent", project_id=project_id,
                                machine_id=since_machine, oldest_change=since, created_at=started))
        return ExportResult(target, manifest.bundle_id, machine, name, manifest.scope, since, counts)

    def preview_import(self, path: str | os.PathLike[str]) -> BundlePreview:
        """Check a bundle and say what importing it would add; writes nothing."""
        manifest, records = read_bundle(Path(path))
        with self.store.read() as s:
            plan = plan_merge(s, manifest, records)
            return replace(plan.preview, already_imported=self._received(s, manifest.bundle_id))

    def import_bundle(self, path: str | os.PathLike[str]) -> BundlePreview:
        """Check a bundle and merge it in one transaction; returns what was added."""
        manifest, records = read_bundle(Path(path))
        try:
            with self._writing() as s:
                plan = plan_merge(s, manifest, records)
                apply_merge(s, plan)
                already = self._received(s, manifest.bundle_id)
                own = manifest.machine_id == s.scalar(select(LocalMachine.id))
                if not already and not own:
                    s.add(BundleLog(bundle_id=manifest.bundle_id, direction="received",
                                    project_id=manifest.project_id, machine_id=manifest.machine_id,
                                    oldest_change=plan.oldest_change))
                    s.flush()
                return replace(plan.preview, already_imported=already)
        except IntegrityError as exc:
            raise BundleError(
                "The database changed while the bundle was being imported; nothing was written. Try again."
            ) from exc

    @staticmethod
    def _received(s: Session, bundle_id: str) -> bool:
        return s.scalar(select(BundleLog.id).where(
            BundleLog.bundle_id == bundle_id, BundleLog.direction == "received").limit(1)) is not None

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """A transaction that holds off other imports until it ends (SQLite's already holds off
        every other writer: Store.transaction begins IMMEDIATE)."""
        with self.store.transaction() as s:
            if self.store.engine.dialect.name == "postgresql":
                s.connection().exec_driver_sql("LOCK TABLE bundle_log IN SHARE ROW EXCLUSIVE MODE")
            yield s

    @contextmanager
    def _snapshot(self) -> Iterator[Session]:
        """A read session that sees one consistent state of the database throughout."""
        with self.store.read() as s:
            dialect = self.store.engine.dialect.name
            if dialect == "postgresql":
                s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            elif dialect == "sqlite":
                s.connection().exec_driver_sql("BEGIN")
            yield s

    @staticmethod
    def _since(s: Session, project_id: str, machine: str) -> datetime | None:
        """Where a "changes since" bundle for `machine` starts; None: it has had nothing yet."""
        last = s.scalar(select(func.max(BundleLog.created_at)).where(
            BundleLog.project_id == project_id, BundleLog.direction == "sent",
            BundleLog.machine_id == machine))
        if last is None:
            return None
        # Records brought in from a third machine since then keep their old times: start before them.
        relayed = s.scalar(select(func.min(BundleLog.oldest_change)).where(
            BundleLog.project_id == project_id, BundleLog.direction == "received",
            BundleLog.machine_id != machine, BundleLog.created_at >= _aware(last) - MARGIN))
        start = _aware(last) if relayed is None else min(_aware(last), _aware(relayed))
        return start - MARGIN

    @staticmethod
    def _write_records(
        zf: zipfile.ZipFile, s: Session, project_id: str, since: datetime | None
    ) -> tuple[dict[str, str], dict[str, int]]:
        """Write each kind's part into the zip as it is read; (checksums, counts) by part and kind.

        A part's bytes are exactly `dump_json` of its list of records, written a batch at a time.
        """
        ids = project_id_queries(project_id)
        db = s.connection()  # Core rows, read as they are written
        sums: dict[str, str] = {}
        counts: dict[str, int] = {}
        for kind in reversed(KINDS):  # records before what they refer to
            table = kind.model.__table__
            query = select(*(table.c[f] for f in kind.fields)).where(table.c.id.in_(ids[kind.name]))
            if since is not None and kind.changed is not None:
                query = query.where(table.c[kind.changed] >= since)
            digest, count = hashlib.sha256(), 0
            timed = [i for i, f in enumerate(kind.fields) if isinstance(table.c[f].type, (UTCDateTime, Date))]
            with zf.open(kind.part, "w", force_zip64=True) as out:
                _put(out, digest, b"[")
                for batch in db.execute(query.order_by(table.c.id)).partitions(WRITE_BATCH):
                    rows = [list(row) for row in batch]
                    for row, i in ((row, i) for row in rows for i in timed):  # only times and dates change
                        row[i] = to_json(row[i])
                    data = dump_json([dict(zip(kind.fields, row, strict=True)) for row in rows])
                    _put(out, digest, (b"," if count else b"") + data[1:-1])  # the list, a batch at a time
                    count += len(batch)
                _put(out, digest, b"]")
            sums[kind.part] = digest.hexdigest()
            counts[kind.name] = count
        return dict(sorted(sums.items())), dict(sorted(counts.items()))


def _put(out: IO[bytes], digest: Any, data: bytes) -> None:
    """Write into a zip entry and its running checksum."""
    out.write(data)
    digest.update(data)


def _aware(value: datetime) -> datetime:
    """An aggregate's time, with the UTC zone put back should the driver have dropped it."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
