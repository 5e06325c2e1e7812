"""Bad input at every service entry point: stored exactly as given, or refused plainly.

Hypothesis throws random Unicode (emoji, right-to-left text, combining marks, control
characters, lone surrogates, 100,000 characters, text that looks like SQL) and wrong types
at the services. Each input is either stored exactly as given (read back and compared) or
refused with a DomainError whose message is plain; nothing else may be raised, a refusal
writes nothing, and after every example SQLite's integrity and foreign-key checks pass.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.services.container import Services
from app.services.errors import DomainError
from app.services.group.contributions import normalise
from app.services.group.demo import create_demo
from app.store.database import Store, sqlite_url
from app.store.models import Base

SPECIAL = [
    "👩🏽‍🦽 ♿ 🙂", "مرحبا بالعالم", "שלום עולם", "\u202eevil\u202c", "e\u0301\u0301\u0301",
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇", "\x01\x07\x1b[31mred\x7f", "a\x00b", "\ud800", "x\udfffy", "\ufeffbom",
    "line\u2028sep", "\U0010ffff", "\uffff", "'); DROP TABLE contribution;--", "\" OR 1=1 --",
    "%_\\", "Robert'); DROP TABLE member;--", " ", "\t\n", "\u3000", "", "NULL", "None",
]
LENGTHS = [119, 120, 121, 500, 501, 1999, 2000, 2001, 20_000, 20_001, 100_000]
ANY_CHAR = st.characters(exclude_categories=())  # surrogates and control characters included
TEXT = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=40),
    st.text(ANY_CHAR, max_size=40),
    st.builds(lambda c, n: c * n, ANY_CHAR, st.sampled_from(LENGTHS)),
)
NOT_TEXT = st.one_of(st.none(), st.integers(), st.floats(), st.booleans(), st.binary(max_size=8),
                     st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(),
                                                                          max_size=2))
ANYTHING = st.one_of(TEXT, NOT_TEXT)
NOISE = ("Traceback", "sqlite3", "sqlalchemy", "OperationalError", "IntegrityError", "StatementError",
         "DatabaseError", "Error(", "Background on this error", "object at 0x")
FUZZ = settings(max_examples=50, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example])


@dataclass
class World:
    """The services over one store with the demo project, and handles into it."""

    store: Store
    sv: Services
    project: str
    members: list[str]
    prompts: list[str]
    version: str
    contribution: str
    facilitator: Any
    passphrase: str

    def counts(self) -> dict[str, int]:
        with self.store.read() as s:
            return {t.name: s.scalar(select(func.count()).select_from(t)) or 0
                    for t in Base.metadata.sorted_tables}

    def sound(self) -> None:
        with self.store.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA integrity_check").all() == [("ok",)]
            assert c.exec_driver_sql("PRAGMA foreign_key_check").all() == []


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bad-input") / "canvas.db"
    store = Store.open(sqlite_url(path))
    create_demo(store)
    store.close()
    return path


@pytest.fixture
def world(template: Path, tmp_path: Path) -> Iterator[World]:
    shutil.copyfile(template, tmp_path / "canvas.db")
    store = Store.open(sqlite_url(tmp_path / "canvas.db"))
    sv = Services.build(store)
    project = sv.projects.list_projects()[0].id
    members = [m.id for m in sv.projects.list_members(project) if m.role == "participant"]
    prompts = [p.id for p in sv.projects.list_prompts(project)]
    passphrase = "a good long passphrase"
    facilitator = sv.facilitator.set_passphrase(project, passphrase).session
    try:
        yield World(store, sv, project, members, prompts, sv.drafts.list_versions(prompts[0])[0].id,
                    sv.contributions.list_for_prompt(prompts[0])[0].id, facilitator, passphrase)
    finally:
        store.close()


def attempt(world: World | None, call: Callable[[], Any], *inputs: object) -> tuple[bool, Any]:
    """Run one entry point: (True, result), or (False, the DomainError) after checking that
    its message is plain and (given `world`) that nothing was written and the file is sound.
    Anything else fails the test."""
    before = world.counts() if world else None
    try:
        return True, call()
    except DomainError as exc:
        message = exc.message
        assert isinstance(message, str) and message.strip(), "a refusal must say why"
        rest = message
        for value in sorted((v for v in inputs if isinstance(v, str) and v), key=len, reverse=True):
            rest = rest.replace(repr(value), "").replace(value, "")
        assert not any(n in rest for n in NOISE), message
        assert world is None or world.counts() == before, "a refusal must write nothing"
        return False, exc
    finally:
        if world:
            world.sound()


# --- writing text ------------------------------------------------------------------------------


@FUZZ
@given(text=TEXT, kind=st.one_of(st.sampled_from(["keyword", "phrase", "experience"]), ANYTHING),
       anonymous=st.booleans(), which=st.integers(0, 4))
def test_add_contribution(world: World, text, kind, anonymous, which):
    member, prompt = world.members[which], world.prompts[which % 2]
    ok, out = attempt(world, lambda: world.sv.contributions.add(member, prompt, text, kind, anonymous),
                      text, kind)
    if ok:
        stored = {c.id: c.text for c in world.sv.contributions.list_for_prompt(prompt)}[out.record_id]
        duplicate = out.message.startswith("Already here") and normalise(stored) == normalise(text)
        assert stored == text or duplicate


@FUZZ
@given(text=TEXT, note=TEXT, parent=st.one_of(st.none(), st.just("current"), ANYTHING))
def test_save_version(world: World, text, note, parent):
    prompt = world.prompts[0]
    parent = world.sv.drafts.current_version(prompt).id if parent == "current" else parent
    member = world.members[1]
    ok, out = attempt(world, lambda: world.sv.drafts.save_version(member, prompt, text, parent, note),
                      text, note, parent)
    if ok:
        stored = next(v for v in world.sv.drafts.list_versions(prompt) if v.id == out.record_id)
        assert (stored.text, stored.note, stored.parent_id) == (text, note, parent)


@FUZZ
@given(position=st.one_of(st.sampled_from(["agree", "unsure", "disagree"]), ANYTHING), reason=TEXT,
       which=st.integers(0, 4))
def test_set_stance(world: World, position, reason, which):
    member = world.members[which]
    ok, _ = attempt(world, lambda: world.sv.drafts.set_stance(member, world.version, position, reason),
                    position, reason)
    if ok:
        mine = next(st for st in world.sv.drafts.list_stances(world.version) if st.member_id == member)
        assert (mine.position, mine.reason) == (position, reason)
        world.sv.drafts.stance_summary(world.version)


@FUZZ
@given(text=TEXT)
def test_comment(world: World, text):
    ok, out = attempt(world, lambda: world.sv.drafts.comment(world.members[2], world.version, text), text)
    if ok:
        stored = {c.id: c.text for c in world.sv.drafts.list_comments(world.version)}
        assert stored[out.record_id] == text


@FUZZ
@given(target=TEXT, text=TEXT, cursor=st.one_of(st.integers(-3, 100_003), st.just("end"), NOT_TEXT))
def test_save_text_in_progress(world: World, target, text, cursor):
    if cursor == "end":
        cursor = len(text) if isinstance(text, str) else 0
    member = world.members[3]
    ok, _ = attempt(world, lambda: world.sv.inprogress.save(member, target, text, cursor), target, text)
    if ok:
        loaded = world.sv.inprogress.load(member, target)
        assert (None if loaded is None else (loaded.target, loaded.text, loaded.cursor)) == (
            None if text == "" else (target, text, cursor))


JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.tuples(inner),
                            st.dictionaries(st.one_of(TEXT, st.integers()), inner, max_size=3)),
    max_leaves=8,
)


@FUZZ
@given(profile=st.one_of(st.dictionaries(TEXT, JSON, max_size=4), JSON,
                         st.fixed_dictionaries({"phrases": JSON})))
def test_save_profile(world: World, profile):
    member = world.members[4]
    before = world.sv.projects.get_member(member).profile
    ok, _ = attempt(world, lambda: world.sv.projects.save_profile(member, profile), profile)
    if ok:
        stored = world.sv.projects.get_member(member).profile
        expected = dict(profile)
        if "phrases" in before and "phrases" not in profile:  # phrases live beside the settings
            expected["phrases"] = before["phrases"]
        assert stored == expected and _same_json(stored, expected)
        world.sv.phrases.list(member)  # whatever the profile held, the phrases still read


def _same_json(a: Any, b: Any) -> bool:
    """Equal, and of the same kinds all the way down (so 1 is not True, NaN equals NaN)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@FUZZ
