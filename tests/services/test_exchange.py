"""Bundles between machines: export, preview, merge rules, and the round trip A → B → A.

Machine A is the `store` fixture (SQLite, and PostgreSQL when CANVAS_TEST_PG_URL is set);
machine B is always an SQLite file, so the round trip runs SQLite ↔ SQLite and PostgreSQL ↔ SQLite.
"""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.services.container import Services
from app.services.errors import NotFound
from app.services.exchange.bundle_format import FORMAT_VERSION, KINDS, BundleError
from app.services.exchange.exchange import ExchangeService
from app.services.group.demo import DEMO_NAME, create_demo
from app.store.database import Store
from app.store.models import (
    BundleLog,
    Contribution,
    Definition,
    Endorsement,
    LocalMachine,
    Member,
    Stance,
)
from app.store.models import Project as ProjectRow

from .conftest import Project, dump_rows
from .helpers import join, machine_of


def ex(store: Store) -> ExchangeService:
    return ExchangeService(store)


def send(source: Store, target: Store, path: Path, project_id: str, since: Store | None = None):
    """Export from `source` (changes since the last bundle to `since`'s machine) and import into target.
    Machine A (the facilitator's computer) invites B the first time anything goes to it."""
    if ExchangeService(target).keyring.get(project_id) is None and target is not source:
        with target.read() as s:
            new_here = s.scalar(select(func.count()).select_from(Member)) == 0
        if new_here:
            return join(source, target, project_id, path)
    to = machine_of(since, project_id) if since is not None else None
    ex(source).export_bundle(project_id, path, since_machine=to)
    return ex(target).import_bundle(path)


def ids(store: Store, model) -> set[str]:
    with store.read() as s:
        return set(s.scalars(select(model.id)))


def shared(store: Store) -> dict:
    """The canonical dump less the members' own settings, which stay as each machine has them."""
    rows = dump_rows(store, canonical=True)
    rows["member"] = sorted(tuple(c for c in row if c[0] not in ("anonymous_default", "access_profile"))
                            for row in rows["member"])
    return rows


def add_member(store: Store, project_id: str, name: str) -> str:
    with store.transaction() as s:
        member = Member(project_id=project_id, display_name=name, role="participant")
        s.add(member)
        s.flush()
        return member.id


# --- export --------------------------------------------------------------------------------


def test_a_bundle_is_one_private_zip_with_a_manifest(store: Store, demo: Project, tmp_path: Path):
    result = ex(store).export_bundle(demo.id, tmp_path / "group.canvas")
    path = tmp_path / "group.canvas"
    assert result.path == path and result.scope == "whole" and result.since is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".bundle-")]
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        assert names == {"manifest.json", "signature.json", *(k.part for k in KINDS)}
        for kind in KINDS:
            data = zf.read(kind.part)
            assert hashlib.sha256(data).hexdigest() == manifest["sha256"][kind.part]
            assert len(json.loads(data)) == manifest["counts"][kind.name]
    assert manifest["format"] == "coproduction-canvas-bundle"
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["project_id"] == demo.id
    assert manifest["machine_id"] == ex(store).machine_id() == result.machine_id
    assert manifest["created_at"].endswith("+00:00")
    assert manifest["counts"]["member"] == 6 and manifest["counts"]["contribution"] == 13
    assert result.counts == manifest["counts"]
    assert manifest["signer"] == "project" and manifest["invitation"] is None
    assert "review_note" not in manifest["counts"] and "event" not in manifest["counts"]


def test_machine_id_is_made_once_and_kept_in_one_row(store: Store):
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(LocalMachine)) == 0
    first = ex(store).machine_id()
    assert first == ex(store).machine_id() == Services.build(store).exchange.machine_id()
    with store.read() as s:
        assert list(s.scalars(select(LocalMachine.id))) == [first]


def test_another_project_and_unfinished_text_do_not_travel(
    store: Store, services: Services, demo: Project, other: Project, machine_b: Store, tmp_path: Path
):
    services.inprogress.save(demo.member("Alex"), "contribution:x", "half a thou", 4)
    send(store, machine_b, tmp_path / "a.canvas", demo.id)
    b = dump_rows(machine_b)
    assert b["in_progress_text"] == []
    assert len(b["project"]) == 1 and len(b["member"]) == 6
    assert ids(machine_b, Contribution) < ids(store, Contribution)


