"""Bundles: a project's records carried between machines in one `.canvas` file.

`export_bundle` writes the whole project, or only what changed since the last bundle
sent to a given machine. `preview_import` checks a bundle and says what importing it
would add (writing nothing); `import_bundle` does the same checks and merges in one
transaction. A bad bundle raises BundleError with a one-line reason and changes nothing.
See bundle_format (the records), bundle_file (the zip) and bundle_merge (the rules).

Trust (format 2): every bundle is signed, by the project's key on the facilitator's computer or
by an invited computer's own key (keyring.py); signers.py says which bundles this computer
accepts and as whom, carry.py what each may carry and change. The facilitator's computer
invites a participant's computer with an invitation bundle (`invite_computer`) and can revoke
it (`revoke_computer`). A withdrawal a bundle brings is imported only once confirmed; a format 1
bundle only on the facilitator's computer, once, after its warning is confirmed.

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

from sqlalchemy import ColumnElement, Date, String, false, func, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.services.base import ServiceBase
from app.services.exchange.bundle_file import BundleFile, Manifest, open_bundle, written_bundle
from app.services.exchange.bundle_format import (
    FORMAT_VERSION,
    KINDS,
    MANIFEST,
    SIGNATURE,
    BundleError,
    Kind,
    dump_json,
    is_uuid,
    to_json,
)
from app.services.exchange.bundle_merge import Merged, merge_bundle
from app.services.exchange.bundle_preview import BundlePreview
from app.services.exchange.bundle_refs import project_id_queries
from app.services.exchange.bundle_withdrawals import describe, forget_here, tidy_after, withdraw_here
from app.services.exchange.carry import AUTHOR, COMPUTER_KINDS, check_kinds, latest_allowed, outgoing
from app.services.exchange.keyring import FACILITATOR, PARTICIPANT, Computer, Keyring, ProjectKeys, b64, sign
from app.services.exchange.signers import AS_UNSIGNED, Sender, identify
from app.services.validation import check_id
from app.store.database import Store
from app.store.local_drafts import LocalDrafts
from app.store.models import BundleLog, Event, LocalMachine, Member, Project, UTCDateTime, new_id, utcnow

__all__ = ["BundleError", "BundlePreview", "Computer", "ExchangeService", "ExportResult", "MachineInfo",
           "UnsignedBundle"]

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


class UnsignedBundle(BundleError):
    """A format 1 bundle: importable once on the facilitator's computer, after its warning is confirmed."""


@dataclass(frozen=True)
class MachineInfo:
    """Another machine this project's bundles went to or came from."""

    machine_id: str
    last_sent: datetime | None
    last_received: datetime | None


