"""The .canvas zip: its safety checks, its manifest and checksums, and its parts read as streams.

`open_bundle` checks the file and the zip (size, names, declared and packed sizes, encryption),
reads every part once within a budget keeping only its SHA-256 (so a large bundle is never all
in memory), and checks the manifest against those sums. `BundleFile.batches(kind)` then reads
one part again as a stream: its JSON list is parsed one item at a time, each record is checked
(bundle_format.RecordCheck) and handed on in batches (the strict, streaming JSON reader is
bundle_json.py); when the part ends, its record count and
its bytes are checked again against the manifest, so a file changed between the two reads is
refused. `written_bundle` writes a zip beside its destination and moves it into place.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.services.exchange.bundle_format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST,
    SCOPES,
    SIGNATURE,
    BundleError,
    Kind,
    RecordCheck,
    is_uuid,
    kinds_of,
    parse_time,
    text_problem,
    to_json,
)
from app.services.exchange.bundle_json import json_items, parse_json
from app.store.files import atomic_writer

MAX_BUNDLE_BYTES = 200 * 1024 * 1024  # the file, checked before it is opened
MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # all parts together, declared and as read
MAX_RATIO = 100  # unpacked : packed, for parts over RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
READ_CHUNK = 256 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024  # a manifest read alone (peek_manifest)
BATCH = 1_000  # records handed on at a time
COMPRESS_LEVEL = 1  # a bundle is written in a third of the time of the default level, ~20 % larger
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, OSError, ValueError,
              NotImplementedError, RuntimeError)
_HEX64 = re.compile(r"[0-9a-f]{64}")
ALL_PARTS = {k.part for version in (1, FORMAT_VERSION) for k in kinds_of(version)}


@dataclass(frozen=True)
class Manifest:
    """The checked manifest of a bundle."""

    format_version: int
    bundle_id: str
    project_id: str
    project_name: str
    created_at: datetime
    machine_id: str
    scope: str
    since: datetime | None
    to_machine: str | None
    counts: dict[str, int]
    sha256: dict[str, str]
    signer: str | None = None  # format 2: "project" (the facilitator's key) or "computer"
    invitation: dict[str, Any] | None = None  # format 2: what an invitation gives its computer
    withdrawals: dict[str, str] | None = None  # format 2: withdrawn member id -> "delete" or "anonymise"

    def to_json(self) -> dict[str, Any]:
        """The manifest as written into the bundle."""
        out = {
            "format": FORMAT_NAME, "format_version": self.format_version, "bundle_id": self.bundle_id,
            "project_id": self.project_id, "project_name": self.project_name,
            "created_at": to_json(self.created_at), "machine_id": self.machine_id, "scope": self.scope,
            "since": to_json(self.since), "to_machine": self.to_machine, "counts": self.counts,
            "sha256": self.sha256,
        }
        if self.format_version >= 2:
            out.update(signer=self.signer, invitation=self.invitation, withdrawals=self.withdrawals or {})
        return out

    @property
    def kinds(self) -> tuple[Kind, ...]:
        """The record kinds of its format."""
        return kinds_of(self.format_version)

    @property
    def parts(self) -> dict[str, Kind]:
        """The record parts of its format."""
        return {k.part: k for k in self.kinds}


_V2_KEYS = {"signer", "invitation", "withdrawals"}
MANIFEST_KEYS_V1 = set(Manifest.__dataclass_fields__) - _V2_KEYS | {"format"}
MANIFEST_KEYS = {1: MANIFEST_KEYS_V1, 2: MANIFEST_KEYS_V1 | _V2_KEYS}
SIGNERS = ("project", "computer")


def check_manifest(raw: object) -> Manifest:
    """The manifest, checked strictly; the format and its version are checked first."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT_NAME:
        raise BundleError("This is not a Co-production Canvas bundle (its manifest names no such format).")
    version = raw.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise BundleError(f"The bundle has an unknown format version ({str(version)[:20]}).")
    if version > FORMAT_VERSION:
        raise BundleError(
            f"The bundle was made by a newer version of Co-production Canvas (format {version}; "
            f"this app reads format {FORMAT_VERSION}). Update the app to import it."
        )
    if set(raw) != MANIFEST_KEYS[version]:
        odd = sorted(set(raw) ^ MANIFEST_KEYS[version])[0]
        raise BundleError(f"The bundle's manifest is malformed (field {str(odd)[:40]!r}).")

    def uuid_field(name: str, nullable: bool = False) -> Any:
        value = raw[name]
        if (value is None and nullable) or is_uuid(value):
            return value
        raise BundleError(f"The bundle's manifest is malformed ({name} is not an id).")

    def time_field(name: str, nullable: bool = False) -> Any:
        if raw[name] is None and nullable:
            return None
        try:
            return parse_time(raw[name])
        except (TypeError, ValueError) as exc:
            raise BundleError(f"The bundle's manifest is malformed ({name} is not a UTC time).") from exc

    name = raw["project_name"]
    if not isinstance(name, str) or text_problem(name, 200, True):
        raise BundleError("The bundle's manifest is malformed (project_name).")
    if raw["scope"] not in SCOPES:
        raise BundleError("The bundle's manifest is malformed (scope).")
    counts, sums = raw["counts"], raw["sha256"]
    kinds = kinds_of(version)
    if not isinstance(counts, dict) or set(counts) != {k.name for k in kinds} or not all(
        type(n) is int and n >= 0 for n in counts.values()
    ):
        raise BundleError("The bundle's manifest is malformed (counts).")
    if not isinstance(sums, dict) or set(sums) != {k.part for k in kinds} or not all(
        isinstance(h, str) and _HEX64.fullmatch(h) for h in sums.values()
    ):
        raise BundleError("The bundle's manifest is malformed (sha256).")
    signer, invitation = raw.get("signer"), raw.get("invitation")
    if version >= 2 and signer not in SIGNERS:
        raise BundleError("The bundle's manifest is malformed (signer).")
    if invitation is not None and (signer != "project" or not isinstance(invitation, dict)):
        raise BundleError("The bundle's manifest is malformed (invitation).")
    withdrawals = raw.get("withdrawals") or {}
    if not isinstance(withdrawals, dict) or not all(
            is_uuid(k) and v in ("delete", "anonymise") for k, v in withdrawals.items()):
        raise BundleError("The bundle's manifest is malformed (withdrawals).")
    return Manifest(
        format_version=version, bundle_id=uuid_field("bundle_id"), project_id=uuid_field("project_id"),
        project_name=name, created_at=time_field("created_at"), machine_id=uuid_field("machine_id"),
        scope=raw["scope"], since=time_field("since", nullable=True),
        to_machine=uuid_field("to_machine", nullable=True), counts=dict(counts), sha256=dict(sums),
        signer=signer, invitation=invitation, withdrawals=dict(withdrawals),
    )


