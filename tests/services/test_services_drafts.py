"""The service layer: draft versions, stances and comments."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.services.container import Services
from app.services.errors import DomainError
from app.services.group.demo import FACILITATOR, NOW_DRAFT
from app.store.database import Store
from app.store.models import Definition, DraftVersion, Stance

from .conftest import Project
from .helpers import first_version


def test_saving_twice_makes_two_versions(store: Store, services: Services, demo: Project, counts):
    sam, jordan = demo.member("Sam"), demo.member("Jordan")
    before = counts()
    first = services.drafts.save_version(sam, demo.future, "Care that knows us.", None, "first go")
    second = services.drafts.save_version(
        jordan, demo.future, "Care that knows and asks us.", first.record_id
    )
    after = counts()
    assert after["draft_version"] == before["draft_version"] + 2
    assert after["definition"] == before["definition"] + 1

    versions = services.drafts.list_versions(demo.future)
    assert [v.id for v in versions] == [first.record_id, second.record_id]
    assert versions[0].text == "Care that knows us." and versions[0].parent_id is None
    assert versions[0].note == "first go" and versions[0].author == "Sam"
    assert versions[1].parent_id == first.record_id and versions[1].author == "Jordan"
    assert versions[0].definition_id == versions[1].definition_id
    assert services.drafts.current_version(demo.future) == versions[1]
    with store.read() as s:
        assert s.get(DraftVersion, first.record_id).text == "Care that knows us."
        assert s.scalar(select(Definition.prompt_id).where(Definition.id == versions[0].definition_id)) \
            == demo.future


def test_saving_the_same_text_again_still_adds_a_version(services: Services, demo: Project):
    first = first_version(services, demo.now)
    services.drafts.save_version(demo.member("Sam"), demo.now, NOW_DRAFT, first)
    texts = [v.text for v in services.drafts.list_versions(demo.now)]
    assert texts == [NOW_DRAFT, NOW_DRAFT]


def test_parent_from_another_definition_is_refused(services: Services, demo: Project, counts):
    services.drafts.save_version(demo.member("Sam"), demo.future, "Future text", None)
    now_parent = first_version(services, demo.now)
    before = counts()
    with pytest.raises(DomainError, match="another definition"):
        services.drafts.save_version(demo.member("Sam"), demo.future, "Mixed up", now_parent)
    assert counts() == before


def test_stances_set_change_and_list(store: Store, services: Services, demo: Project, counts):
    version = first_version(services, demo.now)
    sam, alex = demo.member("Sam"), demo.member("Alex")
    services.drafts.set_stance(sam, version, "agree")
    assert [(st.member, st.position, st.reason) for st in services.drafts.list_stances(version)] == [
        ("Sam", "agree", "")]

    before = counts()
    services.drafts.set_stance(sam, version, "disagree", "It misses waiting lists.")
    assert counts()["stance"] == before["stance"]
    services.drafts.set_stance(alex, version, "unsure")
    stances = services.drafts.list_stances(version)
    assert [(st.member, st.member_id, st.position, st.reason) for st in stances] == [
        ("Alex", alex, "unsure", ""),
        ("Sam", sam, "disagree", "It misses waiting lists."),
    ]
    assert all(st.version_id == version for st in stances)
    # A stance belongs to one version: a new version starts with none.
    newer = services.drafts.save_version(alex, demo.now, "Shorter text.", version).record_id
    assert services.drafts.list_stances(newer) == []
    with store.read() as s:
        assert len(s.scalars(select(Stance).where(Stance.version_id == version)).all()) == 2


def test_comments(services: Services, demo: Project):
    version = first_version(services, demo.now)
    services.drafts.comment(demo.member("Priya"), version, "Add 'waiting'.")
    services.drafts.comment(demo.facilitator, version, "Shall we vote?")
    comments = services.drafts.list_comments(version)
    assert [(c.author, c.text) for c in comments] == [
        ("Priya", "Add 'waiting'."), (FACILITATOR, "Shall we vote?")]
    assert len({c.id for c in comments}) == 2
