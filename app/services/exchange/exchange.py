"""Bundles: a project's records carried between machines in one `.canvas` file.

`export_bundle` writes the whole project, or only what changed since the last bundle
sent to a given machine. `preview_import` checks a bundle and says what importing it
would add (writing nothing); `import_bundle` does the same checks and merges in one
transaction. A bad bundle raises BundleError with a one-line reason and changes nothing.
See bundle_format (the records), bundle_file (the zip) and bundle_merge (the rules).

A machine is a database: its id is made on first need and kept in `local_machine` (a copied
SQLite file keeps it; everyone on a shared PostgreSQL database is one machine). "Changes
since" a machine start at the last bundle sent to it, less MARGIN, and earlier still if
records since brought in from a third machine are older; the project's small structure
(project, members, meetings, questions, themes, definitions) always travels whole, so a
delta's references resolve. A project of the same name but another id is refused: two
groups' work is never merged on a name alone. Imports write no Event: `bundle_log` records
them (the first import of each bundle from another machine, and every import that writes
anything), so bundles imported in any order give the same shared records, and the project's
change marker (ProjectService.change_marker) moves with every import that changes something.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

from sqlalchemy import ColumnElement, Date, String, func, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.services.base import ServiceBase
from app.services.exchange.bundle_file import Manifest, open_bundle, written_bundle
from app.services.exchange.bundle_format import (
    FORMAT_VERSION,
    KINDS,
    MANIFEST,
    BundleError,
    Kind,
    dump_json,
    is_uuid,
    to_json,
)
from app.services.exchange.bundle_merge import merge_bundle
from app.services.exchange.bundle_preview import BundlePreview
from app.services.exchange.bundle_refs import project_id_queries
from app.services.exchange.bundle_withdrawals import forget_here, tidy_after, withdraw_here
from app.services.validation import check_id
from app.store.local_drafts import LocalDrafts
from app.store.models import BundleLog, LocalMachine, Project, UTCDateTime, new_id, utcnow

__all__ = ["BundleError", "BundlePreview", "ExchangeService", "ExportResult", "MachineInfo"]

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
            own = s.scalar(select(LocalMachine.id)) or ""  # its own bundles, imported again, are logged
            rows = s.execute(
                select(BundleLog.machine_id, BundleLog.direction, func.max(BundleLog.created_at))
                .where(BundleLog.project_id == project_id, BundleLog.machine_id != own)
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
            with written_bundle(target) as zf:
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
        with open_bundle(Path(path)) as bundle, self.store.read() as s:
            merged = merge_bundle(s, bundle, write=False)
            return replace(merged.preview, already_imported=self._received(s, bundle.manifest.bundle_id))

    def import_bundle(self, path: str | os.PathLike[str], local_drafts: LocalDrafts | None = None
                      ) -> BundlePreview:
        """Check a bundle and merge it in one transaction; returns what was added. Members withdrawn
        on the other machine are withdrawn here too, in the same transaction (bundle_withdrawals),
        and their texts in this computer's unsaved-text file (`local_drafts`) go with them."""
        with open_bundle(Path(path)) as bundle:
            manifest = bundle.manifest
            try:
                with self._writing() as s:
                    merged = merge_bundle(s, bundle, write=True)
                    withdrawn = withdraw_here(s, manifest.project_id, merged.withdrawals)
                    already = self._received(s, manifest.bundle_id)
                    own = manifest.machine_id == s.scalar(select(LocalMachine.id))
                    wrote = merged.preview.total_new or merged.withdrawals
                    if wrote or not (already or own):  # so the project's change marker moves too
                        s.add(BundleLog(bundle_id=manifest.bundle_id, direction="received",
                                        project_id=manifest.project_id, machine_id=manifest.machine_id,
                                        oldest_change=merged.oldest_change))
                        s.flush()
            except IntegrityError as exc:
                raise BundleError(
                    "The database changed while the bundle was being imported; nothing was written. "
                    "Try again."
                ) from exc
        tidy_after(self.store, merged.withdrawals)
        forget_here(local_drafts, withdrawn)
        return replace(merged.preview, already_imported=already)

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
            columns, timed = _columns(kind, db.dialect.name == "sqlite")
            owner = table.c.project_id == project_id if "project_id" in table.c else table.c.id.in_(
                ids[kind.name])
            # Oldest first: importing them, the indexes that end in a time grow at their end, which
            # takes half the time of inserting in id order.
            query = select(*columns).where(owner).order_by(table.c.created_at, table.c.id)
            if since is not None and kind.changed is not None:
                query = query.where(table.c[kind.changed] >= since)
            digest, count = hashlib.sha256(), 0
            with zf.open(kind.part, "w", force_zip64=True) as out:
                _put(out, digest, b"[")
                for batch in db.execute(query).partitions(WRITE_BATCH):
                    rows: Sequence[Sequence[Any]] = batch
                    if timed:
                        rows = [list(row) for row in batch]
                        for row, i in ((row, i) for row in rows for i in timed):
                            row[i] = to_json(row[i])
                    data = dump_json([dict(zip(kind.fields, row, strict=True)) for row in rows])
                    _put(out, digest, (b"," if count else b"") + data[1:-1])  # the list, a batch at a time
                    count += len(batch)
                _put(out, digest, b"]")
            sums[kind.part] = digest.hexdigest()
            counts[kind.name] = count
        return dict(sorted(sums.items())), dict(sorted(counts.items()))


def _columns(kind: Kind, sqlite: bool) -> tuple[list[ColumnElement[Any]], list[int]]:
    """The columns read for a kind's records, and the positions of those that still need `to_json`.
    SQLite keeps times (UTC) and dates as text: there they are read as the text a bundle holds."""
    columns: list[ColumnElement[Any]] = []
    timed = []
    for i, field in enumerate(kind.fields):
        column = kind.column(field)
        if sqlite and isinstance(column.type, UTCDateTime):
            text = type_coerce(column, String)
            columns.append(func.replace(text, " ", "T").concat("+00:00").label(field))
        elif sqlite and isinstance(column.type, Date):
            columns.append(type_coerce(column, String).label(field))
        else:
            columns.append(column)
            if isinstance(column.type, (UTCDateTime, Date)):
                timed.append(i)
    return columns, timed


def _put(out: IO[bytes], digest: Any, data: bytes) -> None:
    """Write into a zip entry and its running checksum."""
    out.write(data)
    digest.update(data)


def _aware(value: datetime) -> datetime:
    """An aggregate's time, with the UTC zone put back should the driver have dropped it."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
