"""Bundles over time: "changes since" a machine, records relayed from a third machine, exact
times, withdrawals that an older bundle must not undo, and a clash with a concurrent writer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.services.container import Services
from app.services.exchange import exchange as exchange_module
from app.services.exchange.bundle_format import BundleError
from app.store.database import Store, sqlite_url
from app.store.models import Comment, Contribution, DraftVersion, Member, utcnow

from .conftest import Project, dump_rows
from .helpers import join, machine_of
from .test_exchange import ex, send


@pytest.fixture
def no_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make "changes since" exact, so a test can see what a delta leaves out."""
    monkeypatch.setattr(exchange_module, "MARGIN", timedelta(0))


def test_changes_since_hold_only_what_changed(
    store: Store, demo: Project, machine_b: Store, tmp_path: Path, no_margin
):
    sa = Services.build(store)
    whole = join(store, machine_b, demo.id, tmp_path / "1.canvas")  # the invitation is whole
    assert whole.scope == "whole"
    b = machine_of(machine_b, demo.id)
    sa.contributions.add(demo.member("Alex"), demo.now, "only this is new")
    delta = ex(store).export_bundle(demo.id, tmp_path / "2.canvas", b)
    assert delta.scope == "changes" and delta.since is not None
    assert delta.counts["contribution"] == 1 and delta.counts["endorsement"] == 0
    # The project's small structure always travels whole, so references always resolve.
    assert delta.counts["member"] == 6 and delta.counts["definition"] == 1
    assert ex(machine_b).import_bundle(tmp_path / "2.canvas").new["contribution"] == 1
    nothing = ex(store).export_bundle(demo.id, tmp_path / "3.canvas", b)
    assert nothing.counts["contribution"] == nothing.counts["draft_version"] == 0
    # Another machine's marks are its own: a first bundle to it is whole.
    fresh = ex(store).export_bundle(demo.id, tmp_path / "4.canvas", "11111111-1111-4111-8111-111111111111")
    assert fresh.scope == "whole"


def test_records_relayed_from_a_third_machine_are_not_missed(
    store: Store, demo: Project, machine_b: Store, tmp_path: Path, migrated_template: Path, no_margin
):
    path_c = tmp_path / "machine-c" / "canvas.db"
    path_c.parent.mkdir()
    path_c.write_bytes(migrated_template.read_bytes())
    machine_c = Store.open(sqlite_url(path_c))
    try:
        # A (the facilitator's computer) invites B and C; C writes something, stamped before A's
        # next bundle to B.
        send(store, machine_b, tmp_path / "ab.canvas", demo.id, since=machine_b)
        send(store, machine_c, tmp_path / "ac.canvas", demo.id, since=machine_c)
        Services.build(machine_c).contributions.add(demo.member("Alex"), demo.now, "from C, via A")
        send(store, machine_b, tmp_path / "ab1.canvas", demo.id, since=machine_b)
        # A receives it only now, after its last bundle to B: its old time must not hide it.
        send(machine_c, store, tmp_path / "ca.canvas", demo.id)
        relayed = send(store, machine_b, tmp_path / "ab2.canvas", demo.id, since=machine_b)
        assert relayed.new["contribution"] == 1
        assert dump_rows(machine_b, canonical=True)["contribution"] == dump_rows(store, canonical=True)[
            "contribution"]
    finally:
        machine_c.close()


def test_times_survive_the_trip_exactly(store: Store, demo: Project, machine_b: Store, tmp_path: Path):
    with store.transaction() as s:
        row = s.scalar(select(Contribution).limit(1))
        row.created_at = utcnow().replace(microsecond=123456)
        wanted = (row.id, row.created_at)
    send(store, machine_b, tmp_path / "a.canvas", demo.id)
    with machine_b.read() as s:
        assert s.get(Contribution, wanted[0]).created_at == wanted[1]
        assert s.scalar(select(func.count()).select_from(DraftVersion)) == 1


@pytest.mark.parametrize("mode", ["delete", "anonymise"])
def test_an_older_bundle_cannot_bring_back_what_a_withdrawal_removed(
    store: Store, demo: Project, machine_b: Store, tmp_path: Path, mode: str
):
    sa, sb = Services.build(store), Services.build(machine_b)
    send(store, machine_b, tmp_path / "a.canvas", demo.id)
    alex = demo.member("Alex")
    # B goes on with Alex's words, a "me too" and a comment on them, and a version by Alex.
    mine = sb.contributions.add(alex, demo.now, "Alex on B").record_id
    sb.contributions.endorse(demo.member("Sam"), mine, True)
    with machine_b.transaction() as s:
        s.add(Comment(contribution_id=mine, member_id=demo.member("Kai"), text="So true"))
    version = sb.drafts.save_version(alex, demo.now, "Alex's version", None).record_id
    # Meanwhile the facilitator withdraws Alex on A.
    session = sa.facilitator.set_passphrase(demo.id, "a long passphrase").session
    sa.participants.withdraw(session, alex, mode)
    before = dump_rows(store)
    with store.read() as s:
        alex_rows = s.scalar(
            select(func.count()).select_from(Contribution).where(Contribution.member_id == alex))

    result = send(machine_b, store, tmp_path / "b.canvas", demo.id)
    assert result.withheld >= 3 and "Left out:" in "\n".join(result.lines())
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Contribution).where(
            Contribution.member_id == alex)) == alex_rows
        assert s.get(Contribution, mine) is None
        assert s.scalar(select(func.count()).select_from(Comment).where(Comment.contribution_id == mine)) == 0
        assert s.get(DraftVersion, version).author_id is None  # the group's text stays, unnamed
        assert s.get(Member, alex).withdrawn_at is not None
    after = dump_rows(store)
    assert len(after["contribution"]) == len(before["contribution"])
    assert send(machine_b, store, tmp_path / "b2.canvas", demo.id).total_new == 0


def test_a_clash_with_a_concurrent_writer_is_refused_plainly(
    store: Store, demo: Project, machine_b: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from sqlalchemy.exc import IntegrityError

    path = tmp_path / "a.canvas"
    ex(store).invite_computer(demo.id, "B", [demo.member("Sam")], path)

    real = exchange_module.merge_bundle

    def clash(s, bundle, write, sender):
        real(s, bundle, write, sender)  # every record written, and then a clash: all of it is rolled back
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    monkeypatch.setattr(exchange_module, "merge_bundle", clash)
    before = dump_rows(machine_b)
    with pytest.raises(BundleError, match="changed while the bundle was being imported"):
        ex(machine_b).import_bundle(path)
    assert dump_rows(machine_b) == before
    assert ex(machine_b).keyring.get(demo.id) is None  # nor did it join
