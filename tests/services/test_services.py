"""The service layer: one Event per action, plain values out, nothing written on bad input."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable

import pytest

from app.services.container import Services
from app.services.dto import InProgress, Outcome
from app.services.errors import DomainError
from app.services.group.demo import (
    DEMO_NAME,
    FACILITATOR,
    FUTURE_KEYWORDS,
    NOW_DRAFT,
    NOW_KEYWORDS,
    PARTICIPANTS,
    create_demo,
)
from app.store.database import Store
from app.store.models import MAX_CONTRIBUTION, MAX_DRAFT, Member, utcnow

from .conftest import Project
from .helpers import assert_plain, first_version, one_event, tile

UNKNOWN = str(uuid.uuid4())


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
    if action != "undone":  # the token names the entry (an anonymous one adds its author's secret)
        assert outcome.undo_token.split(".")[0] == event.id
        assert ("." in outcome.undo_token) == (actor is None and action == "contribution_added")


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