def test_export_refuses_unknown_project_and_bad_machine_ids(store: Store, demo: Project, tmp_path: Path):
    out = tmp_path / "x.canvas"
    with pytest.raises(NotFound):
        ex(store).export_bundle("00000000-0000-4000-8000-000000000000", out)
    with pytest.raises(BundleError, match="machine id"):
        ex(store).export_bundle(demo.id, out, since_machine="not-a-machine")
    with pytest.raises(BundleError, match="own id"):
        ex(store).export_bundle(demo.id, out, since_machine=ex(store).machine_id())
    assert not out.exists()


# --- import --------------------------------------------------------------------------------


def test_preview_says_what_is_new_and_whose_and_writes_nothing(
    store: Store, demo: Project, machine_b: Store, tmp_path: Path
):
    path = tmp_path / "a.canvas"
    invite(store, demo, path)
    before = dump_rows(machine_b)
    preview = ex(machine_b).preview_import(path)
    assert dump_rows(machine_b) == before  # not even a machine id is made
    assert ex(machine_b).keyring.get(demo.id) is None  # nor is the invitation taken up
    assert preview.project_is_new and preview.project_name == demo_name(store, demo)
    assert preview.new["member"] == 6 and preview.new["contribution"] == 13
    assert preview.new["endorsement"] == 10 and preview.already_here == 0
    assert preview.source_machine == ex(store).machine_id()
    assert set(preview.authors) == {"Alex", "Sam", "Jordan", "Priya", "Kai"}
    assert sum(preview.authors.values()) == 13 + 10 + 1  # contributions, me too's, the version
    assert preview.new_members == sorted(demo.members)
    text = "\n".join(preview.lines())
    assert "13 keywords and phrases" in text and "10 me too's" in text and "From: Alex" in text


def demo_name(store: Store, demo: Project) -> str:
    return Services.build(store).projects.list_projects()[0].name


def invite(store: Store, demo: Project, path: Path, members: list[str] | None = None):
    """An invitation from A for a computer used by `members` (by default every member)."""
    return ex(store).invite_computer(demo.id, "B", members or [m.id for m in demo.members.values()], path)


def test_importing_twice_changes_nothing(store: Store, demo: Project, machine_b: Store, tmp_path: Path):
    path = tmp_path / "a.canvas"
    invite(store, demo, path)
    first = ex(machine_b).import_bundle(path)
    assert first.total_new == 35 and not first.already_imported and first.joins
    after_once = dump_rows(machine_b)
    second = ex(machine_b).import_bundle(path)
    assert second.total_new == 0 and second.already_imported and second.already_here == 35
    assert dump_rows(machine_b) == after_once
    # B's work sent twice changes nothing the second time either.
    Services.build(machine_b).contributions.add(demo.member("Sam"), demo.now, "twice sent")
    ex(machine_b).export_bundle(demo.id, tmp_path / "b.canvas")
    assert ex(store).import_bundle(tmp_path / "b.canvas").new["contribution"] == 1
    after_b = dump_rows(store)
    again = ex(store).import_bundle(tmp_path / "b.canvas")
    assert again.total_new == 0 and again.already_imported and dump_rows(store) == after_b
    # Importing its own bundle back changes nothing on the machine that made it either.
    ex(store).export_bundle(demo.id, path)
    before = dump_rows(store)
    assert ex(store).import_bundle(path).total_new == 0
    assert dump_rows(store, canonical=True) == dump_rows(machine_b, canonical=True)
    assert {k: v for k, v in dump_rows(store).items() if k != "bundle_log"} == {
        k: v for k, v in before.items() if k != "bundle_log"}


def test_an_invitation_renames_this_computers_own_never_shared_project_of_the_same_name(
    store: Store, demo: Project, machine_b: Store, tmp_path: Path
):
    own = create_demo(machine_b)  # every computer makes its practice project on first run: the same name
    path = tmp_path / "a.canvas"
    invite(store, demo, path)
    before = dump_rows(machine_b)
    preview = ex(machine_b).preview_import(path)
    renamed = f"{DEMO_NAME} (this computer's own copy)"
    assert f"renamed {renamed!r}" in "\n".join(preview.lines())
    assert dump_rows(machine_b) == before  # a preview writes nothing
    done = ex(machine_b).import_bundle(path)
    assert done.joins and done.renamed
    with machine_b.read() as s:
        names = dict(s.execute(select(ProjectRow.id, ProjectRow.name)).all())
    assert names == {own: renamed, demo.id: DEMO_NAME}  # both kept: nothing merged on a name


