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

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.services.exchange.bundle_file import BundleFile, Manifest, open_bundle, peek_manifest, written_bundle
from app.services.exchange.bundle_format import (
    FORMAT_VERSION,
    MANIFEST,
    SIGNATURE,
    BundleError,
    dump_json,
    is_uuid,
)
from app.services.exchange.bundle_merge import Merged, merge_bundle
from app.services.exchange.bundle_preview import BundlePreview
from app.services.exchange.bundle_withdrawals import describe, forget_here, tidy_after, withdraw_here
from app.services.exchange.bundle_write import write_records
from app.services.exchange.carry import check_kinds, latest_allowed
from app.services.exchange.invitations import GivingWay, Invitations
from app.services.exchange.keyring import FACILITATOR, PARTICIPANT, Computer, Keyring, sign
from app.services.exchange.signers import AS_UNSIGNED, Sender, identify, made_for_another
from app.services.validation import check_id
from app.store.database import Store
from app.store.local_drafts import LocalDrafts
from app.store.models import BundleLog, Event, LocalMachine, Project, new_id, utcnow

__all__ = ["BundleError", "BundlePreview", "Computer", "ExchangeService", "ExportResult", "MachineInfo",
           "UnsignedBundle"]

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
    kept_back: int = 0  # records of this computer's members that refer to work that stays here

    @property
    def total(self) -> int:
        """The number of records in the bundle."""
        return sum(self.counts.values())

    @property
    def message(self) -> str:
        """One line to show or speak."""
        what = "the whole project" if self.scope == "whole" else "the changes"
        kept = (f" {self.kept_back} of their records stay on this computer: they answer work that "
                "members who do not use it wrote here." if self.kept_back else "")
        return f"Bundle saved: {self.path.name}, {what} ({self.total} records).{kept}"


class UnsignedBundle(BundleError):
    """A format 1 bundle: importable once on the facilitator's computer, after its warning is confirmed."""


@dataclass(frozen=True)
class MachineInfo:
    """Another machine this project's bundles went to or came from."""

    machine_id: str
    last_sent: datetime | None
    last_received: datetime | None


class ExchangeService(Invitations):
    """Export and import bundles; invite and revoke computers (invitations.py); this store's machine id."""

    def __init__(self, store: Store, keys_folder: Path | None = None) -> None:
        super().__init__(store)
        self.keyring = Keyring(keys_folder if keys_folder is not None else store.data_folder() / "keys")

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
                    sums, counts, kept_back = write_records(zf, s, project.id, since, keys.role, own)
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
        return ExportResult(target, manifest.bundle_id, machine, name, manifest.scope, since, counts,
                            kept_back)

    def waiting_bundles(self, folder: str | os.PathLike[str]) -> list[Path]:
        """The bundles in `folder` to offer for import, newest first. An invitation this computer
        made for another is left out (it is refused here); a file that cannot be read stays, so
        that its preview says why."""
        found = sorted(Path(folder).glob("*.canvas"), key=lambda p: p.stat().st_mtime, reverse=True)
        offered = []
        for path in found:
            manifest = peek_manifest(path)
            if manifest is None or not made_for_another(manifest, self.keyring.get(manifest.project_id)):
                offered.append(path)
        return offered

    def preview_import(self, path: str | os.PathLike[str], allow_unsigned: bool = False) -> BundlePreview:
        """Check a bundle (its signature, its sender's rights, every record) and say what importing it
        would change, withdrawals included; writes nothing. A format 1 bundle raises UnsignedBundle
        (its warning) unless `allow_unsigned`."""
        with open_bundle(Path(path)) as bundle:
            sender = self._accept(bundle, allow_unsigned)
            with self.store.read() as s:
                way = self._way(s, bundle, sender)
                merged = merge_bundle(s, bundle, write=False, sender=sender,
                                      give_way=way.project_id if way else None)
                return self._preview(s, bundle, sender, merged, way)

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
                    way = self._way(s, bundle, sender)
                    if way is not None:
                        self.give_way(s, way)
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
                        self.join(manifest.project_id, sender.joins)
            except IntegrityError as exc:
                raise BundleError(
                    "The database changed while the bundle was being imported; nothing was written. "
                    "Try again."
                ) from exc
        tidy_after(self.store, merged.withdrawals)
        forget_here(local_drafts, withdrawn)
        return replace(merged.preview, already_imported=already, sender=sender.label,
                       unsigned=sender.role == AS_UNSIGNED, joins=sender.joins is not None,
                       renamed=[way.line] if way else [])

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

    def _way(self, s: Session, bundle: BundleFile, sender: Sender) -> GivingWay | None:
        """The project here that gives its name up to the one an invitation joins, if one must."""
        if sender.joins is None or s.get(Project, bundle.manifest.project_id) is not None:
            return None
        return self.giving_way(s, bundle.manifest.project_id, bundle.manifest.project_name)

    def _preview(self, s: Session, bundle: BundleFile, sender: Sender, merged: Merged,
                 way: GivingWay | None) -> BundlePreview:
        return replace(merged.preview, already_imported=self._received(s, bundle.manifest.bundle_id),
                       sender=sender.label, unsigned=sender.role == AS_UNSIGNED,
                       joins=sender.joins is not None, renamed=[way.line] if way else [],
                       withdrawal_changes=describe(s, bundle.manifest.project_id, merged.withdrawals))

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


def _withdrawal_modes(s: Session, project_id: str) -> dict[str, str]:
    """How each withdrawn member was withdrawn ("delete" or "anonymise"), as the audit log says: the
    receiver withdraws them the same way (the log itself never travels)."""
    rows = s.execute(select(Event.target_id, Event.detail).where(
        Event.project_id == project_id, Event.action == "member_withdrawn").order_by(Event.created_at))
    return {target: detail["mode"] for target, detail in rows
            if target and isinstance(detail, dict) and detail.get("mode") in ("delete", "anonymise")}


def _aware(value: datetime) -> datetime:
    """An aggregate's time, with the UTC zone put back should the driver have dropped it."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
