"""The service layer: one Event per action, plain values out, nothing written on bad input."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from app.services.container import Services
from app.services.demo import (
    DEMO_NAME,
    FACILITATOR,
    FUTURE_KEYWORDS,
    NOW_DRAFT,
    NOW_KEYWORDS,
    PARTICIPANTS,
    create_demo,
)
from app.services.dto import ContributionInfo, InProgress, Outcome
from app.services.errors import DomainError
from app.store.database import Store
from app.store.models import (
    MAX_CONTRIBUTION,
    MAX_DRAFT,
    Base,
    Contribution,
    Definition,
    DraftVersion,
    Endorsement,
    Event,
    Member,
    Stance,
    utcnow,
)

from .conftest import Project

UNKNOWN = str(uuid.uuid4())


# --- helpers -------------------------------------------------------------------------------


def assert_plain(value: Any) -> None:
    """A dataclass (or list of them) holding plain values: never an ORM object."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        assert dataclasses.is_dataclass(item) and not isinstance(item, type), item
        assert not isinstance(item, Base)
        for field in dataclasses.fields(item):
            assert not isinstance(getattr(item, field.name), Base), field.name


def new_events(store: Store, before: set[str]) -> list[Event]:
    with store.read() as s:
        return [e for e in s.scalars(select(Event)) if e.id not in before]


def one_event(store: Store, before: set[str]) -> Event:
    events = new_events(store, before)
    assert len(events) == 1, [e.action for e in events]
    return events[0]


def tile(services: Services, prompt_id: str, text: str, viewer: str | None = None) -> ContributionInfo:
    return next(c for c in services.contributions.list_for_prompt(prompt_id, viewer) if c.text == text)


def first_version(services: Services, prompt_id: str) -> str:
    version = services.drafts.current_version(prompt_id)
    assert version is not None
    return version.id


# --- the demo project ----------------------------------------------------------------------


def test_demo_project_contents(services: Services, demo: Project):
    assert [p.name for p in services.projects.list_projects()] == [DEMO_NAME]
    assert services.projects.find_project(DEMO_NAME).id == demo.id

    members = services.projects.list_members(demo.id)
    assert [m.display_name for m in members] == [*PARTICIPANTS, FACILITATOR]
    assert [m.role for m in members] == ["participant"] * 5 + ["facilitator"]
    assert len(PARTICIPANTS) == 5

    now, future = services.projects.list_prompts(demo.id)
    assert (now.pair_role, future.pair_role) == ("now", "future")
    assert (now.paired_with_id, future.paired_with_id) == (future.id, now.id)
    assert [c.text for c in services.contributions.list_for_prompt(now.id)] == list(NOW_KEYWORDS)
    assert [c.text for c in services.contributions.list_for_prompt(future.id)] == list(FUTURE_KEYWORDS)
    assert all(c.kind == ("phrase" if " " in c.text else "keyword")
               for c in services.contributions.list_for_prompt(now.id))

    versions = services.drafts.list_versions(now.id)
    assert [v.text for v in versions] == [NOW_DRAFT] and versions[0].author == "Alex"
    assert services.drafts.list_versions(future.id) == []


def test_demo_is_created_once(store: Store, demo: Project, counts):
    before = counts()
    assert create_demo(store) == demo.id
    assert counts() == before


def test_list_members_puts_participants_before_the_facilitator(store: Store, services: Services,
                                                                demo: Project):
    # A facilitator with a low position still comes after every participant.
    with store.transaction() as s:
        s.get(Member, demo.facilitator).position = -5
        s.add(Member(project_id=demo.id, display_name="Zoe", role="participant", position=50))
    names = [m.display_name for m in services.projects.list_members(demo.id)]
    assert names == [*PARTICIPANTS, "Zoe", FACILITATOR]


def test_withdrawn_members_are_not_listed_and_cannot_act(store: Store, services: Services,
                                                         demo: Project, counts):
    with store.transaction() as s:
        s.get(Member, demo.member("Kai")).withdrawn_at = utcnow()
    assert "Kai" not in [m.display_name for m in services.projects.list_members(demo.id)]
    before = counts()
    with pytest.raises(DomainError, match="withdrawn"):
        services.contributions.add(demo.member("Kai"), demo.now, "still here")
    assert counts() == before


# --- one Event per action; plain values out --------------------------------------------------

Action = Callable[[Services, Project], Outcome]


def _contribution_of(services: Services, d: Project) -> str:
    return services.contributions.add(d.member("Alex"), d.now, "being listened to").record_id


