"""Writing a bundle's records: what carry.py lets this computer send, straight from the database
into the zip, part by part (never all in memory).

From the facilitator's computer: what participants may see (carry.outgoing blanks the rest).
From a participant's computer: its own members' records only, and of those only the ones whose
references the facilitator can resolve (`held_back`): a "me too" on a keyword that a member who
does not use this computer wrote here stays here with it, or the facilitator would refuse the
whole bundle for a reference to nothing.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Sequence
from datetime import datetime
from typing import IO, Any

from sqlalchemy import ColumnElement, Date, String, false, func, select, type_coerce
from sqlalchemy.orm import Session

from app.services.exchange.bundle_format import BY_NAME, KINDS, Kind, dump_json, to_json
from app.services.exchange.bundle_refs import chunks, project_id_queries
from app.services.exchange.carry import AUTHOR, COMPUTER_KINDS, MADE_HERE, outgoing
from app.services.exchange.keyring import FACILITATOR, PARTICIPANT
from app.store.models import Event, UTCDateTime

WRITE_BATCH = 1_000  # records per JSON batch when a bundle is written


def held_back(s: Session, project_id: str, own: frozenset[str]) -> dict[str, set[str]]:
    """On a participant's computer: by kind, the ids of records that stay here because the
    facilitator could not resolve what they refer to. Those are the records that members who do
    not use this computer made here (carry.MADE_HERE: the local audit log says so, as imports
    write no event and events never travel), and every record of this computer's own members
    that refers to one of them, directly or through a chain of versions."""
    held: dict[str, set[str]] = {name: set() for name in COMPUTER_KINDS}
    for name, action in MADE_HERE.items():
        table = BY_NAME[name].model.__table__
        author = table.c[AUTHOR[name]]
        made = select(Event.target_id).where(Event.project_id == project_id, Event.action == action)
        held[name] = set(s.scalars(select(table.c.id).where(
            table.c.id.in_(project_id_queries(project_id)[name]), author.is_not(None), author.not_in(own),
            table.c.id.in_(made))))
    if not any(held.values()):
        return held  # the usual case: nobody else wrote here
    for kind in KINDS:  # references come before what refers to them
        if kind.name not in COMPUTER_KINDS:
            continue
        table = kind.model.__table__
        refs = [(f, t) for f, t in kind.refs().items() if t in held]
        fresh = set(held[kind.name])
        while True:  # a version's parent is a version: follow the chain to its end
            found: set[str] = set()
            for field, target in refs:
                pointing = fresh if target == kind.name else held[target]
                for chunk in chunks(pointing):
                    found.update(s.scalars(select(table.c.id).where(table.c[field].in_(chunk))))
            fresh = found - held[kind.name]
            held[kind.name] |= fresh
            if not fresh or not any(t == kind.name for _, t in refs):
                break
    return held


def write_records(
    zf: zipfile.ZipFile, s: Session, project_id: str, since: datetime | None, role: str,
    own: frozenset[str],
) -> tuple[dict[str, str], dict[str, int], int]:
    """Write each kind's part into the zip as it is read: (checksums and counts by part and kind,
    the number of this computer's own records held back). What is written is what carry.py lets
    this computer send: from a participant's computer its own members' (`own`) records whose
    references resolve; from the facilitator's, what participants may see.

    A part's bytes are exactly `dump_json` of its list of records, written a batch at a time.
    """
    ids = project_id_queries(project_id)
    held = held_back(s, project_id, own) if role == PARTICIPANT else {}
    kept_back = 0
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
            query = query.where(*_participant_filter(kind, own, held))
            if kind.name in AUTHOR and held.get(kind.name):
                kept_back += len(held[kind.name] & set(s.scalars(select(table.c.id).where(
                    table.c.id.in_(held[kind.name]), table.c[AUTHOR[kind.name]].in_(own)))))
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
    return dict(sorted(sums.items())), dict(sorted(counts.items())), kept_back


def _participant_filter(kind: Kind, own: frozenset[str], held: dict[str, set[str]]) -> list[Any]:
    """The conditions a participant's record must meet to leave this computer (carry.py)."""
    table = kind.model.__table__
    if kind.name not in COMPUTER_KINDS:
        return [false()]
    conditions = []
    if kind.name in AUTHOR:
        author = table.c[AUTHOR[kind.name]]
        conditions.append(author.in_(own) | author.is_(None) if kind.name == "contribution"
                          else author.in_(own))
    if held.get(kind.name):
        conditions.append(table.c.id.not_in(held[kind.name]))
    return conditions


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