def test_a_shared_project_of_the_same_name_is_refused(
    store: Store, demo: Project, machine_b: Store, tmp_path: Path
):
    own = create_demo(machine_b)  # the same name, made separately: another id, and shared from B
    zed = add_member(machine_b, own, "Zed")
    ex(machine_b).invite_computer(own, "Zed's laptop", [zed], tmp_path / "zed.canvas")
    path = tmp_path / "a.canvas"
    invite(store, demo, path)
    before = dump_rows(machine_b)
    with pytest.raises(BundleError, match="already has a different project called"):
        ex(machine_b).import_bundle(path)
    with pytest.raises(BundleError, match="rename one"):
        ex(machine_b).preview_import(path)
    assert dump_rows(machine_b) == before


def test_a_new_member_with_a_name_already_here_is_kept_apart_and_flagged(
    store: Store, demo: Project, machine_b: Store, tmp_path: Path
):
    send(store, machine_b, tmp_path / "a.canvas", demo.id)
    zed_b = add_member(machine_b, demo.id, "Zed")  # made on B by hand
    zed_a = add_member(store, demo.id, "Zed")  # and by the facilitator: another person, another id
    preview = send(store, machine_b, tmp_path / "a2.canvas", demo.id, since=machine_b)
    assert preview.same_name == [("Zed", "Zed 1")] and preview.new_members == ["Zed 1"]
    assert "Two members called Zed" in "\n".join(preview.lines())
    with machine_b.read() as s:
        names = dict(s.execute(select(Member.id, Member.display_name)
                               .where(Member.display_name.like("Zed%"))).all())
    assert names == {zed_b: "Zed", zed_a: "Zed 1"}  # nothing merged on a name


def test_two_definitions_for_one_prompt_become_one_with_sibling_versions(
    store: Store, demo: Project, machine_b: Store, tmp_path: Path
):
    send(store, machine_b, tmp_path / "a0.canvas", demo.id)
    sa, sb = Services.build(store), Services.build(machine_b)
    va = sa.drafts.save_version(demo.member("Alex"), demo.future, "Future, as A wrote it", None).record_id
    vb = sb.drafts.save_version(demo.member("Sam"), demo.future, "Future, as B wrote it", None).record_id
    assert ids(store, Definition) != ids(machine_b, Definition)

    preview = send(machine_b, store, tmp_path / "b.canvas", demo.id)
    assert preview.new["definition"] == 0 and preview.new["draft_version"] == 1
    versions = sa.drafts.list_versions(demo.future)
    assert {v.id for v in versions} == {va, vb}
    assert len({v.definition_id for v in versions}) == 1
    assert [s.id for s in sa.drafts.siblings(va)] == [vb]

    send(store, machine_b, tmp_path / "a1.canvas", demo.id)
    assert {v.id for v in sb.drafts.list_versions(demo.future)} == {va, vb}
    # Later versions written on B, in B's own definition, still find their place on A.
    vb2 = sb.drafts.save_version(demo.member("Sam"), demo.future, "B again", vb).record_id
    send(machine_b, store, tmp_path / "b2.canvas", demo.id, since=store)
    assert vb2 in {v.id for v in sa.drafts.list_versions(demo.future)}
    assert dump_rows(store, canonical=True) == dump_rows(machine_b, canonical=True)