def _undo_setup(services: Services, d: Project) -> Action:
    token = services.contributions.add(d.member("Alex"), d.now, "to be undone").undo_token
    return lambda sv, p: sv.undo.undo(p.member("Alex"), token)


def _stance_change_setup(services: Services, d: Project) -> Action:
    version = first_version(services, d.now)
    services.drafts.set_stance(d.member("Sam"), version, "agree")
    return lambda sv, p: sv.drafts.set_stance(p.member("Sam"), version, "disagree", "too vague")


def _endorse_off_setup(services: Services, d: Project) -> Action:
    cid = _contribution_of(services, d)
    services.contributions.endorse(d.member("Sam"), cid, True)
    return lambda sv, p: sv.contributions.toggle_endorsement(p.member("Sam"), cid)


ACTIONS: dict[str, tuple[Callable[[Services, Project], Action], str, str | None]] = {
    # name: (setup returning the action, expected Event.action, acting member or None)
    "add keyword": (
        lambda sv, d: lambda sv, p: sv.contributions.add(p.member("Alex"), p.now, "dignity"),
        "contribution_added", "Alex"),
    "add phrase": (
        lambda sv, d: lambda sv, p: sv.contributions.add(
            p.member("Sam"), p.future, "being asked first", kind="phrase"),
        "contribution_added", "Sam"),
    "add anonymous experience": (
        lambda sv, d: lambda sv, p: sv.contributions.add(
            p.member("Jordan"), p.now, "They talked over me.", kind="experience", anonymous=True),
        "contribution_added", None),
    "add duplicate": (
        lambda sv, d: lambda sv, p: sv.contributions.add(p.member("Kai"), p.now, "UNHEARD"),
        "endorsement_set", "Kai"),
    "toggle on": (
        lambda sv, d: (lambda cid: lambda sv, p: sv.contributions.toggle_endorsement(
            p.member("Sam"), cid))(_contribution_of(sv, d)),
        "endorsement_set", "Sam"),
    "toggle off": (_endorse_off_setup, "endorsement_set", "Sam"),
    "endorse": (
        lambda sv, d: (lambda cid: lambda sv, p: sv.contributions.endorse(
            p.member("Priya"), cid))(_contribution_of(sv, d)),
        "endorsement_set", "Priya"),
    "save first version": (
        lambda sv, d: lambda sv, p: sv.drafts.save_version(
            p.member("Sam"), p.future, "Care that knows us.", None),
        "version_saved", "Sam"),
    "save next version": (
        lambda sv, d: (lambda parent: lambda sv, p: sv.drafts.save_version(
            p.member("Jordan"), p.now, "Social care now leaves us unheard.", parent, "shorter"))(
            first_version(sv, d.now)),
        "version_saved", "Jordan"),
    "set stance": (
        lambda sv, d: (lambda v: lambda sv, p: sv.drafts.set_stance(p.member("Kai"), v, "unsure"))(
            first_version(sv, d.now)),
        "stance_set", "Kai"),
    "change stance": (_stance_change_setup, "stance_set", "Sam"),
    "comment": (
        lambda sv, d: (lambda v: lambda sv, p: sv.drafts.comment(p.member("Priya"), v, "Add 'waiting'."))(
            first_version(sv, d.now)),
        "comment_added", "Priya"),
    "save profile": (
        lambda sv, d: lambda sv, p: sv.projects.save_profile(p.member("Alex"), {"scan_mode": "step"}),
        "profile_changed", "Alex"),
    "undo": (_undo_setup, "undone", "Alex"),
}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_each_action_writes_exactly_one_event(store: Store, services: Services, demo: Project,
                                              event_ids, name: str):
    setup, action, actor = ACTIONS[name]
    run = setup(services, demo)
    before = event_ids()

    outcome = run(services, demo)

    assert isinstance(outcome, Outcome)
    assert_plain(outcome)
    assert isinstance(outcome.message, str) and outcome.message
    event = one_event(store, before)
    assert event.action == action
    assert event.project_id == demo.id
    assert event.member_id == (None if actor is None else demo.member(actor))
    if action != "undone":
        assert outcome.undo_token == event.id


