"""Who may undo an anonymous contribution, without the audit log saying who wrote it.

An anonymous contribution's row and audit entry name no member, so that nobody reading the log
(the facilitator included) can unmask its author. Its undo must still be the author's alone:
the undo token handed to the author's session is the audit entry's id plus a random secret,
and the entry keeps only a keyed digest of that secret and the author's id. Anyone holding the
token but logged in as someone else fails the check; anyone reading the log cannot test a
member id against the digest without the secret, which is never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PROOF_KEY = "author_check"
_SEPARATOR = "."


def author_proof(member_id: str) -> tuple[dict[str, str], str]:
    """The detail to store on the audit entry, and the secret for the author's undo token."""
    secret = secrets.token_hex(16)
    return {PROOF_KEY: _digest(secret, member_id)}, secret


def undo_token(event_id: str, secret: str = "") -> str:
    """The token an Outcome carries: the entry's id, with the author's secret when there is one."""
    return f"{event_id}{_SEPARATOR}{secret}" if secret else event_id


def split_token(token: object) -> tuple[object, str]:
    """(the audit entry's id, the secret or "") from an undo token."""
    if isinstance(token, str) and _SEPARATOR in token:
        event_id, secret = token.split(_SEPARATOR, 1)
        return event_id, secret
    return token, ""


def is_author(detail: dict | None, member_id: str, secret: str) -> bool:
    """Whether the member holding this secret wrote the anonymous contribution."""
    stored = (detail or {}).get(PROOF_KEY)
    if not isinstance(stored, str) or not secret:
        return False  # no proof kept, or none offered: nobody can show it is theirs
    return hmac.compare_digest(stored, _digest(secret, member_id))


def _digest(secret: str, member_id: str) -> str:
    return hmac.new(secret.encode(), member_id.encode(), hashlib.sha256).hexdigest()
