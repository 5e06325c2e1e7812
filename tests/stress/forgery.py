"""Two computers and a forger's tools, for the attack suite (test_forged_bundles.py) and the
screens' tests of bundles: the facilitator's computer (F, which holds the project's signing key)
and a participant's (P, invited for Sam and Alex), each with its own data folder; bundles
changed by hand with their checksums recomputed, signed again or not; a format 1 bundle as an
earlier version wrote it."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.services.container import Services
from app.services.exchange.bundle_format import BundleError
from app.services.exchange.keyring import sign
from app.services.group.demo import FACILITATOR, create_demo
from app.store.database import Store, sqlite_url
from app.store.models import Member, ReviewNote

PASSPHRASE = "kettle on at four"
NOTE = "Private: check with Sam's mum before quoting"
REAL_NAME = "Alexandra Quinn"


@dataclass
class World:
    root: Path
    f: Store
    p: Store
    fs: Services
    ps: Services
    project: str
    sam: str
    alex: str
    kai: str
    now: str
    fac_bundle: Path  # a signed bundle from F to P
    sam_bundle: Path  # P's own bundle, as "Send my work" writes it

    def db(self, which: str) -> Path:
        return self.root / which / "canvas.db"

    def key(self, which: str) -> bytes:
        keys = (self.fs if which == "f" else self.ps).exchange.keyring.get(self.project)
        return keys.signing_key if which == "f" else keys.machine_key


def make_world(tmp_path: Path) -> Iterator[World]:
    """F and P (see the module docstring), with a bundle each way; closed when done."""
    (tmp_path / "f").mkdir()
    f = Store.open(sqlite_url(tmp_path / "f" / "canvas.db"))
    p = Store.open(sqlite_url(tmp_path / "p" / "canvas.db"))
    project = create_demo(f)
    fs, ps = Services.build(f), Services.build(p)
    members = {m.display_name: m.id for m in fs.projects.list_members(project)}
    now = next(q.id for q in fs.projects.list_prompts(project) if q.pair_role == "now")
    session = fs.facilitator.set_passphrase(project, PASSPHRASE).session
    fs.participants.set_real_name(session, members["Alex"], REAL_NAME)
    with f.transaction() as s:
        alex = s.get(Member, members["Alex"])
        alex.consent_date, alex.consent_participate, alex.consent_quote = date(2026, 3, 1), True, True
        alex.credit = "named"
        s.add(ReviewNote(version_id=fs.drafts.current_version(now).id, author_id=members[FACILITATOR],
                         text=NOTE, decision="agreed"))
    fs.exchange.invite_computer(project, "Sam's laptop", [members["Sam"], members["Alex"]],
                                tmp_path / "invite.canvas")
    ps.exchange.import_bundle(tmp_path / "invite.canvas")
    fs.contributions.add(members["Kai"], now, "said at the meeting")
    fs.exchange.export_bundle(project, tmp_path / "fac.canvas")
    ps.contributions.add(members["Sam"], now, "being listened to")
    ps.drafts.set_stance(members["Alex"], ps.drafts.current_version(now).id, "agree", "yes")
    ps.exchange.export_bundle(project, tmp_path / "sam.canvas")
    world = World(tmp_path, f, p, fs, ps, project, members["Sam"], members["Alex"], members["Kai"], now,
                  tmp_path / "fac.canvas", tmp_path / "sam.canvas")
    yield world
    f.close()
    p.close()


def dump(db: Path) -> list[str]:
    """Every table and row of an SQLite file, as SQL (WAL included: read through SQLite itself)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def forge(src: Path, out: Path, records: Callable[[dict[str, list]], None] | None = None,
          manifest: Callable[[dict[str, Any]], None] | None = None, key: bytes | None = None,
          extra: dict[str, bytes] | None = None) -> Path:
    """A copy of a bundle with its records or manifest changed and every checksum and count
    recomputed; signed again with `key` if given (else its old signature is kept)."""
    files = entries(src)
    meta = json.loads(files["manifest.json"])
    parts = {name: json.loads(data) for name, data in files.items() if name.startswith("records/")}
    if records is not None:
        named = {name[len("records/"):-len(".json")]: rows for name, rows in parts.items()}
        records(named)
        for kind, rows in named.items():
            data = json.dumps(rows).encode()
            files[f"records/{kind}.json"] = data
            meta["sha256"][f"records/{kind}.json"] = hashlib.sha256(data).hexdigest()
            meta["counts"][kind] = len(rows)
    if manifest is not None:
        manifest(meta)
    files["manifest.json"] = json.dumps(meta).encode()
    if key is not None:
        files["signature.json"] = json.dumps({"signature": sign(key, files["manifest.json"])}).encode()
    files.update(extra or {})
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out


def refused(world: World, on: str, path: Path, *words: str) -> str:
    """Preview and import `path` on F or P: both refused, naming the words; nothing written."""
    services, db = (world.fs, world.db("f")) if on == "f" else (world.ps, world.db("p"))
    before = dump(db)
    message = ""
    for attempt in (services.exchange.preview_import, services.exchange.import_bundle):
        with pytest.raises(BundleError) as caught:
            attempt(path)
        message = caught.value.message
        for word in words:
            assert word in message, message
        assert "\n" not in message and len(message) < 400
    assert dump(db) == before
    return message


def first(kind: str, **changes: Any) -> Callable[[dict[str, list]], None]:
    def change(parts: dict[str, list]) -> None:
        parts[kind][0].update(changes)
    return change


def own_contribution(world: World) -> Callable[[dict[str, list]], None]:
    """Pick P's new keyword first in its part."""
    def pick(parts: dict[str, list]) -> None:
        parts["contribution"].sort(key=lambda r: r["text"] != "being listened to")
    return pick


SECURITY_EVENT = json.dumps([{
    "id": str(uuid.uuid4()), "project_id": "P", "member_id": None, "action": "unlock_failed",
    "target_kind": "project", "target_id": "P", "detail": {"failures": 5},
    "created_at": "2099-01-01T00:00:00+00:00"}]).encode()


def format_1(world: World, out: Path) -> Path:
    """The facilitator's bundle rewritten as an earlier version wrote it: unsigned, with the
    passphrase hash, consent fields, review notes and the audit log (security events too)."""
    files = entries(world.fac_bundle)
    meta = json.loads(files.pop("manifest.json"))
    files.pop("signature.json")
    for key in ("signer", "invitation", "withdrawals"):
        meta.pop(key)
    meta["format_version"] = 1
    meta["machine_id"] = str(uuid.uuid4())  # a computer of the earlier version
    parts = {name[len("records/"):-len(".json")]: json.loads(data) for name, data in files.items()}
    parts["project"][0]["facilitator_secret"] = "scrypt$16384$8$1$c2FsdA==$aGFzaA=="
    for m in parts["member"]:
        m.update(consent_date=None, consent_participate=False, consent_quote=False, credit=None,
                 keep_until=None)
    parts["review_note"] = []
    parts["event"] = json.loads(SECURITY_EVENT.replace(b'"P"', json.dumps(world.project).encode()))
    parts["event"][0]["created_at"] = "2026-11-30T10:00:00+00:00"
    files = {f"records/{kind}.json": json.dumps(rows).encode() for kind, rows in parts.items()}
    meta["counts"] = {kind: len(rows) for kind, rows in parts.items()}
    meta["sha256"] = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(meta))
        for name, data in files.items():
            zf.writestr(name, data)
    return out