def test_reads_return_plain_values_and_write_nothing(services: Services, demo: Project, counts):
    alex = demo.member("Alex")
    version = first_version(services, demo.now)
    services.drafts.set_stance(alex, version, "agree")
    services.drafts.comment(alex, version, "Good start")
    services.inprogress.save(alex, "contribution:x", "half", 4)
    before = counts()
    results = [
        services.projects.list_projects(),
        services.projects.find_project(DEMO_NAME),
        services.projects.list_members(demo.id),
        services.projects.get_member(alex),
        services.projects.list_prompts(demo.id),
        services.projects.get_prompt(demo.now),
        services.contributions.list_for_prompt(demo.now, alex),
        services.drafts.list_versions(demo.now),
        services.drafts.current_version(demo.now),
        services.drafts.list_stances(version),
        services.drafts.list_comments(version),
        services.inprogress.load(alex, "contribution:x"),
    ]
    for result in results:
        assert result
        assert_plain(result)
    assert counts() == before


# --- bad input: DomainError and nothing written ------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Ctx:
    """Everything a bad call needs, made before the rows are counted."""

    sv: Services
    alex: str
    sam: str
    now: str
    future: str
    version: str  # the demo's draft of the "now" prompt
    contribution: str
    token: str  # Alex's contribution, undoable
    comment_token: str  # a comment: not undoable
    o_alex: str  # the same things in the other project
    o_now: str
    o_future: str
    o_meeting: str
    o_version: str
    o_contribution: str
    o_token: str


@pytest.fixture
def ctx(services: Services, demo: Project, other: Project) -> Ctx:
    sv = services
    return Ctx(
        sv=sv, alex=demo.member("Alex"), sam=demo.member("Sam"), now=demo.now, future=demo.future,
        version=first_version(sv, demo.now),
        contribution=sv.contributions.list_for_prompt(demo.now)[0].id,
        token=sv.contributions.add(demo.member("Alex"), demo.now, "oops").undo_token,
        comment_token=sv.drafts.comment(demo.member("Sam"), first_version(sv, demo.now), "hi").undo_token,
        o_alex=other.member("Alex"), o_now=other.now, o_future=other.future, o_meeting=other.meeting,
        o_version=first_version(sv, other.now),
        o_contribution=sv.contributions.list_for_prompt(other.now)[0].id,
        o_token=sv.contributions.add(other.member("Alex"), other.now, "theirs").undo_token,
    )


TOO_LONG = "x" * (MAX_CONTRIBUTION + 1)
DRAFT_TOO_LONG = "y" * (MAX_DRAFT + 1)

