"""The service layer: in-progress text and undo."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.services.container import Services
from app.services.dto import InProgress
from app.services.errors import DomainError
from app.services.group.demo import FACILITATOR, FUTURE_KEYWORDS
from app.store.database import Store
from app.store.models import Event

from .conftest import Project
from .helpers import first_version, tile


@pytest.mark.parametrize(
    "text",
    [
        "half a thou",
        "Café naïve — “quoted” 日本語 ✓",
        "emoji 👩🏽‍🦯 and flags 🇬🇧 and 🧑‍🤝‍🧑",
        "e\u0301 combining, \u200bzero width, rtl \u05e9\u05dc\u05d5\u05dd",
        "  leading and trailing spaces  ",
        "lines\r\nwith\rdifferent\nendings\n",
    ],
)
def test_in_progress_text_round_trips_exactly(services: Services, demo: Project, text: str):
    alex = demo.member("Alex")
    target = f"contribution:{demo.now}"
    for cursor in (0, len(text) // 2, len(text)):
        services.inprogress.save(alex, target, text, cursor)
        assert services.inprogress.load(alex, target) == InProgress(target, text, cursor)


def test_in_progress_save_load_clear(services: Services, demo: Project, counts, event_ids):
    alex, sam = demo.member("Alex"), demo.member("Sam")
    target = f"definition:{demo.now}"
    assert services.inprogress.load(alex, target) is None
    events = event_ids()

    assert services.inprogress.save(alex, target, "first", 5) is True
    services.inprogress.save(alex, target, "first words", 3)
    assert counts()["in_progress_text"] == 1
    assert services.inprogress.load(alex, target) == InProgress(target, "first words", 3)
    assert services.inprogress.load(sam, target) is None
    assert services.inprogress.load(alex, "other") is None

    services.inprogress.save(sam, target, "Sam's own", 0)
    services.inprogress.clear(alex, target)
    assert services.inprogress.load(alex, target) is None
    assert services.inprogress.load(sam, target) == InProgress(target, "Sam's own", 0)
    assert counts()["in_progress_text"] == 1
    services.inprogress.clear(alex, target)  # clearing twice is harmless
    services.inprogress.save(alex, target, "", 0)  # saving empty text clears too
    assert services.inprogress.load(alex, target) is None
    # Autosave happens at every selection; it is not an audited action.
    assert event_ids() == events


# --- undo ----------------------------------------------------------------------------------


def test_undo_contribution_removes_it(store: Store, services: Services, demo: Project, counts):
    alex, sam = demo.member("Alex"), demo.member("Sam")
    before = counts()
    added = services.contributions.add(alex, demo.future, "short of staff")
    services.contributions.endorse(sam, added.record_id)

    outcome = services.undo.undo(alex, added.undo_token)

    assert "short of staff" in outcome.message
    assert [c.text for c in services.contributions.list_for_prompt(demo.future)] == list(FUTURE_KEYWORDS)
    after = counts()
    assert after["contribution"] == before["contribution"]
    assert after["endorsement"] == before["endorsement"], "its me toos go with it"
    assert after["event"] == before["event"] + 3  # added, endorsed, undone
    with store.read() as s:
        original = s.get(Event, added.undo_token)
        assert "undone" not in original.detail, "the audit log is append-only: the entry stays as it was"
        undone = s.scalars(select(Event).where(Event.action == "undone")).one()
        assert undone.detail["undone_event"] == added.undo_token


def test_undo_anonymous_contribution_by_its_author(services: Services, demo: Project):
    kai = demo.member("Kai")
    added = services.contributions.add(kai, demo.now, "forgotten", anonymous=True)
    services.undo.undo(kai, added.undo_token)
    assert "forgotten" not in [c.text for c in services.contributions.list_for_prompt(demo.now)]


def test_undo_endorsement(services: Services, demo: Project):
    cid = services.contributions.add(demo.member("Alex"), demo.future, "kindness").record_id
    sam = demo.member("Sam")
    on = services.contributions.toggle_endorsement(sam, cid)
    services.undo.undo(sam, on.undo_token)
    assert tile(services, demo.future, "kindness", viewer=sam).endorsed_by_viewer is False
    assert tile(services, demo.future, "kindness").endorsements == 0

    services.contributions.toggle_endorsement(sam, cid)
    off = services.contributions.toggle_endorsement(sam, cid)
    services.undo.undo(sam, off.undo_token)
    info = tile(services, demo.future, "kindness", viewer=sam)
    assert (info.endorsements, info.endorsed_by_viewer) == (1, True)


def test_undo_profile_change_restores_the_previous_profile(services: Services, demo: Project):
    alex = demo.member("Alex")
    first = services.projects.save_profile(alex, {"scan_mode": "step", "step_time": 1.5})
    second = services.projects.save_profile(alex, {"scan_mode": "auto", "theme": "dark"})
    assert services.projects.get_member(alex).profile == {"scan_mode": "auto", "theme": "dark"}
    services.undo.undo(alex, second.undo_token)
    assert services.projects.get_member(alex).profile == {"scan_mode": "step", "step_time": 1.5}
    services.undo.undo(alex, first.undo_token)
    assert services.projects.get_member(alex).profile == {}


def test_undoing_a_settings_change_keeps_the_phrases_saved_since(services: Services, demo: Project):
    alex = demo.member("Alex")
    token = services.projects.save_profile(alex, {"scan_mode": "auto"}).undo_token
    services.phrases.save(alex, "I agree with that")
    services.undo.undo(alex, token)
    assert services.phrases.list(alex) == ["I agree with that"]
    assert services.projects.get_member(alex).profile.get("scan_mode") in (None, "off")


def test_unchanged_profile_writes_nothing(services: Services, demo: Project, counts):
    alex = demo.member("Alex")
    services.projects.save_profile(alex, {"theme": "dark"})
    before = counts()
    outcome = services.projects.save_profile(alex, {"theme": "dark"})
    assert outcome.undo_token is None
    assert counts() == before


def test_undo_stance_removes_a_first_stance(services: Services, demo: Project):
    version = first_version(services, demo.now)
    sam = demo.member("Sam")
    outcome = services.drafts.set_stance(sam, version, "agree")
    services.undo.undo(sam, outcome.undo_token)
    assert services.drafts.list_stances(version) == []


def test_undo_stance_restores_the_previous_one(services: Services, demo: Project):
    version = first_version(services, demo.now)
    sam = demo.member("Sam")
    services.drafts.set_stance(sam, version, "agree", "Clear enough")
    changed = services.drafts.set_stance(sam, version, "disagree", "On reflection, no")
    services.undo.undo(sam, changed.undo_token)
    [stance] = services.drafts.list_stances(version)
    assert (stance.position, stance.reason) == ("agree", "Clear enough")


def test_double_undo_is_refused(services: Services, demo: Project, counts):
    alex = demo.member("Alex")
    outcome = services.projects.save_profile(alex, {"theme": "dark"})
    services.undo.undo(alex, outcome.undo_token)
    before = counts()
    with pytest.raises(DomainError, match="already"):
        services.undo.undo(alex, outcome.undo_token)
    assert counts() == before
    assert services.projects.get_member(alex).profile == {}


def test_another_member_cannot_undo_an_anonymous_contribution(services: Services, demo: Project, counts):
    """Even holding Kai's own token, Sam cannot remove Kai's anonymous keyword; Kai can."""
    token = services.contributions.add(demo.member("Kai"), demo.now, "secret", anonymous=True).undo_token
    before = counts()
    for who in ("Sam", FACILITATOR):
        with pytest.raises(DomainError, match="Only"):
            services.undo.undo(demo.member(who), token)
    assert counts() == before
    services.undo.undo(demo.member("Kai"), token)
    assert "secret" not in [c.text for c in services.contributions.list_for_prompt(demo.now)]


def test_an_anonymous_undo_needs_its_secret(store: Store, services: Services, demo: Project, counts):
    """The bare audit-entry id (what anyone reading the log sees) does not undo it, even for Kai,
    and the entry names nobody: the author cannot be tested against it without the secret."""
    kai = demo.member("Kai")
    token = services.contributions.add(kai, demo.now, "mine alone", anonymous=True).undo_token
    event_id, secret = token.split(".")
    before = counts()
    for attempt in (event_id, f"{event_id}.{'0' * len(secret)}", f"{event_id}."):
        with pytest.raises(DomainError, match="Only"):
            services.undo.undo(kai, attempt)
    assert counts() == before
    with store.read() as s:
        event = s.get(Event, event_id)
        assert event.member_id is None and kai not in str(event.detail)


def _alex_contribution(sv: Services, d: Project) -> str:
    return sv.contributions.add(d.member("Alex"), d.now, "mine").undo_token


def _alex_endorsement(sv: Services, d: Project) -> str:
    cid = sv.contributions.list_for_prompt(d.now)[0].id
    return sv.contributions.toggle_endorsement(d.member("Alex"), cid).undo_token


def _alex_profile(sv: Services, d: Project) -> str:
    return sv.projects.save_profile(d.member("Alex"), {"theme": "dark"}).undo_token


def _alex_stance(sv: Services, d: Project) -> str:
    return sv.drafts.set_stance(d.member("Alex"), first_version(sv, d.now), "agree").undo_token


@pytest.mark.parametrize(
    "make_token", [_alex_contribution, _alex_endorsement, _alex_profile, _alex_stance],
    ids=["contribution", "endorsement", "profile", "stance"],
)
@pytest.mark.parametrize("who", ["Sam", FACILITATOR])
def test_another_member_cannot_undo(services: Services, demo: Project, counts, make_token, who: str):
    token = make_token(services, demo)
    before = counts()
    with pytest.raises(DomainError, match="Only"):
        services.undo.undo(demo.member(who), token)
    assert counts() == before
    services.undo.undo(demo.member("Alex"), token)  # the owner still can