def _unsafe(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return (
        name.startswith(("/", "\\")) or "\\" in name or "\x00" in name or ".." in parts
        or (len(name) > 1 and name[1] == ":") or any(p in ("", ".") for p in parts)
    )


def _damaged(path: Path) -> BundleError:
    return BundleError(f"{path.name} is not a Co-production Canvas bundle, or it is damaged or cut short.")


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, path: Path) -> Iterator[bytes]:
    """One entry's bytes a chunk at a time, never more than `limit` in all."""
    size = 0
    try:
        with zf.open(info) as stream:
            while chunk := stream.read(READ_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise BundleError("The bundle unpacks to far more than it says: it is refused as unsafe.")
                yield chunk
    except ZIP_ERRORS as exc:
        raise _damaged(path) from exc


class BundleFile:
    """An open bundle whose zip, checksums and manifest have been checked."""

    def __init__(self, zf: zipfile.ZipFile, path: Path, manifest: Manifest, sizes: dict[str, int],
                 signed: tuple[bytes, object] | None = None) -> None:
        self.zf, self.path, self.manifest, self.sizes = zf, path, manifest, sizes
        self.signed = signed  # format 2: (the manifest's bytes, the signature it came with)
        self.kinds = manifest.kinds
        self.latest: datetime | None = None  # records dated after this are refused (see carry.py)

    def batches(self, kind: Kind, size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
        """The kind's records, checked, a batch at a time. When the part has been read through, its
        count and checksum are checked: a caller writing as it reads must roll back on BundleError."""
        digest = hashlib.sha256()

        def hashed() -> Iterator[bytes]:
            for chunk in _chunks(self.zf, self.zf.getinfo(kind.part), self.sizes[kind.part], self.path):
                digest.update(chunk)
                yield chunk

        check = RecordCheck(kind, self.latest)
        batch: list[dict[str, Any]] = []
        n = 0
        for n, item in enumerate(json_items(hashed(), kind.part), start=1):  # noqa: B007
            batch.append(check(item, n))
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch
        if digest.hexdigest() != self.manifest.sha256[kind.part]:
            raise BundleError(f"{kind.part} does not match its checksum: the bundle was changed or damaged.")
        if n != self.manifest.counts[kind.name]:
            raise BundleError(f"{kind.part} holds a different number of records than the manifest says.")


def peek_manifest(path: Path) -> Manifest | None:
    """Only the manifest of a bundle, unchecked against its parts (for listing what a folder
    holds); None when it cannot be read, for `open_bundle` to say why."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo(MANIFEST)
            if info.file_size > MAX_MANIFEST_BYTES:
                return None
            return check_manifest(parse_json(zf.read(info), MANIFEST))
    except (*ZIP_ERRORS, KeyError, BundleError):
        return None


@contextmanager
def open_bundle(path: Path) -> Iterator[BundleFile]:
    """Open and check a bundle file (see the module docstring); BundleError on anything wrong."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BundleError(f"The bundle {path.name} cannot be read: {exc.strerror or exc}.") from exc
    if not path.is_file():
        raise BundleError(f"{path.name} is not a file.")
    if size > MAX_BUNDLE_BYTES:
        raise BundleError(f"The bundle is too large ({size / 2**20:,.0f} MB; at most 200 MB).")
    try:
        zf = zipfile.ZipFile(path)
    except ZIP_ERRORS as exc:
        raise _damaged(path) from exc
    with zf:
        yield _checked(zf, path, size)


def _checked(zf: zipfile.ZipFile, path: Path, size: int) -> BundleFile:
    infos = zf.infolist()
    names = [i.filename for i in infos]
    for name in names:
        if _unsafe(name):
            raise BundleError(f"The bundle holds an unsafe file name ({name[:60]!r}): it is refused.")
    if len(set(names)) != len(names):
        raise BundleError("The bundle holds the same file twice.")
    unknown = sorted(set(names) - {MANIFEST, SIGNATURE, *ALL_PARTS})
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
    budget = MAX_UNPACKED_BYTES
    sums: dict[str, str] = {}
    sizes: dict[str, int] = {}
    manifest_data = b""
    for info in infos:
        digest, read = hashlib.sha256(), 0
        for chunk in _chunks(zf, info, min(info.file_size, budget), path):
            digest.update(chunk)
            read += len(chunk)
            if info.filename == MANIFEST:
                manifest_data += chunk
        budget -= read
        sums[info.filename], sizes[info.filename] = digest.hexdigest(), read
    manifest = check_manifest(parse_json(manifest_data, MANIFEST))
    parts = manifest.parts
    extra = sorted(set(sums) - {MANIFEST, SIGNATURE, *parts})
    if extra:
        raise BundleError(f"Refused: this bundle (for {manifest.project_name!r}, from the computer "
                          f"{manifest.machine_id}) holds {extra[0]}, which a bundle of format "
                          f"{manifest.format_version} never carries: review notes, the audit log and "
                          "security events never travel. Nothing was written.")
    missing = sorted(set(parts) - set(sums))
    if missing:
        raise BundleError(f"The bundle lacks {missing[0]}.")
    for name in parts:
        if sums[name] != manifest.sha256[name]:
            raise BundleError(f"{name} does not match its checksum: the bundle was changed or damaged.")
    signed = None
    if manifest.format_version >= 2:
        if SIGNATURE not in names:
            raise BundleError("The bundle is not signed (it has no signature.json): it is refused.")
        raw = parse_json(zf.read(SIGNATURE), SIGNATURE) if sizes[SIGNATURE] <= 4096 else None
        signed = (manifest_data, raw.get("signature") if isinstance(raw, dict) else None)
    elif SIGNATURE in names:
        raise BundleError("The bundle's format (1) has no signature, yet it holds one: it is refused.")
    return BundleFile(zf, path, manifest, sizes, signed)


@contextmanager
def written_bundle(path: Path) -> Iterator[zipfile.ZipFile]:
    """A zip written beside `path` and moved into place when the block ends; readable by its owner
    only. If the block fails, the half-written file is removed and `path` is untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(path) as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED,
                                                     compresslevel=COMPRESS_LEVEL) as zf:
        yield zf
