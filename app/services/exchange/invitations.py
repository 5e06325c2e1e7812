"""This computer's part in a project, and the invitations that give a participant's computer one.

The facilitator's computer (it holds the project's signing key, keyring.py) invites a
participant's computer with an invitation bundle (`invite_computer`): the project for its screens,
the project's public key, and a key pair that belongs to that computer alone; it keeps the list of
the computers it invited and can revoke one (a lost laptop). The participant's computer joins
when it imports the invitation (`join`), and from then on signs its own bundles with its key and
accepts only bundles signed by the project's.

Every computer made its own practice project on first run, under the same name as the
facilitator's: a project here of the invitation's name that has never been shared (no bundle
went to or came from it, no computer was invited to it) gives its name up, and is kept under
another (`giving_way`), so joining is never refused for a name alone.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.base import ServiceBase
from app.services.exchange.bundle_format import BundleError
from app.services.exchange.keyring import FACILITATOR, PARTICIPANT, Computer, Keyring, ProjectKeys, b64, unb64
from app.services.validation import check_id
from app.store.models import BundleLog, Member, Project

if TYPE_CHECKING:
    from app.services.exchange.exchange import ExportResult

OWN_COPY = " (this computer's own copy)"


@dataclass(frozen=True)
class GivingWay:
    """A project here that gives its name up to a project joined with an invitation."""

    project_id: str
    name: str
    new_name: str

    @property
    def line(self) -> str:
        """What the preview says about it."""
        return (f"This computer's own project called {self.name!r} has never been shared: it is kept, "
                f"renamed {self.new_name!r}.")


class Invitations(ServiceBase):
    """Mixed into ExchangeService: this computer's part in a project; inviting and revoking computers."""

    keyring: Keyring

    if TYPE_CHECKING:
        def export_bundle(self, project_id: str, path: str | os.PathLike[str],
                          since_machine: str | None = None,
                          invitation: dict[str, Any] | None = None) -> ExportResult: ...

    def role(self, project_id: str) -> str:
        """"facilitator" (this computer holds the project's signing key, made now if the project was
        made here) or "participant" (it joined with an invitation)."""
        return self._keys(project_id).role

    def members_here(self, project_id: str) -> frozenset[str] | None:
        """On a participant's computer, the members who use it (those it was invited for); None
        elsewhere, where everyone of the project may take part. Makes no key."""
        keys = self.keyring.get(project_id)
        return frozenset(keys.members) if keys is not None and keys.role == PARTICIPANT else None

    def computer_label(self, project_id: str) -> str | None:
        """On a participant's computer, the name the facilitator gave it ("Sam's laptop")."""
        keys = self.keyring.get(project_id)
        return keys.label or None if keys is not None and keys.role == PARTICIPANT else None

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

    def join(self, project_id: str, invitation: dict[str, Any]) -> None:
        """Keep what an (accepted) invitation gives this computer."""
        self.keyring.join(project_id, unb64(invitation["project_key"], 32), invitation["machine_id"],
                          unb64(invitation["machine_key"], 32), tuple(invitation["members"]),
                          str(invitation["label"]))

    def giving_way(self, s: Session, project_id: str, name: str) -> GivingWay | None:
        """A project here other than `project_id`, called `name`, that has never been shared: it
        gives its name up to the project an invitation joins (see the module docstring)."""
        clash = s.scalar(select(Project).where(Project.name == name, Project.id != project_id))
        if clash is None:
            return None
        keys = self.keyring.get(clash.id)
        if keys is not None and (keys.role == PARTICIPANT or keys.computers):
            return None
        if s.scalar(select(BundleLog.id).where(BundleLog.project_id == clash.id).limit(1)) is not None:
            return None
        taken = set(s.scalars(select(Project.name)))
        base = name[:200 - len(OWN_COPY) - 3] + OWN_COPY
        new_name = next(n for n in (base, *(f"{base} {i}" for i in range(2, 100))) if n not in taken)
        return GivingWay(clash.id, name, new_name)

    @staticmethod
    def give_way(s: Session, way: GivingWay) -> None:
        """Rename the project that gives its name up, in the import's transaction."""
        project = s.get(Project, way.project_id)
        if project is not None:
            project.name = way.new_name
            s.flush()

