"""A participant's computer sends its own members' work, and only work the facilitator can take.

P was invited for Sam and Alex. Kai, who does not use P, wrote there anyway (before the members
screen listed only P's members, or through the services): Kai's records never leave P, and the
records of Sam's that answer them (a "me too" on Kai's keyword, a comment on it, a stance on
Kai's version, a version built on it) stay on P with them. Before, they went and the
facilitator refused the whole bundle for a reference to nothing; now it takes the rest.
"""

from __future__ import annotations

import zipfile

from sqlalchemy import select

from app.store.models import Comment, Contribution, DraftVersion, Endorsement, Stance
from tests.stress.forgery import World, dump


def _ids(world: World, on: str, model) -> set[str]:
    with (world.f if on == "f" else world.p).read() as s:
        return set(s.scalars(select(model.id)))


def test_work_that_answers_someone_who_does_not_use_the_computer_stays_there(world: World):
    ps, fs = world.ps, world.fs
    ps.exchange.import_bundle(world.fac_bundle)  # P now has Kai's keyword from the meeting (via F)
    at_meeting = next(c.id for c in ps.contributions.list_for_prompt(world.now)
                      if c.text == "said at the meeting")
    kais = ps.contributions.add(world.kai, world.now, "Kai wrote this at Sam's").record_id
    ps.contributions.endorse(world.sam, kais, True)  # answers Kai's keyword made here: stays
    ps.contributions.endorse(world.sam, at_meeting, True)  # answers one F has: goes
    current = ps.drafts.current_version(world.now).id
    kai_version = ps.drafts.save_version(world.kai, world.now, "Kai's text", current).record_id
    sam_on_kai = ps.drafts.save_version(world.sam, world.now, "Sam builds on Kai", kai_version).record_id
    alex_on_sam = ps.drafts.save_version(world.alex, world.now, "Alex builds on Sam", sam_on_kai).record_id
    ps.drafts.set_stance(world.sam, kai_version, "agree", "yes")
    ps.drafts.comment(world.alex, kai_version, "Alex on Kai's text")
    sam_own = ps.drafts.save_version(world.sam, world.now, "Sam's own text", current).record_id

    result = ps.exchange.export_bundle(world.project, world.root / "sam-again.canvas")
    assert result.kept_back == 5  # the "me too", two versions, the stance, the comment
    assert "5 of their records stay on this computer" in result.message
    with zipfile.ZipFile(result.path) as zf:
        carried = b"".join(zf.read(n) for n in zf.namelist())
    for held in (kais, kai_version, sam_on_kai, alex_on_sam, b"Alex on Kai's text"):
        assert (held if isinstance(held, bytes) else held.encode()) not in carried

    preview = fs.exchange.preview_import(result.path)  # refused whole before: a reference to nothing
    assert preview.sender == "Sam's laptop"
    fs.exchange.import_bundle(result.path)
    assert kais not in _ids(world, "f", Contribution)
    assert {sam_own} <= _ids(world, "f", DraftVersion)
    assert not {kai_version, sam_on_kai, alex_on_sam} & _ids(world, "f", DraftVersion)
    with world.f.read() as s:
        sams = set(s.execute(select(Endorsement.contribution_id, Endorsement.active)
                             .where(Endorsement.member_id == world.sam)).all())
        assert (at_meeting, True) in sams and all(c != kais for c, _ in sams)
        assert not s.scalar(select(Stance.id).where(Stance.version_id == kai_version))
        assert not s.scalar(select(Comment.id).where(Comment.version_id == kai_version))
    # and P keeps all of it: nothing written there is lost
    assert {kai_version, sam_on_kai, alex_on_sam, sam_own} <= _ids(world, "p", DraftVersion)
    before = dump(world.db("f"))
    assert fs.exchange.import_bundle(result.path).total_new == 0 and dump(world.db("f")) == before


def test_nothing_to_hold_back_when_only_the_computer_s_members_wrote_there(world: World):
    result = world.ps.exchange.export_bundle(world.project, world.root / "plain.canvas")
    assert result.kept_back == 0 and "stay on this computer" not in result.message
    assert world.fs.exchange.import_bundle(result.path).new["contribution"] == 1