BAD: dict[str, Callable[[Ctx], object]] = {
    # contributions: the text
    "add empty": lambda c: c.sv.contributions.add(c.alex, c.now, ""),
    "add whitespace": lambda c: c.sv.contributions.add(c.alex, c.now, " \t\n "),
    "add too long": lambda c: c.sv.contributions.add(c.alex, c.now, TOO_LONG),
    "add None text": lambda c: c.sv.contributions.add(c.alex, c.now, None),
    "add int text": lambda c: c.sv.contributions.add(c.alex, c.now, 42),
    "add NUL": lambda c: c.sv.contributions.add(c.alex, c.now, "care\x00home"),
    "add lone surrogate": lambda c: c.sv.contributions.add(c.alex, c.now, "a\ud800"),
    # contributions: who, where, when
    "add unknown member": lambda c: c.sv.contributions.add(UNKNOWN, c.now, "care"),
    "add None member": lambda c: c.sv.contributions.add(None, c.now, "care"),
    "add int member": lambda c: c.sv.contributions.add(7, c.now, "care"),
    "add unknown prompt": lambda c: c.sv.contributions.add(c.alex, UNKNOWN, "care"),
    "add None prompt": lambda c: c.sv.contributions.add(c.alex, None, "care"),
    "add int prompt": lambda c: c.sv.contributions.add(c.alex, 3, "care"),
    "add other project's member": lambda c: c.sv.contributions.add(c.o_alex, c.now, "care"),
    "add to other project's prompt": lambda c: c.sv.contributions.add(c.alex, c.o_now, "care"),
    "add unknown meeting": lambda c: c.sv.contributions.add(c.alex, c.now, "care", meeting_id=UNKNOWN),
    "add int meeting": lambda c: c.sv.contributions.add(c.alex, c.now, "care", meeting_id=3),
    "add other project's meeting": lambda c: c.sv.contributions.add(
        c.alex, c.now, "care", meeting_id=c.o_meeting),
    # contributions: the kind
    "add bad kind": lambda c: c.sv.contributions.add(c.alex, c.now, "care", "poem"),
    "add kind wrong case": lambda c: c.sv.contributions.add(c.alex, c.now, "care", "Keyword"),
    "add None kind": lambda c: c.sv.contributions.add(c.alex, c.now, "care", None),
    "add int kind": lambda c: c.sv.contributions.add(c.alex, c.now, "care", 1),
    # endorsements
    "toggle unknown contribution": lambda c: c.sv.contributions.toggle_endorsement(c.sam, UNKNOWN),
    "toggle None contribution": lambda c: c.sv.contributions.toggle_endorsement(c.sam, None),
    "toggle unknown member": lambda c: c.sv.contributions.toggle_endorsement(UNKNOWN, c.contribution),
    "toggle other project's contribution": lambda c: c.sv.contributions.toggle_endorsement(
        c.sam, c.o_contribution),
    "endorse by other project's member": lambda c: c.sv.contributions.endorse(c.o_alex, c.contribution),
    # draft versions
    "version empty": lambda c: c.sv.drafts.save_version(c.sam, c.future, "", None),
    "version whitespace": lambda c: c.sv.drafts.save_version(c.sam, c.future, "\n\n  ", None),
    "version too long": lambda c: c.sv.drafts.save_version(c.sam, c.future, DRAFT_TOO_LONG, None),
    "version None text": lambda c: c.sv.drafts.save_version(c.sam, c.future, None, None),
    "version int text": lambda c: c.sv.drafts.save_version(c.sam, c.future, 12, None),
    "version NUL": lambda c: c.sv.drafts.save_version(c.sam, c.future, "a\x00", None),
    "version note too long": lambda c: c.sv.drafts.save_version(c.sam, c.future, "ok", None, "n" * 501),
    "version None note": lambda c: c.sv.drafts.save_version(c.sam, c.future, "ok", None, None),
    "version unknown member": lambda c: c.sv.drafts.save_version(UNKNOWN, c.future, "ok", None),
    "version unknown prompt": lambda c: c.sv.drafts.save_version(c.sam, UNKNOWN, "ok", None),
    "version other project's prompt": lambda c: c.sv.drafts.save_version(c.sam, c.o_future, "ok", None),
    "version unknown parent": lambda c: c.sv.drafts.save_version(c.sam, c.now, "ok", UNKNOWN),
    "version int parent": lambda c: c.sv.drafts.save_version(c.sam, c.now, "ok", 5),
    # The future prompt has no definition yet: refusing must not leave a new Definition behind.
    "version parent of another definition": lambda c: c.sv.drafts.save_version(
        c.sam, c.future, "ok", c.version),
    "version parent from another project": lambda c: c.sv.drafts.save_version(
        c.sam, c.now, "ok", c.o_version),
    # stances
    "stance bad choice": lambda c: c.sv.drafts.set_stance(c.sam, c.version, "maybe"),
    "stance wrong case": lambda c: c.sv.drafts.set_stance(c.sam, c.version, "Agree"),
    "stance None": lambda c: c.sv.drafts.set_stance(c.sam, c.version, None),
    "stance int": lambda c: c.sv.drafts.set_stance(c.sam, c.version, 1),
    "stance reason too long": lambda c: c.sv.drafts.set_stance(c.sam, c.version, "agree", TOO_LONG),
    "stance reason NUL": lambda c: c.sv.drafts.set_stance(c.sam, c.version, "agree", "\x00"),
    "stance unknown version": lambda c: c.sv.drafts.set_stance(c.sam, UNKNOWN, "agree"),
    "stance unknown member": lambda c: c.sv.drafts.set_stance(UNKNOWN, c.version, "agree"),
    "stance other project's version": lambda c: c.sv.drafts.set_stance(c.sam, c.o_version, "agree"),
    # comments
    "comment empty": lambda c: c.sv.drafts.comment(c.sam, c.version, ""),
    "comment whitespace": lambda c: c.sv.drafts.comment(c.sam, c.version, "   "),
    "comment too long": lambda c: c.sv.drafts.comment(c.sam, c.version, TOO_LONG),
    "comment None": lambda c: c.sv.drafts.comment(c.sam, c.version, None),
    "comment NUL": lambda c: c.sv.drafts.comment(c.sam, c.version, "\x00"),
    "comment unknown version": lambda c: c.sv.drafts.comment(c.sam, UNKNOWN, "hi"),
    "comment other project's version": lambda c: c.sv.drafts.comment(c.sam, c.o_version, "hi"),
    "comment other project's member": lambda c: c.sv.drafts.comment(c.o_alex, c.version, "hi"),
    # access profiles
    "profile None": lambda c: c.sv.projects.save_profile(c.alex, None),
    "profile list": lambda c: c.sv.projects.save_profile(c.alex, [("a", 1)]),
    "profile not storable": lambda c: c.sv.projects.save_profile(c.alex, {"a": object()}),
    "profile NaN": lambda c: c.sv.projects.save_profile(c.alex, {"step_time": float("nan")}),
    "profile unknown member": lambda c: c.sv.projects.save_profile(UNKNOWN, {"a": 1}),
    # in-progress text
    "draft cursor negative": lambda c: c.sv.inprogress.save(c.alex, "t", "abc", -1),
    "draft cursor past end": lambda c: c.sv.inprogress.save(c.alex, "t", "abc", 4),
    "draft cursor on empty": lambda c: c.sv.inprogress.save(c.alex, "t", "", 1),
    "draft cursor bool": lambda c: c.sv.inprogress.save(c.alex, "t", "abc", True),
    "draft cursor None": lambda c: c.sv.inprogress.save(c.alex, "t", "abc", None),
    "draft cursor text": lambda c: c.sv.inprogress.save(c.alex, "t", "abc", "1"),
    "draft cursor float": lambda c: c.sv.inprogress.save(c.alex, "t", "abc", 1.0),
    "draft text None": lambda c: c.sv.inprogress.save(c.alex, "t", None, 0),
    "draft text too long": lambda c: c.sv.inprogress.save(c.alex, "t", DRAFT_TOO_LONG, 0),
    "draft text NUL": lambda c: c.sv.inprogress.save(c.alex, "t", "a\x00", 0),
    "draft target empty": lambda c: c.sv.inprogress.save(c.alex, "", "abc", 0),
    "draft target None": lambda c: c.sv.inprogress.save(c.alex, None, "abc", 0),
    "draft target too long": lambda c: c.sv.inprogress.save(c.alex, "t" * 121, "abc", 0),
    "draft unknown member": lambda c: c.sv.inprogress.save(UNKNOWN, "t", "abc", 0),
    "draft None member": lambda c: c.sv.inprogress.save(None, "t", "abc", 0),
    # undo
    "undo unknown token": lambda c: c.sv.undo.undo(c.alex, UNKNOWN),
    "undo None token": lambda c: c.sv.undo.undo(c.alex, None),
    "undo int token": lambda c: c.sv.undo.undo(c.alex, 1),
    "undo unknown member": lambda c: c.sv.undo.undo(UNKNOWN, c.token),
    "undo an action that cannot be undone": lambda c: c.sv.undo.undo(c.sam, c.comment_token),
    "undo from another project": lambda c: c.sv.undo.undo(c.alex, c.o_token),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_is_refused_and_nothing_is_written(ctx: Ctx, counts, name: str):
    before = counts()
    with pytest.raises(DomainError) as caught:
        BAD[name](ctx)
    assert caught.value.message and caught.value.message == str(caught.value)
    assert counts() == before


def test_limits_are_inclusive(services: Services, demo: Project):
    alex = demo.member("Alex")
    longest = "k" * MAX_CONTRIBUTION
    outcome = services.contributions.add(alex, demo.now, longest)
    assert tile(services, demo.now, longest).id == outcome.record_id
    draft = "d" * MAX_DRAFT
    services.drafts.save_version(alex, demo.future, draft, None)
    assert services.drafts.current_version(demo.future).text == draft
    services.inprogress.save(alex, "t" * 120, draft, MAX_DRAFT)
    assert services.inprogress.load(alex, "t" * 120) == InProgress("t" * 120, draft, MAX_DRAFT)


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


# --- draft versions, stances and comments ------------------------------------------------------


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


# --- in-progress text ----------------------------------------------------------------------


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

    assert services.inprogress.save(alex, target, "first", 5) is None
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
        assert original.detail.get("undone") is True


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


@pytest.mark.xfail(
    strict=True,
    reason="Known gap: an anonymous contribution keeps no author (by design, so the audit log "
    "cannot unmask it), so the undo service cannot tell its author from anyone else; the undo "
    "token itself is the only proof of authorship.",
)
def test_another_member_cannot_undo_an_anonymous_contribution(services: Services, demo: Project):
    token = services.contributions.add(demo.member("Kai"), demo.now, "secret", anonymous=True).undo_token
    with pytest.raises(DomainError):
        services.undo.undo(demo.member("Sam"), token)


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