class ExchangeService(ServiceBase):
    """Export and import bundles; invite and revoke computers; this store's machine id."""

    def __init__(self, store: Store, keys_folder: Path | None = None) -> None:
        super().__init__(store)
        self.keyring = Keyring(keys_folder if keys_folder is not None else store.data_folder() / "keys")

    # --- this computer's part in a project ----------------------------------------------------

    def role(self, project_id: str) -> str:
        """"facilitator" (this computer holds the project's signing key, made now if the project was
        made here) or "participant" (it joined with an invitation)."""
        return self._keys(project_id).role

    def computers(self, project_id: str) -> tuple[Computer, ...]:
        """The computers invited to the project, revoked ones too (the facilitator's computer)."""
        keys = self._keys(project_id)
        return keys.computers if keys.role == FACILITATOR else ()

    def invite_computer(self, project_id: str, label: str, members: Sequence[str],
                        path: str | os.PathLike[str]) -> tuple[Computer, ExportResult]:
        """Invite a participant's computer used by `members`: kept in this computer's list, and an
        invitation bundle written to `path` (the project for its screens, the project's public key
        and that computer's own key pair)."""
        label = " ".join(str(label).split())[:80]
        if not label:
            raise BundleError("Give the computer a name, e.g. \"Sam's laptop\".")
        with self.store.read() as s:
            self._get(s, Project, project_id, "project")
            known = set(s.scalars(select(Member.id).where(Member.project_id == project_id,
                                                           Member.withdrawn_at.is_(None))))
        members = tuple(check_id(m, "member") for m in members)
        if not members or not set(members) <= known:
            raise BundleError("Choose the members (at least one, of this project) who use that computer.")
        keys = self._keys(project_id)
        if keys.role != FACILITATOR:
            raise BundleError("Only the facilitator's computer can invite computers.")
        computer, private = self.keyring.invite(project_id, label, members)
        invitation = {"machine_id": computer.machine_id, "label": label, "members": list(members),
                      "machine_key": b64(private), "project_key": b64(keys.project_public)}
        try:
            result = self.export_bundle(project_id, path, invitation=invitation)
        except BundleError:
            self.keyring.revoke(project_id, computer.machine_id)  # an invitation never written is no use
            raise
        return computer, result

    def revoke_computer(self, project_id: str, machine_id: str) -> Computer:
        """Stop accepting bundles from an invited computer (a lost laptop)."""
        if self._keys(project_id).role != FACILITATOR:
            raise BundleError("Only the facilitator's computer can revoke computers.")
        return self.keyring.revoke(project_id, machine_id)

    def _keys(self, project_id: str) -> ProjectKeys:
        keys = self.keyring.get(project_id)
        if keys is not None:
            return keys
        with self.store.read() as s:
            self._get(s, Project, project_id, "project")
        return self.keyring.facilitator_keys(project_id)  # the project is here and no one invited us

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
        self, project_id: str, path: str | os.PathLike[str], since_machine: str | None = None,
        invitation: dict[str, Any] | None = None,
    ) -> ExportResult:
        """Write the project (or, with `since_machine`, what changed since the last bundle to it),
        signed: on the facilitator's computer by the project's key, with what participants may see;
        on a participant's computer by its own key, with its members' records only ("Send my work")."""
        target = Path(path)
        keys = self._keys(project_id)
        to = invitation["machine_id"] if invitation else since_machine
        audience = keys.computer(to) if to and keys.role == FACILITATOR else None
        own = frozenset(keys.members if keys.role == PARTICIPANT else audience.members if audience else ())
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
                    sums, counts = self._write_records(zf, s, project.id, since, keys.role, own)
                    name = project.name
                    withdrawals = _withdrawal_modes(s, project.id) if keys.role == FACILITATOR else {}
                machine = keys.machine_id if keys.role == PARTICIPANT else self.machine_id()
                manifest = Manifest(
                    format_version=FORMAT_VERSION, bundle_id=new_id(), project_id=project_id,
                    project_name=name, created_at=started, machine_id=machine or "",
                    scope="whole" if since is None else "changes", since=since, to_machine=to,
                    counts=counts, sha256=sums, signer="project" if keys.role == FACILITATOR else "computer",
                    invitation=invitation, withdrawals=withdrawals,
                )
                data = dump_json(manifest.to_json())
                zf.writestr(MANIFEST, data)
                key = keys.signing_key if keys.role == FACILITATOR else keys.machine_key
                zf.writestr(SIGNATURE, dump_json({"signature": sign(key or b"", data)}))
        except OSError as exc:
            raise BundleError(f"The bundle cannot be written to {target}: {exc.strerror or exc}.") from exc
        if to is not None:
            with self.store.transaction() as s:
                s.add(BundleLog(bundle_id=manifest.bundle_id, direction="sent", project_id=project_id,
                                machine_id=to, oldest_change=since, created_at=started))
        return ExportResult(target, manifest.bundle_id, machine, name, manifest.scope, since, counts)

    def preview_import(self, path: str | os.PathLike[str], allow_unsigned: bool = False) -> BundlePreview:
        """Check a bundle (its signature, its sender's rights, every record) and say what importing it
        would change, withdrawals included; writes nothing. A format 1 bundle raises UnsignedBundle
        (its warning) unless `allow_unsigned`."""
        with open_bundle(Path(path)) as bundle:
            sender = self._accept(bundle, allow_unsigned)
            with self.store.read() as s:
                merged = merge_bundle(s, bundle, write=False, sender=sender)
                return self._preview(s, bundle, sender, merged)

    def import_bundle(self, path: str | os.PathLike[str], local_drafts: LocalDrafts | None = None,
                      allow_unsigned: bool = False, confirm_withdrawals: bool = False) -> BundlePreview:
        """Check a bundle as `preview_import` does and merge it in one transaction; returns what was
        added. Members the facilitator withdrew are withdrawn here too, in the same transaction
        (bundle_withdrawals), only when `confirm_withdrawals` (else BundleError, nothing written);
        their texts in this computer's unsaved-text file (`local_drafts`) go with them, and the
        backups that still hold them are replaced once it has committed. An invitation joins this
        computer to the project (its keys file is written before the records are committed)."""
        with open_bundle(Path(path)) as bundle:
            manifest = bundle.manifest
            sender = self._accept(bundle, allow_unsigned)
            try:
                with self._writing() as s:
                    merged = merge_bundle(s, bundle, write=True, sender=sender)
                    if merged.withdrawals and not confirm_withdrawals:
                        names = ", ".join(w.name for w in merged.withdrawals)
                        raise BundleError(f"This bundle withdraws {names}: look at the preview and confirm "
                                          "first. Nothing was written.")
                    withdrawn = withdraw_here(s, manifest.project_id, merged.withdrawals)
                    already = self._received(s, manifest.bundle_id)
                    if already and sender.role == AS_UNSIGNED:
                        raise BundleError("This unsigned bundle was imported here before; an unsigned bundle "
                                          "is imported once only. Nothing was written.")
                    own = manifest.machine_id == s.scalar(select(LocalMachine.id))
                    wrote = merged.preview.total_new or merged.withdrawals
                    if wrote or not (already or own) or sender.role == AS_UNSIGNED:  # the marker moves too
                        s.add(BundleLog(bundle_id=manifest.bundle_id, direction="received",
                                        project_id=manifest.project_id, machine_id=manifest.machine_id,
                                        oldest_change=merged.oldest_change))
                        s.flush()
                    if sender.joins is not None:
                        self._join(manifest.project_id, sender.joins)
            except IntegrityError as exc:
                raise BundleError(
                    "The database changed while the bundle was being imported; nothing was written. "
                    "Try again."
                ) from exc
        tidy_after(self.store, merged.withdrawals)
        forget_here(local_drafts, withdrawn)
        return replace(merged.preview, already_imported=already, sender=sender.label,
                       unsigned=sender.role == AS_UNSIGNED, joins=sender.joins is not None)

    def _accept(self, bundle: BundleFile, allow_unsigned: bool) -> Sender:
        """Whom the bundle comes from, once its signature and its sender's rights are checked."""
        manifest = bundle.manifest
        now = utcnow()
        bundle.latest = latest_allowed(now)
        if manifest.created_at > bundle.latest:
            raise BundleError(f"Refused: this bundle says it was made on {manifest.created_at:%Y-%m-%d}, "
                              "more than a day in the future. Nothing was written.")
        keys = self.keyring.get(manifest.project_id)
        if keys is None and manifest.invitation is None:
            with self.store.read() as s:
                if s.get(Project, manifest.project_id) is not None:
                    keys = self.keyring.facilitator_keys(manifest.project_id)
        sender = identify(bundle, keys)
        if sender.role == AS_UNSIGNED and not allow_unsigned:
            raise UnsignedBundle(
                "This bundle is not signed: it was made by an earlier version of the app, so anyone could "
                "have made or changed it. Import it only if you know where it came from; confirm to import "
                "it once.")
        check_kinds(sender, manifest.counts)
        return sender

    def _preview(self, s: Session, bundle: BundleFile, sender: Sender, merged: Merged) -> BundlePreview:
        return replace(merged.preview, already_imported=self._received(s, bundle.manifest.bundle_id),
                       sender=sender.label, unsigned=sender.role == AS_UNSIGNED,
                       joins=sender.joins is not None,
                       withdrawal_changes=describe(s, bundle.manifest.project_id, merged.withdrawals))

    def _join(self, project_id: str, invitation: dict[str, Any]) -> None:
        from app.services.exchange.keyring import unb64

        self.keyring.join(project_id, unb64(invitation["project_key"], 32), invitation["machine_id"],
                          unb64(invitation["machine_key"], 32), tuple(invitation["members"]))

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
        zf: zipfile.ZipFile, s: Session, project_id: str, since: datetime | None, role: str,
        own: frozenset[str],
    ) -> tuple[dict[str, str], dict[str, int]]:
        """Write each kind's part into the zip as it is read; (checksums, counts) by part and kind.
        What is written is what carry.py lets this computer send: from a participant's computer its
        own members' (`own`) records only; from the facilitator's, what participants may see.

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
            if role == PARTICIPANT:
                if kind.name not in COMPUTER_KINDS:
                    query = query.where(false())
                elif kind.name in AUTHOR:
                    author = table.c[AUTHOR[kind.name]]
                    query = query.where(author.in_(own) | author.is_(None) if kind.name == "contribution"
                                        else author.in_(own))
            digest, count = hashlib.sha256(), 0
            with zf.open(kind.part, "w", force_zip64=True) as out:
                _put(out, digest, b"[")
                for batch in db.execute(query).partitions(WRITE_BATCH):
                    rows: Sequence[Sequence[Any]] = batch
                    if timed or role == FACILITATOR:
                        rows = [list(row) for row in batch]
                        for row, i in ((row, i) for row in rows for i in timed):
                            row[i] = to_json(row[i])
                        if role == FACILITATOR:
                            for row in rows:
                                outgoing(kind.name, kind.fields, row, own)
                    data = dump_json([dict(zip(kind.fields, row, strict=True)) for row in rows])
                    _put(out, digest, (b"," if count else b"") + data[1:-1])  # the list, a batch at a time
                    count += len(batch)
                _put(out, digest, b"]")
            sums[kind.part] = digest.hexdigest()
            counts[kind.name] = count
        return dict(sorted(sums.items())), dict(sorted(counts.items()))


def _withdrawal_modes(s: Session, project_id: str) -> dict[str, str]:
    """How each withdrawn member was withdrawn ("delete" or "anonymise"), as the audit log says: the
    receiver withdraws them the same way (the log itself never travels)."""
    rows = s.execute(select(Event.target_id, Event.detail).where(
        Event.project_id == project_id, Event.action == "member_withdrawn").order_by(Event.created_at))
    return {target: detail["mode"] for target, detail in rows
            if target and isinstance(detail, dict) and detail.get("mode") in ("delete", "anonymise")}


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