def test_the_newer_me_too_and_stance_win_whichever_side_has_them(
    store: Store, demo: Project, machine_b: Store, tmp_path: Path
):
    send(store, machine_b, tmp_path / "a0.canvas", demo.id)
    sa, sb = Services.build(store), Services.build(machine_b)
    alex, kai = demo.member("Alex"), demo.member("Kai")
    contribution = sa.contributions.list_for_prompt(demo.now)[0].id
    version = sa.drafts.current_version(demo.now).id
    # Each side makes its own row (different ids) for the same member and target; B's are newer.
    sa.contributions.endorse(kai, contribution, True)
    sa.drafts.set_stance(alex, version, "agree")
    sb.contributions.endorse(kai, contribution, True)
    sb.contributions.endorse(kai, contribution, False)
    sb.drafts.set_stance(alex, version, "disagree", "not yet")

    preview = send(machine_b, store, tmp_path / "b.canvas", demo.id)
    assert preview.updated == {"endorsement": 1, "stance": 1}

    def state(s: Store) -> tuple:
        with s.read() as r:
            e = r.scalar(select(Endorsement).where(Endorsement.contribution_id == contribution,
                                                   Endorsement.member_id == kai))
            st = r.scalar(select(Stance).where(Stance.version_id == version, Stance.member_id == alex))
            return (e.id, e.active, st.id, st.position, st.reason)

    assert state(store) == state(machine_b)
    assert state(store)[1:2] == (False,) and state(store)[3:] == ("disagree", "not yet")
    # The older versions coming back change nothing.
    assert send(store, machine_b, tmp_path / "a1.canvas", demo.id).updated == {"endorsement": 0, "stance": 0}
    assert state(store) == state(machine_b)
    # The same row changed later on A travels to B as an update of that row.
    sa.drafts.set_stance(alex, version, "unsure")
    assert send(store, machine_b, tmp_path / "a2.canvas", demo.id).updated["stance"] == 1
    assert state(machine_b)[3] == "unsure"


# --- the round trip ------------------------------------------------------------------------


def test_round_trip_a_to_b_and_back(store: Store, demo: Project, machine_b: Store, tmp_path: Path):
    sa, sb = Services.build(store), Services.build(machine_b)
    first = send(store, machine_b, tmp_path / "1.canvas", demo.id, since=machine_b)
    assert first.scope == "whole" and first.project_is_new
    assert dump_rows(store, canonical=True) == dump_rows(machine_b, canonical=True)

    # Both machines work offline on the same project.
    v0 = sa.drafts.current_version(demo.now).id
    on_a = sa.drafts.save_version(demo.member("Priya"), demo.now, "A's edit", v0).record_id
    on_b = sb.drafts.save_version(demo.member("Jordan"), demo.now, "B's edit", v0).record_id
    sb.contributions.add(demo.member("Sam"), demo.now, "heard at last")
    sb.contributions.add(demo.member("Kai"), demo.future, "a quiet one", anonymous=True)
    taken_back = next(c for c in sb.contributions.list_for_prompt(demo.now) if c.endorsements)
    with machine_b.read() as s:
        endorser = s.scalar(select(Endorsement.member_id).where(
            Endorsement.contribution_id == taken_back.id, Endorsement.active.is_(True)))
    sb.contributions.endorse(endorser, taken_back.id, False)
    sb.drafts.comment(demo.member("Alex"), on_b, "I like this one")
    sa.drafts.set_stance(demo.member("Kai"), on_a, "agree")

    back = send(machine_b, store, tmp_path / "2.canvas", demo.id, since=store)
    assert back.sender == "Laptop" and not back.unsigned
    assert back.new["contribution"] == 2 and back.new["draft_version"] == 1
    assert back.new["comment"] == 1 and back.updated["endorsement"] == 1
    assert back.authors["anonymous"] == 1
    again = send(store, machine_b, tmp_path / "3.canvas", demo.id, since=machine_b)
    assert again.new["draft_version"] == 1 and again.new["stance"] == 1

    # The same records on both machines. A member's own settings (here Kai's "anonymous by
    # default", set by the anonymous keyword on B) are never overwritten by an import.
    assert shared(store) == shared(machine_b)
    assert dump_rows(store, canonical=True) != dump_rows(machine_b, canonical=True)
    assert sa.contributions.list_for_prompt(demo.now) == sb.contributions.list_for_prompt(demo.now)
    assert {v.id for v in sa.drafts.siblings(on_a)} == {on_b}  # the concurrent edits are siblings
    tile = next(c for c in sa.contributions.list_for_prompt(demo.now) if c.id == taken_back.id)
    assert tile.endorsements == taken_back.endorsements - 1
    with store.read() as s:
        logged = s.execute(select(BundleLog.direction, BundleLog.machine_id)).all()
    b_id = machine_of(machine_b, demo.id)
    assert sorted(logged) == sorted([("sent", b_id)] * 2 + [("received", b_id)])
    machines = ex(store).known_machines(demo.id)
    assert [m.machine_id for m in machines] == [b_id]
    assert machines[0].last_sent and machines[0].last_received
