"""What a bundle may carry in each direction, and what each sender may change.

Read by the export (what leaves this computer) and by the merge (what an accepted bundle may
bring). The sender is whom signers.identify says the bundle comes from:
- the facilitator's key: the project, its questions, meetings and themes, members by pseudonym
  (no consent fields, no real names; only the receiving computer's own members' access
  profiles), the group's keywords, "me too"s, versions, stances and comments (a hidden keyword's
  reason stays behind). Never review notes, the audit log, the passphrase hash or its throttle:
  format 2 has no place for them (bundle_format.KINDS);
- an invited computer: only the keywords, "me too"s, definitions, versions, stances and comments
  of the members who use it (unfinished text never leaves the computer). A withdrawal, a hidden
  flag, a theme or a member record arrives only from the facilitator's key. What members who do
  not use the computer made there (MADE_HERE) stays there, and so do its members' records that
  refer to it: the facilitator has nothing they could refer to (bundle_write.held_back);
- an unsigned format 1 bundle (the facilitator's computer only, once, after a warning): what
  format 1 held, less the security events and the passphrase hash, which never travel.
- the live meeting's records (agenda steps, dots, asks, attendance) travel in no bundle at all
  (STAYS_HERE): a meeting runs on one computer or one shared database, where the engine keeps
  dots secret until the reveal; a bundle would hand every member's dots and asks to each
  participant's computer, and attendance is the facilitator's involvement record.
Records dated more than FUTURE after the import are refused with the whole bundle, so "the
newer one wins" only ever compares real times, between computers allowed to change the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from app.services.exchange.bundle_format import KINDS, KINDS_V1, BundleError
from app.services.exchange.signers import AS_COMPUTER, AS_FACILITATOR, AS_UNSIGNED, Sender

FUTURE = timedelta(days=1)
# The facilitator's personal data that no bundle holds, from any sender in any format: the
# involvement record (time, expenses, notes) and the payment records kept after withdrawals.
# No format has a kind for them; should one ever be given one, CARRIES still leaves it out and
# check_kinds refuses a bundle that holds it (tests/services/test_involvement_bundle.py).
NEVER_CARRIED = frozenset({"involvement", "payment_record"})
COMPUTER_KINDS = frozenset({"contribution", "endorsement", "definition", "draft_version", "stance",
                            "comment"})
# Sender -> the record kinds its bundles may hold.
CARRIES: dict[str, frozenset[str]] = {
    AS_FACILITATOR: frozenset(k.name for k in KINDS) - NEVER_CARRIED,
    AS_COMPUTER: COMPUTER_KINDS - NEVER_CARRIED,
    AS_UNSIGNED: frozenset(k.name for k in KINDS_V1) - NEVER_CARRIED,
}
# What the refusal calls a kind a computer may not send.
FACILITATOR_ONLY = {
    "project": "the project record", "member": "member records (a new member, a change or a withdrawal)",
    "meeting": "meetings", "prompt": "questions", "theme": "themes",
}
# Whose record it is: a computer sends, and may change, only its own members' records.
AUTHOR = {"contribution": "member_id", "endorsement": "member_id", "draft_version": "author_id",
          "stance": "member_id", "comment": "member_id"}
# The local audit event that shows a record was made on this computer (imports write none).
MADE_HERE = {"contribution": "contribution_added", "draft_version": "version_saved"}
ANONYMOUS_OK = frozenset({"contribution"})  # an anonymous keyword names no author, by design
# Fields only the facilitator sets: a computer's record must leave them as they are here (a new one:
# as below), so it cannot hide, theme or withdraw a keyword.
SET_BY_FACILITATOR = {"contribution": {"hidden": False, "hidden_reason": None, "theme_id": None,
                                       "withdrawn": False}}
WHY_FIXED = {"hidden": "a hidden flag", "hidden_reason": "a hidden flag", "theme_id": "a theme",
             "withdrawn": "a withdrawal"}
# The facilitator's bundles leave these behind: (kind, field) -> the value sent instead.
LEFT_BEHIND = {("contribution", "hidden_reason"): None}
OWN_ONLY = {("member", "access_profile"): {}}  # sent only for the receiving computer's members
# Tables no bundle carries, and why (tests/services/test_exchange_meeting.py: every table of the
# schema is either a kind of the format or here).
STAYS_HERE: dict[str, str] = {
    "agenda_step": "the meeting's agenda and pacing happen where the meeting runs",
    "vote": "dots are secret until the reveal; a bundle would show every member's to each computer",
    "ask": "an ask is for the meeting it is made in, answered there",
    "attendance": "the facilitator's involvement record, for payment: private to them",
    "review_note": "the facilitator's private memo",
    "event": "the audit log stays with the computer that wrote it",
    "in_progress_text": "unfinished text never leaves the computer",
    "local_machine": "this computer's own id",
    "bundle_log": "this computer's own record of bundles",
    "involvement": "the facilitator's involvement record (time, expenses, notes): private to them",
    "payment_record": "what a withdrawn member was paid for, kept by the facilitator alone",
}
# Audit events that never travel (format 1 held them; format 2 holds no events at all).
SECURITY_ACTIONS = frozenset({"unlock_ok", "unlock_failed", "unlock_refused", "passphrase_set",
                              "passphrase_changed", "facilitator_locked"})


def latest_allowed(now: datetime) -> datetime:
    """The latest time a record in a bundle imported `now` may carry."""
    return now + FUTURE


def check_kinds(sender: Sender, counts: Mapping[str, int]) -> None:
    """Refuse a bundle holding records of a kind its sender may not send."""
    allowed = CARRIES[sender.role]
    for name, n in counts.items():
        if n and name in NEVER_CARRIED:
            raise BundleError("Refused: this bundle holds the facilitator's involvement or payment "
                              "records, which never travel between computers. Nothing was written.")
        if n and name not in allowed:
            what = FACILITATOR_ONLY.get(name, name.replace("_", " ") + " records")
            raise BundleError(f"Refused: this bundle comes from {sender.label}, a participant's computer, "
                              f"and holds {what}, which only the facilitator's may send. "
                              "Nothing was written.")


def check_record(sender: Sender, kind: str, record: Mapping[str, Any],
                 here: Mapping[str, Any] | None) -> None:
    """Refuse a record its sender may not bring: another member's, or one changing what only the
    facilitator sets (`here`: the record as it is here, when it is)."""
    if sender.role != AS_COMPUTER:
        return
    field = AUTHOR.get(kind)
    author = record.get(field) if field else None
    if field and not (author in sender.members or (author is None and kind in ANONYMOUS_OK)):
        what = kind.replace("_", " ")
        raise BundleError(f"Refused: this bundle comes from {sender.label} and holds a {what} "
                          "of a member who does not use that computer. Nothing was written.")
    for name, value in SET_BY_FACILITATOR.get(kind, {}).items():
        if record[name] != (here[name] if here is not None else value):
            raise BundleError(f"Refused: this bundle comes from {sender.label}, a participant's computer, "
                              f"and carries {WHY_FIXED[name]} on a keyword, which only the facilitator "
                              "may set. "
                              "Nothing was written.")


def travels(sender: Sender, kind: str, record: Mapping[str, Any]) -> bool:
    """False for a record that is read but never kept: a security event of a format 1 bundle."""
    return not (kind == "event" and record["action"] in SECURITY_ACTIONS)


def outgoing(kind: str, fields: tuple[str, ...], row: list[Any], own_members: frozenset[str]) -> None:
    """Blank, in place, what a facilitator's bundle leaves behind from one row of `fields`."""
    for (k, field), value in LEFT_BEHIND.items():
        if k == kind:
            row[fields.index(field)] = value
    for (k, field), value in OWN_ONLY.items():
        if k == kind and row[fields.index("id")] not in own_members:
            row[fields.index(field)] = value