@given(text=TEXT, remove=st.booleans())
def test_phrases(world: World, text, remove):
    member = world.members[0]
    ok, _ = attempt(world, lambda: world.sv.phrases.save(member, text), text)
    if ok:
        assert world.sv.phrases.list(member)[0] == text
    if remove:
        ok, _ = attempt(world, lambda: world.sv.phrases.remove(member, text), text)
        assert text not in world.sv.phrases.list(member)


# --- looking things up and acting on them by id ------------------------------------------------------


@FUZZ
@given(flag=st.one_of(st.booleans(), ANYTHING))
def test_endorse_takes_yes_or_no(world: World, flag):
    ok, _ = attempt(world, lambda: world.sv.contributions.endorse(world.members[0], world.contribution, flag),
                    flag)
    if ok:
        mine = next(c for c in world.sv.contributions.list_for_prompt(world.prompts[0], world.members[0])
                    if c.id == world.contribution)
        assert mine.endorsed_by_viewer is flag


@FUZZ
@given(value=ANYTHING, other=ANYTHING)
def test_every_id_taking_entry_point(world: World, value, other):
    """Ids that name nothing (or are not even text): refused plainly, or an empty answer."""
    sv, m, p, fs = world.sv, world.members[0], world.prompts[0], world.facilitator
    writes: list[Callable[[], Any]] = [
        lambda: sv.contributions.add(value, p, "fine words"),
        lambda: sv.contributions.add(m, value, "fine words"),
        lambda: sv.contributions.add(m, p, f"words at meeting {value!r}"[:200], meeting_id=value),
        lambda: sv.contributions.toggle_endorsement(m, value),
        lambda: sv.contributions.toggle_endorsement(value, world.contribution),
        lambda: sv.contributions.endorse(value, other, True),
        lambda: sv.drafts.save_version(m, value, "fine words", None),
        lambda: sv.drafts.set_stance(value, other, "agree"),
        lambda: sv.drafts.comment(m, value, "fine words"),
        lambda: sv.inprogress.clear(value, other),
        lambda: sv.undo.undo(m, value),
        lambda: sv.undo.undo(value, other),
        lambda: sv.projects.save_profile(value, {}),
        lambda: sv.projects.start_session(value),
        lambda: sv.phrases.remove(m, value),
        lambda: sv.review.unhide(fs, value),
        lambda: sv.review.set_decision(fs, value, other),
    ]
    reads: list[Callable[[], Any]] = [
        lambda: sv.contributions.list_for_prompt(value, other),
        lambda: sv.drafts.list_versions(value),
        lambda: sv.drafts.current_version(value),
        lambda: sv.drafts.list_stances(value),
        lambda: sv.drafts.stance_summary(value),
        lambda: sv.drafts.siblings(value),
        lambda: sv.drafts.list_comments(value),
        lambda: sv.inprogress.load(value, other),
        lambda: sv.projects.list_members(value),
        lambda: sv.projects.get_member(value),
        lambda: sv.projects.list_prompts(value),
        lambda: sv.projects.get_prompt(value),
        lambda: sv.projects.last_session_member(value),
        lambda: sv.projects.change_marker(value),
        lambda: sv.words.project_texts(value),
        lambda: sv.words.prompt_keywords(value),
        lambda: sv.words.member_texts(value),
        lambda: sv.phrases.list(value),
        lambda: sv.facilitator.has_passphrase(value),
        lambda: sv.facilitator.wait_seconds(value),
        lambda: sv.review.prompt_review(fs, value),
        lambda: sv.review.history(fs, value),
        lambda: sv.review.compare(value, other),
        lambda: sv.participants.withdrawal_preview(fs, value, other),
        lambda: sv.exchange.known_machines(value),
    ]
    for call in writes:
        attempt(world, call, value, other)
    for call in reads:
        attempt(None, call, value, other)
    world.sound()
    found = attempt(world, lambda: sv.projects.find_project(value), value)
    if found[0]:
        assert found[1].name == value


