"""A member's real name: typed by the facilitator, kept on this machine, erased on withdrawal."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services.container import Services
from app.services.errors import DomainError, NotFound
from app.services.group.demo import PARTICIPANTS
from app.services.review.facilitator import FacilitatorLocked
from app.services.review.review_dto import FacilitatorSession
from app.store.database import Store
from app.store.models import Member

from .conftest import Project
from .helpers import one_event

REAL = "Alexandra Quietname"



def real_name(store: Store, member_id: str) -> str | None:
    with store.read() as s:
        return s.scalar(select(Member.real_name).where(Member.id == member_id))


def test_set_change_and_erase_a_real_name(store: Store, services: Services, demo: Project,
                                          fs: FacilitatorSession, event_ids):
    alex = demo.member("Alex")
    before = event_ids()
    outcome = services.participants.set_real_name(fs, alex, f"  {REAL} ")
    assert outcome.message == "Real name saved for Alex." and real_name(store, alex) == REAL
    event = one_event(store, before)
    assert (event.action, event.target_id, event.detail) == ("real_name_set", alex, {"erased": False})
    assert REAL not in repr(event.detail)  # the audit log never holds the name itself
    info = next(m for m in services.participants.list_members(fs) if m.id == alex)
    assert info.real_name == REAL and info.display_name == "Alex"
    services.participants.set_real_name(fs, alex, "Alexandra Q. Other")
    assert real_name(store, alex) == "Alexandra Q. Other"
    assert services.participants.set_real_name(fs, alex, "  ").message == "Real name erased for Alex."
    assert real_name(store, alex) is None
    # Participants' own lists never carry it.
    assert not hasattr(services.projects.list_members(demo.id)[0], "real_name")


@pytest.mark.parametrize("bad", [123, "x" * 201, "nul\x00name", "\ud800"])
def test_bad_real_names_are_refused_and_write_nothing(services: Services, demo: Project,
                                                      fs: FacilitatorSession, counts, bad):
    before = counts()
    with pytest.raises(DomainError):
        services.participants.set_real_name(fs, demo.member("Alex"), bad)
    assert counts() == before


def test_real_names_need_the_facilitator_and_a_member_here(services: Services, demo: Project, other: Project,
                                                          fs: FacilitatorSession, counts):
    before = counts()
    with pytest.raises(FacilitatorLocked):
        services.participants.set_real_name(None, demo.member("Alex"), REAL)
    with pytest.raises(NotFound):
        services.participants.set_real_name(fs, other.member("Alex"), REAL)
    with pytest.raises(DomainError, match="Nothing to change"):
        services.participants.set_real_name(fs, demo.member("Alex"), None)
    assert counts() == before
    services.participants.withdraw(fs, demo.member("Kai"), "anonymise")
    before = counts()
    with pytest.raises(NotFound):
        services.participants.set_real_name(fs, demo.member("Kai"), REAL)
    assert counts() == before


@pytest.mark.parametrize("mode", ["delete", "anonymise"])
def test_withdrawal_erases_the_real_name_and_its_mentions(store: Store, services: Services, demo: Project,
                                                          fs: FacilitatorSession, mode: str):
    alex, sam = demo.member("Alex"), demo.member("Sam")
    services.participants.set_real_name(fs, alex, REAL)
    version = services.drafts.current_version(demo.now).id
    services.drafts.comment(sam, version, f"{REAL.lower()} said it best")
    preview = services.participants.withdrawal_preview(fs, alex, mode)
    assert any(REAL.lower() in item.text for item in preview.items if item.kind == "mentions")
    services.participants.withdraw(fs, alex, mode)
    assert real_name(store, alex) is None
    comments = services.drafts.list_comments(version)
    assert [c.text for c in comments if c.author == "Sam"] == ["[name removed] said it best"]


def test_real_names_never_travel_in_a_bundle(services: Services, demo: Project, fs: FacilitatorSession,
                                             tmp_path: Path):
    services.participants.set_real_name(fs, demo.member("Alex"), REAL)
    services.exchange.export_bundle(demo.id, tmp_path / "all.canvas")
    with zipfile.ZipFile(tmp_path / "all.canvas") as zf:
        parts = [zf.read(name) for name in zf.namelist()]
    assert not any(REAL.encode() in part for part in parts)
    records = [r for part in parts for r in _records(json.loads(part))]
    members = [r for r in records if "display_name" in r and "role" in r]
    assert len(members) == len(PARTICIPANTS) + 1 and not any("real_name" in m for m in members)


def _records(value: object) -> list[dict]:
    """Every JSON object in a bundle part, however the part nests them."""
    if isinstance(value, dict):
        return [value, *(r for v in value.values() for r in _records(v))]
    if isinstance(value, list):
        return [r for v in value for r in _records(v)]
    return []
