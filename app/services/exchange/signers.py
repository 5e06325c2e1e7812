"""Who may sign what: which bundles this computer accepts, and as whom.

This computer's part in a project comes from its keys file (keyring.py): the facilitator's
computer (it holds the project's signing key), a participant's computer (it joined with an
invitation), or none yet. The bundle's part comes from its manifest: signed with the project's
key ("project"), with an invited computer's key ("computer"), or not signed at all (format 1).
RULES says, for each pair, how the signature is checked and as whom the bundle is then read;
a pair it does not name is refused with REFUSED's reason. Every refusal says who the bundle
claims to be from and why it is refused; nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.services.exchange.bundle_file import BundleFile, Manifest
from app.services.exchange.bundle_format import BundleError
from app.services.exchange.keyring import FACILITATOR, PARTICIPANT, ProjectKeys, unb64, verify

# What a bundle is read as (carry.py says what each may carry).
AS_FACILITATOR, AS_COMPUTER, AS_UNSIGNED = "facilitator", "computer", "unsigned"


@dataclass(frozen=True)
class Sender:
    """Whom an accepted bundle comes from."""

    role: str  # AS_FACILITATOR, AS_COMPUTER or AS_UNSIGNED
    machine_id: str
    label: str  # "the facilitator", "Sam's laptop", "an unsigned bundle"
    members: frozenset[str] = frozenset()  # a computer: the members who use it
    joins: dict[str, object] | None = None  # an invitation this computer is to join with


def _claims(bundle: BundleFile, keys: ProjectKeys | None) -> str:
    m = bundle.manifest
    if m.format_version < 2:
        return f"an unsigned bundle (format 1) for {m.project_name!r}"
    if m.signer == "project":
        return f"the facilitator of {m.project_name!r}"
    known = keys.computer(m.machine_id) if keys is not None else None
    return f"the computer {known.label!r}" if known else f"a computer with the id {m.machine_id}"


def _refuse(bundle: BundleFile, keys: ProjectKeys | None, why: str) -> BundleError:
    return BundleError(f"Refused: this bundle says it comes from {_claims(bundle, keys)}, but {why} "
                       "Nothing was written.")


def _signed_by(bundle: BundleFile, public: bytes) -> bool:
    data, signature = bundle.signed or (b"", None)
    return verify(public, data, signature)


def _own_key(bundle: BundleFile, keys: ProjectKeys) -> Sender:
    if not _signed_by(bundle, keys.project_public):
        raise _refuse(bundle, keys, "it is not signed with this project's key (it was changed after it was "
                                    "signed, or made by someone else).")
    return Sender(AS_FACILITATOR, bundle.manifest.machine_id, "the facilitator")


def _invited(bundle: BundleFile, keys: ProjectKeys) -> Sender:
    computer = keys.computer(bundle.manifest.machine_id)
    if computer is None:
        raise _refuse(bundle, keys, "that computer was never invited to this project.")
    if computer.revoked_at is not None:
        raise _refuse(bundle, keys, f"that computer was revoked on {computer.revoked_at:%Y-%m-%d}.")
    if not _signed_by(bundle, computer.public_key):
        raise _refuse(bundle, keys, "its signature does not match that computer's key: it was changed after "
                                    "it was signed, or made elsewhere.")
    return Sender(AS_COMPUTER, computer.machine_id, computer.label, frozenset(computer.members))


def _unsigned(bundle: BundleFile, keys: ProjectKeys) -> Sender:
    return Sender(AS_UNSIGNED, bundle.manifest.machine_id, "an unsigned bundle")


def _invitation(bundle: BundleFile, keys: ProjectKeys | None) -> Sender:
    """An invitation: signed by the project key it carries (or, having joined, by the one kept)."""
    invitation = bundle.manifest.invitation or {}
    try:
        public = unb64(invitation.get("project_key"), 32)
        unb64(invitation.get("machine_key"), 32)
        machine, label, members = invitation["machine_id"], invitation["label"], invitation["members"]
        if not (isinstance(machine, str) and isinstance(label, str) and isinstance(members, list)
                and all(isinstance(m, str) for m in members)):
            raise ValueError("malformed")
    except (KeyError, ValueError) as exc:
        raise _refuse(bundle, keys, "its invitation is malformed.") from exc
    if keys is not None and keys.project_public != public:
        raise _refuse(bundle, keys, "it is signed with another key than the one this computer joined with.")
    if not _signed_by(bundle, public):
        raise _refuse(bundle, keys, "its signature does not match: it was changed after it was signed.")
    return Sender(AS_FACILITATOR, bundle.manifest.machine_id, "the facilitator", joins=invitation)


def _project_key(bundle: BundleFile, keys: ProjectKeys) -> Sender:
    if bundle.manifest.invitation is not None:
        return _invitation(bundle, keys)
    if not _signed_by(bundle, keys.project_public):
        raise _refuse(bundle, keys, "it is not signed with the project's key: it was changed after it was "
                                    "signed, or made by someone else.")
    return Sender(AS_FACILITATOR, bundle.manifest.machine_id, "the facilitator", frozenset(keys.members))


Rule = Callable[[BundleFile, ProjectKeys], Sender]
# (this computer's part, the bundle's signer: None when unsigned) -> how the bundle is checked.
RULES: dict[tuple[str, str | None], Rule] = {
    (FACILITATOR, "project"): _own_key,  # its own bundle, e.g. imported again
    (FACILITATOR, "computer"): _invited,
    (FACILITATOR, None): _unsigned,  # format 1: only after the facilitator confirms (exchange.py)
    (PARTICIPANT, "project"): _project_key,
}
REFUSED: dict[tuple[str, str | None], str] = {
    (PARTICIPANT, "computer"): "a participant's computer accepts bundles from the facilitator only.",
    (PARTICIPANT, None): "a participant's computer imports only bundles signed by the facilitator; ask the "
                         "facilitator for a new one.",
}


def made_for_another(manifest: Manifest, keys: ProjectKeys | None) -> bool:
    """An invitation on the facilitator's own computer: made here, for a participant's computer
    (refused here, and not offered for import)."""
    return manifest.invitation is not None and keys is not None and keys.role == FACILITATOR


def identify(bundle: BundleFile, keys: ProjectKeys | None) -> Sender:
    """Check the bundle's signature against this computer's keys for its project; whom it comes
    from, or BundleError saying who it claims to be from and why it is refused."""
    m = bundle.manifest
    signer = m.signer if m.format_version >= 2 else None
    if keys is None:
        if signer == "project" and m.invitation is not None:
            return _invitation(bundle, None)
        raise _refuse(bundle, None, "this computer has not joined that project: import the invitation the "
                                    "facilitator made for this computer first.")
    if made_for_another(m, keys):
        raise _refuse(bundle, keys, "this is the facilitator's own computer (it holds the project's signing "
                                    "key); an invitation is for a participant's computer.")
    rule = RULES.get((keys.role, signer))
    if rule is None:
        raise _refuse(bundle, keys, REFUSED.get((keys.role, signer), "this computer does not accept it."))
    return rule(bundle, keys)
