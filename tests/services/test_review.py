"""The facilitator's review: dashboard, themes, hiding, history with branches, decisions, notes."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from sqlalchemy import select

from app.services.container import Services
from app.services.errors import DomainError, NotFound
from app.services.group.demo import NOW_DRAFT, NOW_KEYWORDS
from app.services.review.facilitator import FacilitatorLocked
from app.services.review.review_dto import FacilitatorSession, PromptReview
from app.store.database import Store
from app.store.models import Contribution, Event

from .conftest import Project

UNKNOWN = str(uuid.uuid4())



def keyword(review: PromptReview, text: str):
    return next(k for k in review.keywords if k.text == text)


def v1(services: Services, demo: Project) -> str:
    return services.drafts.list_versions(demo.now)[0].id


# --- the dashboard ---------------------------------------------------------------------------


def test_dashboard_lists_every_prompt_with_counts_authors_and_meetings(services: Services, demo: Project,
                                                                       fs: FacilitatorSession):
    services.contributions.add(demo.member("Kai"), demo.now, "They talked over me.", kind="experience",
                               anonymous=True, meeting_id=demo.meeting)
    now, future = services.review.dashboard(fs)
    assert (now.prompt.id, future.prompt.id) == (demo.now, demo.future)
    tiles = {c.text: c for c in services.contributions.list_for_prompt(demo.now)}
    assert [k.text for k in now.keywords] == [*NOW_KEYWORDS, "They talked over me."]
    for k in now.keywords:
        assert k.endorsements == tiles[k.text].endorsements == len(k.endorsers)
        assert k.author == tiles[k.text].author
    assert keyword(now, "They talked over me.").author is None
    assert keyword(now, "unheard").meeting.startswith("First meeting (")
    assert [m.id for m in now.meetings] == [demo.meeting]
    tickbox = keyword(now, "tickbox")
    assert tickbox.endorsers and all(isinstance(n, str) for n in tickbox.endorsers)


def test_themes_create_rename_move_delete(services: Services, demo: Project, fs: FacilitatorSession):
    created = services.review.create_theme(fs, demo.now, "Not listened to")
    theme = created.record_id
    review = services.review.prompt_review(fs, demo.now)
    ids = [keyword(review, "unheard").id, keyword(review, "patronising").id]
    services.review.move_to_theme(fs, ids, theme)
    review = services.review.prompt_review(fs, demo.now)
    assert [(t.name, t.count) for t in review.themes] == [("Not listened to", 2)]
    assert keyword(review, "unheard").theme == "Not listened to"
    tiles = {c.text: c.theme for c in services.contributions.list_for_prompt(demo.now)}
    assert tiles["patronising"] == "Not listened to" and tiles["tickbox"] is None

    services.review.rename_theme(fs, theme, "Unheard")
    assert services.review.prompt_review(fs, demo.now).themes[0].name == "Unheard"
    services.review.move_to_theme(fs, ids[:1], None)
    assert services.review.prompt_review(fs, demo.now).themes[0].count == 1
    second = services.review.create_theme(fs, demo.now, "Second").record_id
    services.review.move_to_theme(fs, ids[1:], second)
    assert [t.count for t in services.review.prompt_review(fs, demo.now).themes] == [0, 1]
    services.review.delete_theme(fs, second)
    review = services.review.prompt_review(fs, demo.now)
    assert [t.name for t in review.themes] == ["Unheard"] and keyword(review, "patronising").theme is None


def test_hide_and_unhide(services: Services, demo: Project, fs: FacilitatorSession):
    cid = keyword(services.review.prompt_review(fs, demo.now), "medicalised").id
    services.review.hide(fs, cid, "Names a hospital")
    assert "medicalised" not in [c.text for c in services.contributions.list_for_prompt(demo.now)]
    row = keyword(services.review.prompt_review(fs, demo.now), "medicalised")
    assert row.hidden and row.hidden_reason == "Names a hospital"
    assert "medicalised" not in [k.text for k in services.review.prompt_review(fs, demo.now).visible]
    services.review.unhide(fs, cid)
    row = keyword(services.review.prompt_review(fs, demo.now), "medicalised")
    assert not row.hidden and row.hidden_reason is None
    assert "medicalised" in [c.text for c in services.contributions.list_for_prompt(demo.now)]


# --- history, decisions, notes -----------------------------------------------------------------


@pytest.fixture
def branches(services: Services, demo: Project) -> dict[str, str]:
    """v1 (demo) ← v2 (Sam) ← v4 (Priya); v1 ← v3 (Jordan): v2 and v3 are siblings."""
    first = v1(services, demo)
    v2 = services.drafts.save_version(demo.member("Sam"), demo.now, NOW_DRAFT + " We want to be heard.",
                                      first, "added heard").record_id
    v3 = services.drafts.save_version(demo.member("Jordan"), demo.now, "Social care now leaves us unheard.",
                                      first, "shorter").record_id
    v4 = services.drafts.save_version(demo.member("Priya"), demo.now, NOW_DRAFT + " We want care that is "
                                      "proactive.", v2).record_id
    services.drafts.set_stance(demo.member("Alex"), v2, "agree")
    services.drafts.set_stance(demo.member("Kai"), v2, "unsure", "long")
    services.drafts.comment(demo.member("Kai"), v3, "I like short")
    return {"v1": first, "v2": v2, "v3": v3, "v4": v4}


def test_history_shows_branches_stances_and_comments(services: Services, demo: Project,
                                                     fs: FacilitatorSession, branches: dict[str, str]):
    history = services.review.history(fs, demo.now)
    by = {n.id: n for n in history.versions}
    v = {k: by[i] for k, i in branches.items()}
    assert [n.number for n in history.versions] == [1, 2, 3, 4]
    assert [n.id for n in history.versions] == [branches[k] for k in ("v1", "v2", "v3", "v4")]
    assert (v["v2"].parent_number, v["v3"].parent_number, v["v4"].parent_number) == (1, 1, 2)
    assert v["v1"].children == (branches["v2"], branches["v3"])
    assert v["v2"].sibling_ids == (branches["v3"],) and v["v3"].sibling_ids == (branches["v2"],)
    assert v["v2"].sibling_group == v["v3"].sibling_group == branches["v1"]
    assert v["v1"].sibling_group == "root" and v["v1"].sibling_ids == ()
    assert [v[k].lane for k in ("v1", "v2", "v3", "v4")] == [0, 0, 1, 0]
    assert (v["v2"].author, v["v3"].author, v["v3"].note) == ("Sam", "Jordan", "shorter")
    assert v["v2"].stances.text == "1 agree · 1 unsure"
    assert v["v2"].stances == services.drafts.stance_summary(branches["v2"])
    assert [(c.author, c.text) for c in v["v3"].comments] == [("Kai", "I like short")]
    assert v["v4"].is_current and history.current_id == branches["v4"]
    assert (history.chosen_id, history.chosen_kind) == (branches["v4"], "current")
    assert services.review.history(fs, demo.future).versions == ()


def test_decisions_choose_the_definition(services: Services, demo: Project, fs: FacilitatorSession,
                                         branches: dict[str, str]):
    services.review.set_decision(fs, branches["v2"], "agreed")
    history = services.review.history(fs, demo.now)
    assert (history.chosen_id, history.chosen_kind) == (branches["v2"], "agreed")
    services.review.set_decision(fs, branches["v3"], "final")
    history = services.review.history(fs, demo.now)
    assert (history.chosen_id, history.chosen_kind) == (branches["v3"], "final")
    services.review.set_decision(fs, branches["v1"], "final")  # only one final per definition
    decisions = {n.id: n.decision for n in services.review.history(fs, demo.now).versions}
    assert decisions == {branches["v1"]: "final", branches["v2"]: "agreed", branches["v3"]: None,
                         branches["v4"]: None}
    services.review.set_decision(fs, branches["v1"], None)
    history = services.review.history(fs, demo.now)
    assert (history.chosen_id, history.chosen_kind) == (branches["v2"], "agreed")


def test_review_notes_are_private(store: Store, services: Services, demo: Project, fs: FacilitatorSession,
                                  branches: dict[str, str]):
    secret = "Jordan seemed left out of this one"
    services.review.set_note(fs, branches["v3"], secret)
    services.review.set_decision(fs, branches["v3"], "agreed")
    notes = {n.id: n.review_note for n in services.review.history(fs, demo.now).versions}
    assert notes[branches["v3"]] == secret
    # Nothing a participant's screen reads carries it, and the audit log does not copy it.
    seen = [services.drafts.list_versions(demo.now), services.drafts.siblings(branches["v2"]),
            services.drafts.list_comments(branches["v3"]), services.drafts.list_stances(branches["v3"]),
            services.drafts.current_version(demo.now), services.drafts.stance_summary(branches["v3"])]
    assert secret not in repr(seen)
    with store.read() as s:
        assert secret not in repr([e.detail for e in s.scalars(select(Event))])
    with pytest.raises(FacilitatorLocked):
        services.review.history(None, demo.now)
    services.review.set_note(fs, branches["v3"], "")
    assert {n.id: n.review_note for n in services.review.history(fs, demo.now).versions}[branches["v3"]] == ""


def test_compare_two_versions(services: Services, demo: Project, branches: dict[str, str]):
    diff = services.review.compare(branches["v1"], branches["v2"])
    assert diff.spoken == "added: We want to be heard."
    assert diff.marked.endswith("[+ We want to be heard. +]")
    with pytest.raises(NotFound):
        services.review.compare(branches["v1"], UNKNOWN)


# --- one Event per action; bad input writes nothing --------------------------------------------


def _first(services: Services, fs: FacilitatorSession, demo: Project) -> str:
    return services.review.prompt_review(fs, demo.now).keywords[0].id


MUTATIONS = {
    "create theme": (lambda sv, fs, d: sv.review.create_theme(fs, d.now, "T"), "theme_created"),
    "rename theme": (lambda sv, fs, d: sv.review.rename_theme(
        fs, sv.review.create_theme(fs, d.now, "T").record_id, "U"), "theme_renamed"),
    "delete theme": (lambda sv, fs, d: sv.review.delete_theme(
        fs, sv.review.create_theme(fs, d.now, "T").record_id), "theme_deleted"),
    "move": (lambda sv, fs, d: sv.review.move_to_theme(
        fs, [_first(sv, fs, d)], sv.review.create_theme(fs, d.now, "T").record_id), "theme_assigned"),
    "hide": (lambda sv, fs, d: sv.review.hide(fs, _first(sv, fs, d), "why"), "contribution_hidden"),
    "unhide": (lambda sv, fs, d: (sv.review.hide(fs, _first(sv, fs, d), "why"),
                                  sv.review.unhide(fs, _first(sv, fs, d))), "contribution_unhidden"),
    "decide": (lambda sv, fs, d: sv.review.set_decision(fs, v1(sv, d), "final"), "decision_set"),
    "note": (lambda sv, fs, d: sv.review.set_note(fs, v1(sv, d), "memo"), "review_note_saved"),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_each_review_action_writes_its_event(store: Store, services: Services, demo: Project,
                                             fs: FacilitatorSession, name: str):
    run, action = MUTATIONS[name]
    run(services, fs, demo)
    with store.read() as s:
        last = s.scalars(select(Event).order_by(Event.created_at.desc()).limit(1)).one()
    assert (last.action, last.member_id, last.project_id) == (action, demo.facilitator, demo.id)


def test_each_mutation_is_exactly_one_event(services: Services, demo: Project, fs: FacilitatorSession,
                                            event_ids):
    theme = services.review.create_theme(fs, demo.now, "T").record_id
    cid = _first(services, fs, demo)
    for call in (lambda: services.review.rename_theme(fs, theme, "U"),
                 lambda: services.review.move_to_theme(fs, [cid], theme),
                 lambda: services.review.hide(fs, cid, "why"),
                 lambda: services.review.unhide(fs, cid),
                 lambda: services.review.set_decision(fs, v1(services, demo), "agreed"),
                 lambda: services.review.set_note(fs, v1(services, demo), "memo"),
                 lambda: services.review.delete_theme(fs, theme)):
        before = event_ids()
        assert call().message
        assert len(event_ids() - before) == 1


def test_bad_review_input_writes_nothing(store: Store, services: Services, demo: Project, other: Project,
                                         fs: FacilitatorSession, counts):
    theme = services.review.create_theme(fs, demo.now, "Mine").record_id
    future_theme = services.review.create_theme(fs, demo.future, "Later").record_id
    review = services.review.prompt_review(fs, demo.now)
    cid = review.keywords[0].id
    other_cid = services.contributions.list_for_prompt(other.now)[0].id
    other_version = services.drafts.list_versions(other.now)[0].id
    with store.transaction() as s:
        s.add(Contribution(prompt_id=demo.now, text="gone", withdrawn=True))
    gone = services.review.prompt_review(fs, demo.now)  # withdrawn ones are never listed
    assert "gone" not in [k.text for k in gone.keywords]
    with store.read() as s:
        gone_id = s.scalar(select(Contribution.id).where(Contribution.text == "gone"))
    before = counts()
    bad = [
        lambda: services.review.create_theme(fs, demo.now, "mine"),  # duplicate, case ignored
        lambda: services.review.create_theme(fs, demo.now, "  "),
        lambda: services.review.create_theme(fs, other.now, "X"),
        lambda: services.review.create_theme(fs, UNKNOWN, "X"),
        lambda: services.review.rename_theme(fs, theme, ""),
        lambda: services.review.rename_theme(fs, UNKNOWN, "X"),
        lambda: services.review.move_to_theme(fs, [], theme),
        lambda: services.review.move_to_theme(fs, cid, theme),  # a bare id, not a list
        lambda: services.review.move_to_theme(fs, [cid, other_cid], theme),
        lambda: services.review.move_to_theme(fs, [cid, UNKNOWN], theme),
        lambda: services.review.move_to_theme(fs, [cid], future_theme),  # another prompt's theme
        lambda: services.review.move_to_theme(fs, [gone_id], theme),
        lambda: services.review.hide(fs, cid, ""),
        lambda: services.review.hide(fs, other_cid, "why"),
        lambda: services.review.unhide(fs, cid),  # not hidden
        lambda: services.review.set_decision(fs, v1(services, demo), "maybe"),
        lambda: services.review.set_decision(fs, other_version, "final"),
        lambda: services.review.set_note(fs, other_version, "x"),
        lambda: services.review.set_note(fs, v1(services, demo), None),
        lambda: services.review.history(fs, other.now),
    ]
    for call in bad:
        with pytest.raises(DomainError):
            call()
    assert counts() == before
    assert keyword(services.review.prompt_review(fs, demo.now), review.keywords[0].text).theme_id is None


def test_review_results_are_plain_values(services: Services, demo: Project, fs: FacilitatorSession,
                                         branches: dict[str, str]):
    for value in (*services.review.dashboard(fs), services.review.history(fs, demo.now)):
        assert dataclasses.is_dataclass(value)
        with pytest.raises(dataclasses.FrozenInstanceError):
            value.prompt_id = "x"  # type: ignore[misc]
