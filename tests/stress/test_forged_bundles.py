"""Forged bundles, made as an attacker would: by hand, from real ones, with checksums recomputed.

Two computers, each with its own data folder: the facilitator's (F, which holds the project's
signing key) and a participant's (P, invited for Sam and Alex). Every attack is imported through
the service on the computer it targets, once as a preview and once for real; each must be
refused with a message saying who the bundle claims to be from and why, and the database must
be exactly as it was (a full SQL dump of the file, every table and row). Then: what each
direction carries is searched for what must stay home, a round trip keeps every legitimate
record, and importing twice changes nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.services.exchange.bundle_format import BundleError
from app.services.exchange.exchange import UnsignedBundle
from app.services.exchange.keyring import new_private_key
from app.store.models import Member, ReviewNote
from tests.stress.forgery import (
    NOTE,
    PASSPHRASE,
    REAL_NAME,
    SECURITY_EVENT,
    World,
    dump,
    entries,
    first,
    forge,
    format_1,
    own_contribution,
    refused,
)

# --- changed after signing, checksums recomputed -------------------------------------------------


@pytest.mark.parametrize("change", [
    {"text": "words Sam never wrote"},
    {"created_at": "2026-01-01T00:00:00+00:00"},
    {"member_id": "MEMBER"},
], ids=["a-text", "a-time", "a-member-id"])
def test_a_bundle_changed_after_signing_is_refused(world: World, change: dict[str, str]):
    change = {k: (world.kai if v == "MEMBER" else v) for k, v in change.items()}
    forged = forge(world.sam_bundle, world.root / "x.canvas",
                   lambda parts: (own_contribution(world)(parts), first("contribution", **change)(parts)))
    message = refused(world, "f", forged, "Sam's laptop", "signature does not match")
    assert message.startswith("Refused: this bundle says it comes from the computer \"Sam's laptop\"")


def test_the_facilitator_s_bundle_changed_on_the_way_is_refused_by_the_participant(world: World):
    forged = forge(world.fac_bundle, world.root / "x.canvas", first("contribution", text="forged"))
    refused(world, "p", forged, "the facilitator of", "not signed with the project's key")


def test_a_participant_cannot_pass_its_bundle_off_as_the_facilitator_s(world: World):
    forged = forge(world.sam_bundle, world.root / "x.canvas",
                   manifest=lambda m: m.update(signer="project"), key=world.key("p"))
    refused(world, "f", forged, "the facilitator of", "not signed with this project's key")


# --- who signed it ---------------------------------------------------------------------------------


def test_a_bundle_from_a_computer_never_invited_is_refused(world: World):
    stranger = str(uuid.uuid4())
    forged = forge(world.sam_bundle, world.root / "x.canvas",
                   manifest=lambda m: m.update(machine_id=stranger), key=new_private_key())
    refused(world, "f", forged, f"a computer with the id {stranger}", "never invited")


def test_a_bundle_from_a_revoked_computer_is_refused(world: World):
    machine = world.fs.exchange.computers(world.project)[0].machine_id
    world.fs.exchange.revoke_computer(world.project, machine)
    refused(world, "f", world.sam_bundle, "Sam's laptop", "was revoked on")


def test_a_participant_s_computer_refuses_another_participant_s_bundle(world: World):
    refused(world, "p", world.sam_bundle, "accepts bundles from the facilitator only")


# --- what a participant's bundle may carry -------------------------------------------------------


def _member_withdrawn(world: World) -> Callable[[dict[str, list]], None]:
    def change(parts: dict[str, list]) -> None:
        parts["member"] = [{"id": world.kai, "project_id": world.project, "display_name": "Withdrawn 1",
                            "role": "participant", "position": 4, "anonymous_default": False,
                            "access_profile": {}, "withdrawn_at": "2026-11-30T10:00:00+00:00",
                            "created_at": "2026-11-01T10:00:00+00:00"}]
    return change


def _theme(world: World) -> Callable[[dict[str, list]], None]:
    def change(parts: dict[str, list]) -> None:
        parts["theme"] = [{"id": str(uuid.uuid4()), "prompt_id": world.now, "name": "Sam's theme",
                           "position": 0, "created_at": "2026-11-30T10:00:00+00:00"}]
    return change


def _renamed_member(world: World) -> Callable[[dict[str, list]], None]:
    def change(parts: dict[str, list]) -> None:
        _member_withdrawn(world)(parts)
        parts["member"][0].update(display_name="Kai the great", withdrawn_at=None)
    return change


def _hidden(world: World, **changes: Any) -> Callable[[dict[str, list]], None]:
    def change(parts: dict[str, list]) -> None:
        own_contribution(world)(parts)
        parts["contribution"][0].update(changes)
    return change


@pytest.mark.parametrize(("what", "words"), [
    ("withdrawal", ("member records", "a withdrawal", "only the facilitator's may send")),
    ("hidden", ("a hidden flag", "only the facilitator may set")),
    ("hiding-one-already-here", ("a hidden flag", "only the facilitator may set")),
    ("theme", ("themes", "only the facilitator's may send")),
    ("theme-on-a-keyword", ("a theme", "only the facilitator may set")),
    ("member-change", ("member records", "a change")),
    ("security-event", ("never carries", "security events never travel")),
    ("another-member-s-stance", ("of a member who does not use that computer",)),
])
def test_a_participant_s_bundle_may_not_carry_what_only_the_facilitator_sends(world: World, what: str,
                                                                               words: tuple[str, ...]):
    key = world.key("p")
    out = world.root / f"{what}.canvas"
    with world.f.read() as s:
        theme_less = s.scalar(select(ReviewNote.version_id))  # any id of this project will do
    assert theme_less
    if what == "security-event":
        data = SECURITY_EVENT.replace(b'"P"', json.dumps(world.project).encode())
        forged = forge(world.sam_bundle, out, key=key, extra={"records/event.json": data})
    elif what == "hiding-one-already-here":
        world.fs.exchange.import_bundle(world.sam_bundle)  # F has Sam's keyword now, shown
        forged = forge(world.sam_bundle, out, _hidden(world, hidden=True, hidden_reason="mine"), key=key)
    else:
        change = {
            "withdrawal": _member_withdrawn(world), "hidden": _hidden(world, hidden=True),
            "theme": _theme(world), "member-change": _renamed_member(world),
            "theme-on-a-keyword": _hidden(world, theme_id=str(uuid.uuid4())),
            "another-member-s-stance": first("stance", member_id=world.kai),
        }[what]
        forged = forge(world.sam_bundle, out, change, key=key)
    message = refused(world, "f", forged, *words)
    assert "Sam's laptop" in message or world.ps.exchange.keyring.get(world.project).machine_id in message


@pytest.mark.parametrize("kind", ["stance", "contribution"])
def test_records_dated_in_the_future_refuse_the_whole_bundle(world: World, kind: str):
    field = "updated_at" if kind == "stance" else "created_at"
    forged = forge(world.sam_bundle, world.root / "future.canvas",
                   first(kind, **{field: "2099-01-01T00:00:00+00:00"}), key=world.key("p"))
    refused(world, "f", forged, "2099-01-01", "more than a day in the future", "whole bundle is refused")


def test_a_bundle_claiming_to_be_made_in_the_future_is_refused(world: World):
    forged = forge(world.fac_bundle, world.root / "future.canvas",
                   manifest=lambda m: m.update(created_at="2099-01-01T00:00:00+00:00"), key=world.key("f"))
    refused(world, "p", forged, "more than a day in the future")


# --- members by id -------------------------------------------------------------------------------


def test_a_new_member_id_reusing_a_pseudonym_is_kept_apart_and_flagged(world: World):
    newcomer = str(uuid.uuid4())

    def add_sam(parts: dict[str, list]) -> None:
        sam = next(m for m in parts["member"] if m["display_name"] == "Sam")
        parts["member"].append({**sam, "id": newcomer})
        parts["contribution"].append({**parts["contribution"][0], "id": str(uuid.uuid4()),
                                      "member_id": newcomer, "prompt_id": world.now,
                                      "text": "the other Sam's words"})

    forged = forge(world.fac_bundle, world.root / "sams.canvas", add_sam, key=world.key("f"))
    preview = world.ps.exchange.preview_import(forged)
    assert preview.same_name == [("Sam", "Sam 1")]
    assert "Two members called Sam" in "\n".join(preview.lines())
    world.ps.exchange.import_bundle(forged)
    with world.p.read() as s:
        sams = dict(s.execute(select(Member.id, Member.display_name)
                              .where(Member.display_name.like("Sam%"))).all())
    assert sams == {world.sam: "Sam", newcomer: "Sam 1"}  # nothing merged on a name
    words = {c.text: c.author for c in world.ps.contributions.list_for_prompt(world.now)}
    assert words["the other Sam's words"] == "Sam 1" and words["being listened to"] == "Sam"


def test_a_participant_s_bundle_cannot_bring_a_new_member_at_all(world: World):
    def add_member(parts: dict[str, list]) -> None:
        _member_withdrawn(world)(parts)
        parts["member"][0].update(id=str(uuid.uuid4()), display_name="Sam", withdrawn_at=None)

    forged = forge(world.sam_bundle, world.root / "new-sam.canvas", add_member, key=world.key("p"))
    refused(world, "f", forged, "member records")


# --- format 1 ----------------------------------------------------------------------------------


def test_a_format_1_bundle_is_refused_on_a_participant_s_computer(world: World):
    refused(world, "p", format_1(world, world.root / "old.canvas"), "unsigned bundle (format 1)",
            "imports only bundles signed by the facilitator")


def test_a_format_1_bundle_imports_once_on_the_facilitator_s_computer_after_its_warning(world: World):
    old = format_1(world, world.root / "old.canvas")
    before = dump(world.db("f"))
    with pytest.raises(UnsignedBundle, match="not signed"):
        world.fs.exchange.import_bundle(old)
    assert dump(world.db("f")) == before
    preview = world.fs.exchange.preview_import(old, allow_unsigned=True)
    assert preview.unsigned and preview.lines()[0].startswith("Warning: this bundle is not signed")
    world.fs.exchange.import_bundle(old, allow_unsigned=True)
    dumped = "\n".join(dump(world.db("f")))
    assert "scrypt$" not in dumped and "2099" not in dumped  # the hash and the security event stay out
    assert world.fs.facilitator.unlock(world.project, PASSPHRASE).ok
    with pytest.raises(BundleError, match="imported once only"):
        world.fs.exchange.import_bundle(old, allow_unsigned=True)


# --- what travels, the round trip, twice -----------------------------------------------------------


def _all_text(path: Path) -> str:
    return "\n".join(data.decode("utf-8") for data in entries(path).values())


def test_bundles_of_each_direction_hold_nothing_that_must_stay_home(world: World):
    stored = json.loads((world.root / "f" / "keys" / f"{world.project}.passphrase.json").read_text())["hash"]
    keys_f = json.loads((world.root / "f" / "keys" / f"{world.project}.keys.json").read_text())
    secrets = [stored, stored.split("$")[-1], NOTE, REAL_NAME, "consent_", "2026-03-01", "facilitator_secret",
               "unlock_", "passphrase_", "real_name", keys_f["signing_key"], '"named"', "review_note"]
    world.fs.exchange.invite_computer(world.project, "Kai's tablet", [world.kai], world.root / "kai.canvas")
    for path in (world.fac_bundle, world.sam_bundle, world.root / "kai.canvas"):
        text = _all_text(path)
        for secret in secrets:
            assert secret not in text, (path.name, secret)
    # A participant's computer holds none of it either, so "Send my work" cannot send it on.
    dumped = "\n".join(dump(world.db("p")))
    for secret in (NOTE, REAL_NAME, stored, "unlock_"):
        assert secret not in dumped
    assert not (world.root / "p" / "keys" / f"{world.project}.passphrase.json").exists()


def test_round_trip_facilitator_participant_facilitator_keeps_every_legitimate_record(world: World):
    fs, ps = world.fs, world.ps
    world.fs.exchange.import_bundle(world.fac_bundle)  # its own bundle: nothing new
    back = fs.exchange.import_bundle(world.sam_bundle)
    assert back.new["contribution"] == 1 and back.total_new >= 2
    ps.exchange.import_bundle(world.fac_bundle)
    version = ps.drafts.current_version(world.now).id
    ps.drafts.comment(world.sam, version, "Sam's comment")
    ps.drafts.save_version(world.alex, world.now, "Alex's new text", version)
    ps.contributions.endorse(world.sam, fs.contributions.list_for_prompt(world.now)[0].id, True)
    ps.exchange.export_bundle(world.project, world.root / "sam2.canvas")
    fs.exchange.import_bundle(world.root / "sam2.canvas")
    fs.exchange.export_bundle(world.project, world.root / "fac2.canvas")
    ps.exchange.import_bundle(world.root / "fac2.canvas")
    for prompt in fs.projects.list_prompts(world.project):
        assert fs.contributions.list_for_prompt(prompt.id) == ps.contributions.list_for_prompt(prompt.id)
        assert [v.id for v in fs.drafts.list_versions(prompt.id)] == [
            v.id for v in ps.drafts.list_versions(prompt.id)]
    texts = {c.text for c in fs.contributions.list_for_prompt(world.now)}
    assert {"being listened to", "said at the meeting"} <= texts
    assert "Alex's new text" in [v.text for v in fs.drafts.list_versions(world.now)]


def test_importing_twice_changes_nothing(world: World):
    world.fs.exchange.import_bundle(world.sam_bundle)
    world.ps.exchange.import_bundle(world.fac_bundle)
    f_once, p_once = dump(world.db("f")), dump(world.db("p"))
    assert world.fs.exchange.import_bundle(world.sam_bundle).total_new == 0
    assert world.ps.exchange.import_bundle(world.fac_bundle).total_new == 0
    assert dump(world.db("f")) == f_once and dump(world.db("p")) == p_once


def test_refused_bundles_name_who_they_claim_to_be_from(world: World):
    """The lines a receiver reads (and hears): who, why, and that nothing was written."""
    stranger = forge(world.sam_bundle, world.root / "s.canvas",
                     manifest=lambda m: m.update(machine_id=str(uuid.uuid4())), key=new_private_key())
    message = refused(world, "f", stranger, "never invited")
    assert message.startswith("Refused: this bundle says it comes from ") and message.endswith(
        "Nothing was written.")
    assert datetime.now(timezone.utc).year >= 2026