# --- the facilitator's side ------------------------------------------------------------------------


@FUZZ
@given(name=TEXT, reason=TEXT, note=TEXT)
def test_review_text(world: World, name, reason, note):
    sv, fs, prompt = world.sv, world.facilitator, world.prompts[0]
    ok, out = attempt(world, lambda: sv.review.create_theme(fs, prompt, name), name)
    if ok:
        themes = sv.review.prompt_review(fs, prompt).themes
        assert name in [getattr(t, "name", None) for t in themes]
        attempt(world, lambda: sv.review.rename_theme(fs, out.record_id, reason), reason)
    attempt(world, lambda: sv.review.hide(fs, world.contribution, reason), reason)
    attempt(world, lambda: sv.review.unhide(fs, world.contribution))
    attempt(world, lambda: sv.review.set_note(fs, world.version, note), note)


@FUZZ
@given(name=TEXT, role=st.one_of(st.sampled_from(["participant", "facilitator"]), ANYTHING))
def test_participants_text(world: World, name, role):
    sv, fs = world.sv, world.facilitator
    ok, _ = attempt(world, lambda: sv.participants.add_member(fs, name, role), name, role)
    if ok:  # names are the one deliberate exception: stored without surrounding spaces
        assert name.strip() in [m.display_name for m in sv.participants.list_members(fs)]
    attempt(world, lambda: sv.participants.edit_member(fs, world.members[0], name, None), name)
    ok, _ = attempt(world, lambda: sv.participants.set_real_name(fs, world.members[1], name), name)
    if ok:  # like names, kept without surrounding spaces; a blank one erases it
        real = next(m.real_name for m in sv.participants.list_members(fs) if m.id == world.members[1])
        assert real == (name.strip() or None)


@FUZZ
@given(new=TEXT, tried=TEXT)
@example(new="kettle \ud800 on at four", tried="\udc80 lone surrogate")  # once raised UnicodeEncodeError
def test_passphrases(world: World, new, tried):
    fac = world.sv.facilitator
    ok, result = attempt(world, lambda: fac.set_passphrase(world.project, new, world.passphrase), new)
    if ok and result.ok:
        world.passphrase = new
        assert fac.unlock(world.project, new).ok, "the new passphrase must work as given"
    attempt(world, lambda: fac.unlock(world.project, tried), tried)
