"""The .canvas bundle file: what it holds, and how its records are checked before any use.

A bundle is a zip holding `manifest.json` and one JSON list per record kind
(`records/<kind>.json`). The manifest names the format and its version, the bundle,
the project, the machine it came from, when it was made, whether it holds the whole
project or only the changes since a mark, the number of records of each kind and a
SHA-256 of each part. Every record is checked field by field against the format
(exact keys, types, lengths, choices) so that nothing malformed ever reaches the database;
`RecordCheck` does it one record at a time, as a part is read (bundle_file).

Format version 2 (KINDS) fixes the fields of each kind below: a column added to a model later
does not travel (it takes its default on import) until the format says so. It is signed (a
`signature.json` beside the manifest, see signers.py) and carries nothing the receiver may not
see: no passphrase hash, consent fields, real names, review notes or audit log (carry.py says
what each direction holds). Format 1 (KINDS_V1), unsigned and carrying all of those, is still
read, once, on the facilitator's computer: its passphrase hash is read and dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
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
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
SIGNATURE = "signature.json"
SUFFIX = ".canvas"
MAX_TEXT = 100_000  # for text columns the schema does not limit
INT_RANGE = (-(2**31), 2**31 - 1)  # PostgreSQL's INTEGER
SCOPES = ("whole", "changes")


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
    dropped: tuple[str, ...] = ()  # fields of an older format, read and thrown away

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
_MEMBER_V1 = (
    "id", "project_id", "display_name", "role", "position", "consent_date", "consent_participate",
    "consent_quote", "credit", "keep_until", "anonymous_default", "access_profile", "withdrawn_at",
    "created_at")
_CONSENT = ("consent_date", "consent_participate", "consent_quote", "credit", "keep_until")
KINDS_V1: tuple[Kind, ...] = (
    Kind("project", Project, ("id", "name", "created_at"), ("project", "projects"),
         dropped=("facilitator_secret",)),
    Kind("member", Member, _MEMBER_V1, ("member", "members")),
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
# Format 2: no review notes, no audit log, no consent fields, no passphrase hash.
KINDS: tuple[Kind, ...] = tuple(
    Kind(k.name, k.model, tuple(f for f in k.fields if f not in _CONSENT), k.label, k.changed)
    if k.name == "member" else Kind(k.name, k.model, k.fields, k.label, k.changed)
    for k in KINDS_V1 if k.name not in ("review_note", "event"))
FORMATS: dict[int, tuple[Kind, ...]] = {1: KINDS_V1, 2: KINDS}


def kinds_of(version: int) -> tuple[Kind, ...]:
    """The record kinds of a format version."""
    return FORMATS[version]


BY_NAME = {k.name: k for k in KINDS_V1}  # every kind any format has held, for labels
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
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def is_uuid(value: object) -> bool:
    """True for a UUID written the way the app writes them (lower-case, hyphenated)."""
    return type(value) is str and _UUID.fullmatch(value) is not None


def to_json(value: object) -> object:
    """A column value as it is written into a bundle."""
    if isinstance(value, datetime):
        return (value if value.tzinfo is timezone.utc else value.astimezone(timezone.utc)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def parse_time(value: object) -> datetime:
    """An ISO 8601 time with its offset, as an aware UTC datetime; ValueError otherwise."""
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("not a time")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is timezone.utc:  # as the app writes them
        return parsed
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("a time without its UTC offset")
    return parsed.astimezone(timezone.utc)


def text_problem(value: str, limit: int, nonblank: bool) -> str | None:
    """Why `value` cannot be stored, or None."""
    if len(value) > limit:
        return f"is longer than {limit:,} characters"
    if "\x00" in value:
        return "holds a null character"
    try:
        value.isascii() or value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode"
    if nonblank and not value.strip():
        return "is empty"
    return None


Check = Callable[[Any], Any]


def _id_value(value: object) -> str:
    if type(value) is not str or not _UUID.fullmatch(value):
        raise ValueError("is not a record id")
    return value


def _time_value(value: object) -> datetime:
    try:
        return parse_time(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"is not a UTC time ({exc})") from exc


def _date_value(value: object) -> date:
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError("is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError("is not a date (YYYY-MM-DD)") from exc


def _typed(wanted: type, reason: str) -> Check:
    def check(value: object) -> Any:
        if not isinstance(value, wanted):
            raise ValueError(reason)
        return value
    return check


def _int_value(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    if not INT_RANGE[0] <= value <= INT_RANGE[1]:
        raise ValueError("is out of range")
    return value


def _text_check(limit: int, nonblank: bool, choices: tuple[str, ...] | None) -> Check:
    def check(value: object) -> str:
        if not isinstance(value, str):
            raise ValueError("must be text")
        problem = text_problem(value, limit, nonblank)
        if problem:
            raise ValueError(problem)
        if choices is not None and value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return value
    return check


def _field_check(kind: Kind, field: str) -> Check:
    """The function giving the checked Python value of one field, never null (ValueError with the
    reason otherwise)."""
    col = kind.column(field)
    typ = col.type
    base: Check
    if field == "id" or col.foreign_keys:
        base = _id_value
    elif isinstance(typ, UTCDateTime):
        base = _time_value
    elif isinstance(typ, Date):
        base = _date_value
    elif isinstance(typ, Boolean):
        base = _typed(bool, "must be true or false")
    elif isinstance(typ, Integer):
        base = _int_value
    elif isinstance(typ, JSON):
        base = _typed(dict, "must be a JSON object")
    elif isinstance(typ, (String, Text)):
        limit = TEXT_LIMITS.get((kind.name, field)) or getattr(typ, "length", None) or MAX_TEXT
        base = _text_check(limit, (kind.name, field) in NONBLANK, CHOICES.get((kind.name, field)))
    else:  # pragma: no cover
        raise TypeError(f"{kind.name}.{field} has a type the bundle format does not know ({typ})")
    return base


class RecordCheck:
    """Checks the records of one part strictly, one at a time, in the order they come."""

    def __init__(self, kind: Kind, latest: datetime | None = None) -> None:
        self.kind = kind
        self.checks = [(f, _field_check(kind, f), bool(kind.column(f).nullable)) for f in kind.fields]
        self.wanted = frozenset(kind.fields) | frozenset(kind.dropped)
        self.latest = latest  # a later time is refused: the bundle claims to come from the future
        self.seen: set[str] = set()

    def __call__(self, item: object, n: int) -> dict[str, Any]:
        """Record `n` (from 1) of the part as checked values; BundleError naming it if it is bad."""
        if not isinstance(item, dict) or item.keys() != self.wanted:
            self._refuse_shape(item, n)
        record = {}
        for field, check, nullable in self.checks:
            value = item[field]
            try:
                if value is None and not nullable:
                    raise ValueError("is missing (null)")
                record[field] = None if value is None else check(value)
            except ValueError as exc:
                raise BundleError(f"{self.kind.part}, record {n}: the field {field!r} {exc}.") from exc
            late = self.latest
            if late is not None and isinstance(record[field], datetime) and record[field] > late:
                raise BundleError(
                    f"{self.kind.part}, record {n} is dated {record[field]:%Y-%m-%d %H:%M} UTC, more than a "
                    "day in the future: the whole bundle is refused, as a record from the future would "
                    "win over every real one.")
        for field in self.kind.dropped:
            if item[field] is not None and not isinstance(item[field], str):
                raise BundleError(f"{self.kind.part}, record {n}: the field {field!r} must be text.")
        if self.kind.name == "comment" and (record["version_id"] is None) is (
                record["contribution_id"] is None):
            raise BundleError(f"{self.kind.part}, record {n}: a comment must be on exactly one version "
                              "or contribution.")
        if record["id"] in self.seen:
            raise BundleError(f"{self.kind.part}, record {n} repeats the id {record['id']}.")
        self.seen.add(record["id"])
        return record

    def _refuse_shape(self, item: object, n: int) -> None:
        where = f"{self.kind.part}, record {n}"
        if not isinstance(item, dict):
            raise BundleError(f"{where} is not a JSON object.")
        missing = sorted(self.wanted - set(item))
        if missing:
            raise BundleError(f"{where} lacks the field {missing[0]!r}.")
        extra = sorted(str(k) for k in set(item) - self.wanted)
        raise BundleError(f"{where} has an unknown field {extra[0][:40]!r}.")


def dump_json(value: object) -> bytes:
    """JSON as written into a bundle: UTF-8, sorted keys, compact."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")
