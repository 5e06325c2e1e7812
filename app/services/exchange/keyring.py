"""This computer's keys for each project, in a file that never travels and is never in a database.

`<data folder>/keys/<project id>.keys.json` (mode 0600, folder 0700), one of two kinds:
- on the facilitator's computer ("facilitator"): the project's Ed25519 signing key pair, made the
  first time this computer needs it for a project it holds, and the computers invited to the
  project: each one's id, label, the members who use it, its public key, when it was invited and
  (a lost laptop) when it was revoked;
- on a participant's computer ("participant"), written when an invitation is imported: the
  project's public key, this computer's id for the project, its own private key, and the
  members who use it.
Keys are made and used with `cryptography` (Ed25519); nothing here is written by hand but the
file's JSON.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from app.services.errors import DomainError
from app.store.files import atomic_write_bytes
from app.store.models import new_id, utcnow

FACILITATOR, PARTICIPANT = "facilitator", "participant"


def b64(data: bytes) -> str:
    """Bytes as they are written in JSON."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: object, size: int) -> bytes:
    """`size` bytes from base64 text; ValueError otherwise."""
    if not isinstance(text, str) or len(text) > 4 * size:
        raise ValueError("not a key")
    data = base64.b64decode(text, validate=True)
    if len(data) != size:
        raise ValueError("not a key")
    return data


def new_private_key() -> bytes:
    """A fresh Ed25519 private key, raw (32 bytes)."""
    return Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def public_of(private: bytes) -> bytes:
    """The raw public key of a raw private key."""
    public = Ed25519PrivateKey.from_private_bytes(private).public_key()
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign(private: bytes, data: bytes) -> str:
    """The Ed25519 signature of `data`, as base64."""
    return b64(Ed25519PrivateKey.from_private_bytes(private).sign(data))


def verify(public: bytes, data: bytes, signature: object) -> bool:
    """True when `signature` (base64) is `public`'s signature of `data`."""
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(unb64(signature, 64), data)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Computer:
    """A participant's computer the facilitator invited."""

    machine_id: str
    label: str
    members: tuple[str, ...]
    public_key: bytes
    invited_at: datetime
    revoked_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """As written in the file."""
        return {"machine_id": self.machine_id, "label": self.label, "members": list(self.members),
                "public_key": b64(self.public_key), "invited_at": self.invited_at.isoformat(),
                "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Computer:
        """From the file."""
        revoked = raw.get("revoked_at")
        return cls(raw["machine_id"], raw["label"], tuple(raw["members"]), unb64(raw["public_key"], 32),
                   datetime.fromisoformat(raw["invited_at"]),
                   datetime.fromisoformat(revoked) if revoked else None)


@dataclass(frozen=True)
class ProjectKeys:
    """One project's keys on this computer (see the module docstring)."""

    project_id: str
    role: str
    project_public: bytes
    signing_key: bytes | None = None  # the facilitator's computer only
    machine_id: str | None = None  # a participant's computer: its id for the project
    machine_key: bytes | None = None
    members: tuple[str, ...] = ()  # a participant's computer: the members who use it
    computers: tuple[Computer, ...] = ()  # the facilitator's computer: those it invited
    label: str = ""  # a participant's computer: the name the facilitator gave it

    def computer(self, machine_id: str) -> Computer | None:
        """An invited computer by id."""
        return next((c for c in self.computers if c.machine_id == machine_id), None)

    def to_json(self) -> dict[str, Any]:
        """As written in the file."""
        return {"project_id": self.project_id, "role": self.role, "project_public": b64(self.project_public),
                "signing_key": b64(self.signing_key) if self.signing_key else None,
                "machine_id": self.machine_id,
                "machine_key": b64(self.machine_key) if self.machine_key else None,
                "members": list(self.members), "computers": [c.to_json() for c in self.computers],
                "label": self.label}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ProjectKeys:
        """From the file."""
        return cls(raw["project_id"], raw["role"], unb64(raw["project_public"], 32),
                   unb64(raw["signing_key"], 32) if raw.get("signing_key") else None, raw.get("machine_id"),
                   unb64(raw["machine_key"], 32) if raw.get("machine_key") else None,
                   tuple(raw.get("members", ())),
                   tuple(Computer.from_json(c) for c in raw.get("computers", ())),
                   str(raw.get("label") or ""))


class Keyring:
    """The keys files of one data folder (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()

    def path(self, project_id: str) -> Path:
        """The keys file of a project."""
        return self.folder / f"{project_id}.keys.json"

    def get(self, project_id: str) -> ProjectKeys | None:
        """The project's keys on this computer, or None when it holds none."""
        try:
            raw = json.loads(self.path(project_id).read_text(encoding="utf-8"))
            return ProjectKeys.from_json(raw)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DomainError(f"This computer's keys file for the project ({self.path(project_id)}) is "
                              "damaged; bundles cannot be signed or checked until a copy is put back."
                              ) from exc

    def facilitator_keys(self, project_id: str) -> ProjectKeys:
        """The project's keys, making its signing key pair when this computer holds none yet (a
        project made here, or from before bundles were signed): this is then its facilitator's
        computer."""
        with self._lock:
            keys = self.get(project_id)
            if keys is None:
                private = new_private_key()
                keys = ProjectKeys(project_id, FACILITATOR, public_of(private), signing_key=private)
                self._save(keys)
            return keys

    def invite(self, project_id: str, label: str, members: tuple[str, ...]) -> tuple[Computer, bytes]:
        """A new computer for the project, kept in the list: (it, its private key for the invitation)."""
        with self._lock:
            keys = self._facilitator(project_id)
            private = new_private_key()
            computer = Computer(new_id(), label, members, public_of(private), utcnow())
            self._save(replace(keys, computers=(*keys.computers, computer)))
            return computer, private

    def revoke(self, project_id: str, machine_id: str) -> Computer:
        """Stop accepting bundles from an invited computer (a lost laptop); kept in the list as revoked."""
        with self._lock:
            keys = self._facilitator(project_id)
            found = keys.computer(machine_id)
            if found is None:
                raise DomainError("That computer was never invited to this project.")
            if found.revoked_at is not None:
                return found
            revoked = replace(found, revoked_at=utcnow())
            self._save(replace(keys, computers=tuple(revoked if c is found else c for c in keys.computers)))
            return revoked

    def join(self, project_id: str, project_public: bytes, machine_id: str, machine_key: bytes,
             members: tuple[str, ...], label: str = "") -> ProjectKeys:
        """Keep what an invitation gives this computer (a later invitation replaces an earlier one)."""
        with self._lock:
            keys = ProjectKeys(project_id, PARTICIPANT, project_public, machine_id=machine_id,
                               machine_key=machine_key, members=members, label=label)
            self._save(keys)
            return keys

    def _facilitator(self, project_id: str) -> ProjectKeys:
        keys = self.get(project_id)
        if keys is None or keys.role != FACILITATOR:
            raise DomainError("Only the facilitator's computer, which holds the project's signing key, "
                              "can invite or revoke computers.")
        return keys

    def _save(self, keys: ProjectKeys) -> None:
        # Written whole beside the file and moved into place, readable by its owner only.
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write_bytes(self.path(keys.project_id), json.dumps(keys.to_json(), sort_keys=True).encode())
