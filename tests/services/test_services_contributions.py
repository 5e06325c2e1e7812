"""The service layer: contributions, endorsements and duplicates."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.services.container import Services
from app.store.database import Store
from app.store.models import Contribution, Endorsement

from .conftest import Project
from .helpers import one_event, tile

# --- contributions -------------------------------------------------------------------------


def test_text_is_stored_exactly_as_given(services: Services, demo: Project):
    text = "  Being  known\tby name  "
    outcome = services.contributions.add(demo.member("Alex"), demo.now, text, kind="phrase")
    info = tile(services, demo.now, text)
    assert info.id == outcome.record_id and info.kind == "phrase" and info.author == "Alex"


@pytest.mark.parametrize(
    "again",
    ["treated AS a person", "  treated   as a person ", "Treated\tas a Person", "TREATED\nAS A PERSON"],
)
def test_duplicate_text_becomes_a_me_too(store: Store, services: Services, demo: Project, counts,
                                         event_ids, again: str):
    first = services.contributions.add(demo.member("Alex"), demo.future, "Treated as a person")
    before, events = counts(), event_ids()

    outcome = services.contributions.add(demo.member("Sam"), demo.future, again)

    assert outcome.record_id == first.record_id
    assert "Already here" in outcome.message
    after = counts()
    assert after["contribution"] == before["contribution"]
    assert after["endorsement"] == before["endorsement"] + 1
    assert one_event(store, events).action == "endorsement_set"
    info = tile(services, demo.future, "Treated as a person", viewer=demo.member("Sam"))
    assert info.endorsements == 1 and info.endorsed_by_viewer
    author_view = tile(services, demo.future, "Treated as a person", viewer=demo.member("Alex"))
    assert not author_view.endorsed_by_viewer
    # The me too can be undone with the token the duplicate returned.
    services.undo.undo(demo.member("Sam"), outcome.undo_token)
    assert tile(services, demo.future, "Treated as a person").endorsements == 0


def test_same_text_on_another_prompt_is_not_a_duplicate(services: Services, demo: Project):
    services.contributions.add(demo.member("Alex"), demo.future, "unheard")
    assert tile(services, demo.future, "unheard").author == "Alex"
    assert tile(services, demo.now, "unheard").author == "Alex"  # the demo's own
    assert len([c for c in services.contributions.list_for_prompt(demo.future) if c.text == "unheard"]) == 1


def test_anonymous_contribution_has_no_author_anywhere(store: Store, services: Services, demo: Project,
                                                       event_ids):
    jordan = demo.member("Jordan")
    before = event_ids()
    outcome = services.contributions.add(jordan, demo.now, "I was not asked", kind="phrase", anonymous=True)

    assert tile(services, demo.now, "I was not asked").author is None
    with store.read() as s:
        assert s.get(Contribution, outcome.record_id).member_id is None
    event = one_event(store, before)
    assert event.member_id is None
    assert jordan not in json.dumps(event.detail) and jordan not in (event.target_id or "")


def test_contribution_can_name_its_meeting(store: Store, services: Services, demo: Project):
    outcome = services.contributions.add(demo.member("Alex"), demo.now, "waiting", meeting_id=demo.meeting)
    with store.read() as s:
        assert s.get(Contribution, outcome.record_id).meeting_id == demo.meeting


def test_anonymous_choice_is_remembered(services: Services, demo: Project):
    kai = demo.member("Kai")
    assert services.projects.get_member(kai).anonymous_default is False
    services.contributions.add(kai, demo.now, "one", anonymous=True)
    assert services.projects.get_member(kai).anonymous_default is True
    services.contributions.add(kai, demo.now, "two", anonymous=True)
    assert services.projects.get_member(kai).anonymous_default is True
    services.contributions.add(kai, demo.now, "three", anonymous=False)
    assert services.projects.get_member(kai).anonymous_default is False
    assert services.projects.get_member(demo.member("Alex")).anonymous_default is False


# --- endorsements --------------------------------------------------------------------------


def test_endorsement_toggles_on_and_off(services: Services, demo: Project, counts):
    cid = services.contributions.add(demo.member("Alex"), demo.future, "listened to").record_id
    sam, priya = demo.member("Sam"), demo.member("Priya")

    services.contributions.toggle_endorsement(sam, cid)
    info = tile(services, demo.future, "listened to", viewer=sam)
    assert (info.endorsements, info.endorsed_by_viewer) == (1, True)
    assert tile(services, demo.future, "listened to", viewer=priya).endorsed_by_viewer is False
    assert tile(services, demo.future, "listened to").endorsed_by_viewer is False

    services.contributions.toggle_endorsement(priya, cid)
    assert tile(services, demo.future, "listened to", viewer=priya).endorsements == 2

    services.contributions.toggle_endorsement(sam, cid)
    info = tile(services, demo.future, "listened to", viewer=sam)
    assert (info.endorsements, info.endorsed_by_viewer) == (1, False)

    rows = counts()["endorsement"]
    services.contributions.toggle_endorsement(sam, cid)  # back on: the same row is reused
    assert counts()["endorsement"] == rows
    assert tile(services, demo.future, "listened to", viewer=sam).endorsements == 2


def test_endorse_is_idempotent_and_a_no_op_writes_nothing(services: Services, demo: Project, counts):
    cid = services.contributions.add(demo.member("Alex"), demo.future, "respect").record_id
    sam = demo.member("Sam")
    services.contributions.endorse(sam, cid, True)
    before = counts()
    outcome = services.contributions.endorse(sam, cid, True)
    assert outcome.undo_token is None and "already" in outcome.message
    assert counts() == before
    services.contributions.endorse(sam, cid, False)
    before = counts()
    assert services.contributions.endorse(sam, cid, False).undo_token is None
    assert counts() == before
    assert tile(services, demo.future, "respect").endorsements == 0


def test_demo_endorsement_counts_match_the_rows(store: Store, services: Services, demo: Project):
    with store.read() as s:
        rows = s.scalars(select(Endorsement).where(Endorsement.active.is_(True))).all()
    listed = services.contributions.list_for_prompt(demo.now) + services.contributions.list_for_prompt(
        demo.future)
    assert sum(c.endorsements for c in listed) == len(rows)
    for c in listed:
        assert c.endorsements == sum(1 for r in rows if r.contribution_id == c.id)
