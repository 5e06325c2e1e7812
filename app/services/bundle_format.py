"""The .canvas bundle file: what it holds, and how its records are checked before any use.

A bundle is a zip holding `manifest.json` and one JSON list per record kind
(`records/<kind>.json`). The manifest names the format and its version, the bundle,
the project, the machine it came from, when it was made, whether it holds the whole
project or only the changes since a mark, the number of records of each kind and a
SHA-256 of each part. Every record is checked field by field against the format
(exact keys, types, lengths, choices) so that nothing malformed ever reaches the database.

Format version 1 fixes the fields of each kind below: a column added to a model later
does not travel (it takes its default on import) until the format says so.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, Integer, String, Text

from app.services.errors import DomainError
from app.store.models import (
    CONTRIBUTION_KINDS,
    CREDITS,
    DECISIONS,
    MAX_CONTRIBUTION,
    MAX_DRAFT,
    PAIR_ROLES,
    ROLES,
    STANCES,
    Base,
    Comment,
    Contribution,
    Definition,
    DraftVersion,
    Endorsement,
    Event,
    Meeting,
    Member,
    Project,
    Prompt,
    ReviewNote,
    Stance,
    Theme,
    UTCDateTime,
)

FORMAT_NAME = "coproduction-canvas-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SUFFIX = ".canvas"
MAX_TEXT = 100_000  # for text columns the schema does not limit
INT_RANGE = (-(2**31), 2**31 - 1)  # PostgreSQL's INTEGER
SCOPES = ("whole", "changes")
SHARED_TEXT = 50  # values of columns this short (kinds, actions, roles) are kept once, however often


class BundleError(DomainError):
    """A bundle that cannot be made or imported; the one-line message says why. Nothing was written."""


@dataclass(frozen=True)
class Kind:
    """One kind of record as it travels: its model, fields, and the column that says it changed."""

    name: str
    model: type[Base]
    fields: tuple[str, ...]
    label: tuple[str, str]  # one, many
    changed: str | None = None  # None: always travels in full (the project's small structure)

    @property
    def part(self) -> str:
        """The zip entry holding this kind's records."""
        return f"records/{self.name}.json"

    def count(self, n: int) -> str:
        """E.g. "1 me too", "3 me too's"."""
        return f"{n} {self.label[0] if n == 1 else self.label[1]}"

    def column(self, field: str) -> Column[Any]:
        """The table column behind a field."""
        return self.model.__table__.c[field]

    def refs(self) -> dict[str, str]:
        """Fields that name another record, and the kind they name."""
        found = {}
        for field in self.fields:
            for fk in self.column(field).foreign_keys:
                found[field] = fk.column.table.name
        return found


# In an order where every record's references come before it (prompts pair among themselves
# and versions name a parent version: those are handled inside the kind).
KINDS: tuple[Kind, ...] = (
    Kind("project", Project, ("id", "name", "created_at", "facilitator_secret"),
         ("project", "projects")),
    Kind("member", Member, (
        "id", "project_id", "display_name", "role", "position", "consent_date", "consent_participate",
        "consent_quote", "credit", "keep_until", "anonymous_default", "access_profile", "withdrawn_at",
        "created_at"), ("member", "members")),
    Kind("meeting", Meeting, ("id", "project_id", "held_on", "title", "created_at"),
         ("meeting", "meetings")),
    Kind("prompt", Prompt, (
        "id", "project_id", "position", "text", "pair_role", "paired_with_id", "created_at"),
        ("question", "questions")),
    Kind("theme", Theme, ("id", "prompt_id", "name", "position", "created_at"), ("theme", "themes")),
    Kind("contribution", Contribution, (
        "id", "prompt_id", "member_id", "meeting_id", "theme_id", "kind", "text", "created_at", "hidden",
        "hidden_reason", "withdrawn"), ("keyword or phrase", "keywords and phrases"), "created_at"),
    Kind("endorsement", Endorsement, (
        "id", "contribution_id", "member_id", "active", "created_at", "updated_at"),
        ("me too", "me too's"), "updated_at"),
    Kind("definition", Definition, ("id", "prompt_id", "created_at"), ("definition", "definitions")),
    Kind("draft_version", DraftVersion, (
        "id", "definition_id", "parent_id", "author_id", "text", "note", "created_at"),
        ("definition version", "definition versions"), "created_at"),
    Kind("stance", Stance, (
        "id", "version_id", "member_id", "position", "reason", "created_at", "updated_at"),
        ("stance", "stances"), "updated_at"),
    Kind("comment", Comment, (
        "id", "version_id", "contribution_id", "member_id", "text", "created_at"),
        ("comment", "comments"), "created_at"),
    Kind("review_note", ReviewNote, (
        "id", "version_id", "author_id", "text", "decision", "created_at"),
        ("review note", "review notes"), "created_at"),
    Kind("event", Event, (
        "id", "project_id", "member_id", "action", "target_kind", "target_id", "detail", "created_at"),
        ("history event", "history events"), "created_at"),
)
BY_NAME = {k.name: k for k in KINDS}
PARTS = {k.part: k for k in KINDS}

CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("member", "role"): ROLES,
    ("member", "credit"): CREDITS,
    ("prompt", "pair_role"): PAIR_ROLES,
    ("contribution", "kind"): CONTRIBUTION_KINDS,
    ("stance", "position"): STANCES,
    ("review_note", "decision"): DECISIONS,
}
NONBLANK = {
    ("project", "name"), ("member", "display_name"), ("prompt", "text"), ("theme", "name"),
    ("contribution", "text"), ("draft_version", "text"), ("comment", "text"),
}
TEXT_LIMITS = {("contribution", "text"): MAX_CONTRIBUTION, ("draft_version", "text"): MAX_DRAFT}
_HEX64 = re.compile(r"[0-9a-f]{64}")


def is_uuid(value: object) -> bool:
    """True for a UUID written the way the app writes them (lower-case, hyphenated)."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def to_json(value: object) -> object:
    """A column value as it is written into a bundle."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def parse_time(value: object) -> datetime:
    """An ISO 8601 time with its offset, as an aware UTC datetime; ValueError otherwise."""
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("not a time")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("a time without its UTC offset")
    return parsed.astimezone(timezone.utc)


def _check_text(value: str, limit: int, nonblank: bool) -> str | None:
    """Why `value` cannot be stored, or None."""
    if len(value) > limit:
        return f"is longer than {limit:,} characters"
    if "\x00" in value:
        return "holds a null character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode"
    if nonblank and not value.strip():
        return "is empty"
    return None


