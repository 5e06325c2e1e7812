"""Withdrawals across machines: a withdrawal travels in the next bundle and is applied on the
other machine, and no bundle, older or newer, brings back what it removed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.services.container import Services
from app.services.exchange.bundle_format import BY_NAME, KINDS, BundleError
from app.store.database import Store
from app.store.local_drafts import LocalDrafts
from app.store.models import Contribution, Endorsement, Event, Member

from .conftest import Project, dump_rows
from .test_exchange import send

PASSPHRASE = "a long passphrase"


def contributions_of(store: Store, member: str) -> int:
    with store.read() as s:
        return s.scalar(select(func.count()).select_from(Contribution)
                        .where(Contribution.member_id == member))


def texts(store: Store) -> list[str]:
    with store.read() as s:
        return list(s.scalars(select(Contribution.text)))


@pytest.mark.parametrize("mode", ["delete", "anonymise"])
def test_a_withdrawal_travels_and_is_applied_on_the_other_machine(
    store: Store, demo: Project, machine_b: Store, tmp_path: Path, mode: str
):
    sa, sb = Services.build(store), Services.build(machine_b)
    send(store, machine_b, tmp_path / "a1.canvas", demo.id)
    alex, sam = demo.member("Alex"), demo.member("Sam")
    # On B, before the withdrawal reaches it: Alex writes, Sam says "me too" and names Alex.
    on_b = sb.contributions.add(alex, demo.now, "my words on B").record_id
    sb.contributions.endorse(sam, on_b, True)
    naming = sb.contributions.add(sam, demo.now, "as Alex said").record_id
    assert contributions_of(machine_b, alex) > 1
    # The facilitator withdraws Alex on A.
    session = sa.facilitator.set_passphrase(demo.id, PASSPHRASE).session
    sa.participants.withdraw(session, alex, mode)
    with store.read() as s:
        there = s.get(Member, alex)
        placeholder, withdrawn_at = there.display_name, there.withdrawn_at

    preview = Services.build(machine_b).exchange.preview_import(
        sa.exchange.export_bundle(demo.id, tmp_path / "a2.canvas").path)
    assert preview.withdrawn_there == ["Alex"] and preview.needs_confirmation
    text = "\n".join(preview.lines())
    assert "withdrawn here too once you confirm: Alex" in text
    assert "Alex withdrew:" in text and "contributions" in text
    assert ("deleted" if mode == "delete" else "anonymised") in text
    assert contributions_of(machine_b, alex) > 1  # a preview changes nothing
    before = dump_rows(machine_b)
    with pytest.raises(BundleError, match="confirm"):
        sb.exchange.import_bundle(tmp_path / "a2.canvas")  # not without a confirmation
    assert dump_rows(machine_b) == before

    sb.exchange.import_bundle(tmp_path / "a2.canvas", confirm_withdrawals=True)
    with machine_b.read() as s:
        here = s.get(Member, alex)
        assert here.withdrawn_at == withdrawn_at and here.display_name == placeholder
        assert not here.consent_participate and here.access_profile == {}
        assert s.scalar(select(func.count()).select_from(Event).where(Event.member_id == alex)) == 0
        assert s.scalar(select(Event).where(Event.action == "member_withdrawn")) is None  # A's log stays on A
        alex_on_b = s.get(Contribution, on_b)
        if mode == "delete":
            assert alex_on_b is None
            assert s.scalar(select(func.count()).select_from(Endorsement)
                            .where(Endorsement.contribution_id == on_b)) == 0
        else:
            assert alex_on_b.member_id is None and alex_on_b.text == "my words on B"
        assert s.get(Contribution, naming).text == "as [name removed] said"
    assert contributions_of(machine_b, alex) == 0
    assert alex not in {m.id for m in sb.projects.list_members(demo.id)}

    # Back to A: nothing of Alex's comes back named, Sam's words come scrubbed, and the two agree.
    back = send(machine_b, store, tmp_path / "b1.canvas", demo.id)
    assert back.withdrawn_there == []
    assert contributions_of(store, alex) == 0
    assert "as [name removed] said" in texts(store) and "as Alex said" not in texts(store)
    assert ("my words on B" in texts(store)) == (mode == "anonymise")
    if mode == "delete":  # (the project row differs: A's passphrase, set after B had it, stays on A)
        a, b = dump_rows(store, canonical=True), dump_rows(machine_b, canonical=True)
        del a["project"], b["project"]
        assert a == b
    # Importing either bundle again changes nothing.
    assert Services.build(machine_b).exchange.import_bundle(tmp_path / "a2.canvas").total_new == 0
    assert Services.build(store).exchange.import_bundle(tmp_path / "b1.canvas").total_new == 0


def test_a_member_withdrawn_before_a_machine_first_sees_them_comes_withdrawn(
    store: Store, demo: Project, machine_b: Store, tmp_path: Path
):
    sa = Services.build(store)
    session = sa.facilitator.set_passphrase(demo.id, PASSPHRASE).session
    sa.participants.withdraw(session, demo.member("Kai"), "delete")
    preview = send(store, machine_b, tmp_path / "a.canvas", demo.id)
    assert preview.withdrawn_there == []  # nothing to do here: the member comes withdrawn
    names = {m.display_name for m in Services.build(machine_b).projects.list_members(demo.id)}
    assert "Kai" not in names and not any(n.startswith("Withdrawn") for n in names)
    with machine_b.read() as s:
        assert s.get(Member, demo.member("Kai")).withdrawn_at is not None


def test_two_withdrawals_placeholders_never_merge_two_people(
    store: Store, demo: Project, machine_b: Store, tmp_path: Path
):
    """Two members withdrawn one after the other get two placeholders on both computers, and
    neither is taken to be the other."""
    send(store, machine_b, tmp_path / "a.canvas", demo.id)
    services = Services.build(store)
    session = services.facilitator.set_passphrase(demo.id, PASSPHRASE).session
    for n, name in enumerate(("Kai", "Priya")):
        services.participants.withdraw(session, demo.member(name), "anonymise")
        path = services.exchange.export_bundle(demo.id, tmp_path / f"a{n}.canvas").path
        Services.build(machine_b).exchange.import_bundle(path, confirm_withdrawals=True)
    send(machine_b, store, tmp_path / "b.canvas", demo.id)
    for machine in (store, machine_b):
        with machine.read() as s:
            withdrawn = s.execute(select(Member.id, Member.display_name)
                                  .where(Member.withdrawn_at.is_not(None))).all()
        assert {i for i, _ in withdrawn} == {demo.member("Kai"), demo.member("Priya")}
        assert len({n for _, n in withdrawn}) == 2


def test_real_names_are_not_a_field_of_the_format(store: Store, services: Services, demo: Project,
                                                   machine_b: Store, tmp_path: Path):
    """The format names each field that travels; every other column stays on its machine."""
    stays = {("member", c) for c in ("real_name", "consent_date", "consent_participate", "consent_quote",
                                     "credit", "keep_until")}
    # A meeting's planned and real times are the facilitator's running of it; pacing reaches
    # members through the shared database, so bundles carry the meeting's date and title only.
    stays |= {("meeting", c) for c in ("starts_at", "ends_at", "started_at", "ended_at")}
    for kind in KINDS:
        columns = {c.name for c in kind.model.__table__.columns}
        assert {(kind.name, c) for c in columns - set(kind.fields)} <= stays
    assert "real_name" not in BY_NAME["member"].fields
    assert {k.name for k in KINDS}.isdisjoint({"review_note", "event"})
    session = services.facilitator.set_passphrase(demo.id, PASSPHRASE).session
    services.participants.set_real_name(session, demo.member("Alex"), "Alexandra Quinn")
    send(store, machine_b, tmp_path / "a.canvas", demo.id)
    with machine_b.read() as s:
        assert s.get(Member, demo.member("Alex")).real_name is None
    # A real name kept on the other machine is left as it is by an import.
    with machine_b.transaction() as s:
        s.get(Member, demo.member("Sam")).real_name = "Samira Noor"
    send(store, machine_b, tmp_path / "a2.canvas", demo.id)
    with machine_b.read() as s:
        assert s.get(Member, demo.member("Sam")).real_name == "Samira Noor"


def test_a_withdrawal_by_bundle_clears_this_computer_s_unsaved_texts(
    store: Store, demo: Project, machine_b: Store, tmp_path: Path
):
    sa, sb = Services.build(store), Services.build(machine_b)
    send(store, machine_b, tmp_path / "a1.canvas", demo.id)
    alex, sam = demo.member("Alex"), demo.member("Sam")
    unsaved = LocalDrafts(tmp_path / "b-unsaved.json")  # machine B's file, kept while offline
    unsaved.keep(alex, f"contribution:{demo.now}", "Alex's half-written words", 5)
    unsaved.keep(sam, f"contribution:{demo.now}", "I agree with Alex", 17)
    session = sa.facilitator.set_passphrase(demo.id, PASSPHRASE).session
    sa.participants.withdraw(session, alex, "delete")
    sb.exchange.import_bundle(sa.exchange.export_bundle(demo.id, tmp_path / "a2.canvas").path,
                              local_drafts=unsaved, confirm_withdrawals=True)
    assert unsaved.get(alex, f"contribution:{demo.now}") is None
    assert unsaved.get(sam, f"contribution:{demo.now}") == ("I agree with [name removed]", 27)
    assert "Alex" not in (tmp_path / "b-unsaved.json").read_text(encoding="utf-8")