def _value(kind: Kind, field: str, value: object) -> object:
    """The checked Python value of one field; ValueError with the reason otherwise."""
    col = kind.column(field)
    if value is None:
        if col.nullable:
            return None
        raise ValueError("is missing (null)")
    typ = col.type
    if field == "id" or col.foreign_keys:
        if not is_uuid(value):
            raise ValueError("is not a record id")
        return sys.intern(value)  # one string per id, however many records name it
    if isinstance(typ, UTCDateTime):
        try:
            return parse_time(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"is not a UTC time ({exc})") from exc
    if isinstance(typ, Date):
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError("is not a date (YYYY-MM-DD)")
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError("is not a date (YYYY-MM-DD)") from exc
    if isinstance(typ, Boolean):
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if isinstance(typ, Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be a whole number")
        if not INT_RANGE[0] <= value <= INT_RANGE[1]:
            raise ValueError("is out of range")
        return value
    if isinstance(typ, JSON):
        if not isinstance(value, dict):
            raise ValueError("must be a JSON object")
        return value
    if isinstance(typ, (String, Text)):
        if not isinstance(value, str):
            raise ValueError("must be text")
        limit = TEXT_LIMITS.get((kind.name, field)) or getattr(typ, "length", None) or MAX_TEXT
        problem = _check_text(value, limit, (kind.name, field) in NONBLANK)
        if problem:
            raise ValueError(problem)
        choices = CHOICES.get((kind.name, field))
        if choices is not None and value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        short = (getattr(typ, "length", None) or SHARED_TEXT + 1) <= SHARED_TEXT  # kinds, actions, roles
        return sys.intern(value) if short else value
    raise ValueError(f"has a type the bundle format does not know ({typ})")  # pragma: no cover


def check_records(kind: Kind, raw: object) -> list[dict[str, Any]]:
    """Every record of one part, checked strictly; BundleError naming the first bad one."""
    if not isinstance(raw, list):
        raise BundleError(f"{kind.part} must hold a list of records.")
    wanted = set(kind.fields)
    checked: list[dict[str, Any]] = raw  # each item is replaced by its checked record as it goes
    seen: set[str] = set()
    for n, item in enumerate(raw, start=1):
        where = f"{kind.part}, record {n}"
        if not isinstance(item, dict):
            raise BundleError(f"{where} is not a JSON object.")
        missing = sorted(wanted - set(item))
        extra = sorted(set(item) - wanted)
        if missing:
            raise BundleError(f"{where} lacks the field {missing[0]!r}.")
        if extra:
            raise BundleError(f"{where} has an unknown field {str(extra[0])[:40]!r}.")
        record = {}
        for field in kind.fields:
            try:
                record[field] = _value(kind, field, item[field])
            except ValueError as exc:
                raise BundleError(f"{where}: the field {field!r} {exc}.") from exc
        if kind.name == "comment" and (record["version_id"] is None) == (record["contribution_id"] is None):
            raise BundleError(f"{where}: a comment must be on exactly one version or contribution.")
        if record["id"] in seen:
            raise BundleError(f"{where} repeats the id {record['id']}.")
        seen.add(record["id"])
        checked[n - 1] = record
    return checked


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

    def to_json(self) -> dict[str, Any]:
        """The manifest as written into the bundle."""
        return {
            "format": FORMAT_NAME, "format_version": self.format_version, "bundle_id": self.bundle_id,
            "project_id": self.project_id, "project_name": self.project_name,
            "created_at": to_json(self.created_at), "machine_id": self.machine_id, "scope": self.scope,
            "since": to_json(self.since), "to_machine": self.to_machine, "counts": self.counts,
            "sha256": self.sha256,
        }


MANIFEST_KEYS = set(Manifest.__dataclass_fields__) | {"format"}


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
    if set(raw) != MANIFEST_KEYS:
        odd = sorted(set(raw) ^ MANIFEST_KEYS)[0]
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
    if not isinstance(name, str) or _check_text(name, 200, True):
        raise BundleError("The bundle's manifest is malformed (project_name).")
    if raw["scope"] not in SCOPES:
        raise BundleError("The bundle's manifest is malformed (scope).")
    counts, sums = raw["counts"], raw["sha256"]
    if not isinstance(counts, dict) or set(counts) != set(BY_NAME) or not all(
        type(n) is int and n >= 0 for n in counts.values()
    ):
        raise BundleError("The bundle's manifest is malformed (counts).")
    if not isinstance(sums, dict) or set(sums) != set(PARTS) or not all(
        isinstance(h, str) and _HEX64.fullmatch(h) for h in sums.values()
    ):
        raise BundleError("The bundle's manifest is malformed (sha256).")
    return Manifest(
        format_version=version, bundle_id=uuid_field("bundle_id"), project_id=uuid_field("project_id"),
        project_name=name, created_at=time_field("created_at"), machine_id=uuid_field("machine_id"),
        scope=raw["scope"], since=time_field("since", nullable=True),
        to_machine=uuid_field("to_machine", nullable=True), counts=dict(counts), sha256=dict(sums),
    )


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a JSON object repeats a key")
    return dict(pairs)


def _no_constants(name: str) -> object:
    raise ValueError(f"JSON holds {name}, which is not a number")


def parse_json(data: bytes, what: str) -> object:
    """Strict JSON from UTF-8 bytes: no repeated keys, no NaN or Infinity."""
    try:
        return json.loads(
            data.decode("utf-8"), object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise BundleError(f"{what} is not valid JSON ({reason}).") from exc


def dump_json(value: object) -> bytes:
    """JSON as written into a bundle: UTF-8, sorted keys, compact."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")
