"""The group's work, driven by one switch only: keywords, me too, a definition, stances."""

from __future__ import annotations

from sqlalchemy import func, select

from app.speech.speaker import SpeechKind
from app.store.models import Comment, Contribution, DraftVersion, Endorsement, Event, Stance
from app.ui.screens.definition import DefinitionScreen
from app.ui.screens.home import HomeScreen
from app.ui.screens.pair import PairScreen
from app.ui.screens.write import WriteScreen
from tests.ui.conftest import choose, choose_key

FUTURE = "What should social care be in the future?"


def _pick(app, name, row):
    choose(app, row)
    choose(app, name)
    assert isinstance(app.window.current, HomeScreen)


def _open_future(app):
    choose(app, "Questions, row 2")
    choose(app, FUTURE)


def _type(app, text):
    for ch in text:
        choose_key(app, "space" if ch == " " else ch)


def _add_keyword(app, word):
    choose(app, "Actions")
    choose(app, "✚ Add keyword")
    assert isinstance(app.window.current, WriteScreen)
    _type(app, word)
    choose_key(app, "done")


def _change_member(app):
    while not isinstance(app.window.current, HomeScreen):
        choose_key(app, "Back")
    choose_key(app, "Change member")


def test_two_members_gather_keywords_and_agree_a_definition(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", step_time=0.5, first_item_extra=0.0)
    sam = app.members()["Sam"]
    app.services.projects.save_profile(sam, {"scan_mode": "auto", "step_time": 0.5, "first_item_extra": 0.0})

    # Alex adds three keywords.
    _pick(app, "Alex", "Members, row 1")
    _open_future(app)
    for word in ("lonely", "rushed", "kind"):
        _add_keyword(app, word)
        assert app.window.status.text() == f"Keyword added: {word.capitalize()}"

    # Alex starts the definition from a keyword the text does not use yet, and agrees.
    choose(app, "Actions")
    choose(app, "Our definition")
    assert isinstance(app.window.current, DefinitionScreen)
    choose(app, "Keywords not used yet")
    choose(app, "Start from enabling")
    assert app.window.current.panel.text == "Enabling "
    _type(app, "us")
    choose_key(app, "done")
    assert app.window.status.text() == "New version saved. Everyone can say again where they stand."
    assert "enabling" in app.window.current.coverage.used
    choose(app, "Where I stand")
    choose(app, "Agree")

    # Sam: three keywords, one of them already there; a me too; a new version; a stance.
    _change_member(app)
    _pick(app, "Sam", "Members, row 1")
    _open_future(app)
    for word in ("hopeful", "safe", "proactive"):
        _add_keyword(app, word)
    assert app.window.status.text() == "Already here: proactive. Added your me too."
    choose(app, "Keywords, row 2")
    choose(app, "Lonely, 0 me too, by Alex")
    assert app.window.status.text() == "Me too: Lonely"
    choose(app, "Actions")
    choose(app, "Our definition")
    choose(app, "Sentences")
    choose(app, "Sentence 1: Enabling us")
    choose(app, "This sentence")
    choose(app, "Change it")
    choose_key(app, "space")
    _type(app, "all")
    choose_key(app, "done")
    assert isinstance(app.window.current, DefinitionScreen)
    assert app.window.current.version.text == "Enabling us all"
    choose(app, "Where I stand")
    choose(app, "Agree")
    choose_key(app, "Comment")
    _type(app, "yes")
    choose_key(app, "done")
    assert app.window.status.text() == "Comment added."

    # Now beside future.
    _change_member(app)
    _pick(app, "Sam", "Members, row 1")
    choose(app, "Actions")
    choose(app, "Now and future")
    assert isinstance(app.window.current, PairScreen)
    choose(app, "Future definition")
    choose(app, "Speak the future definition")
    assert ("FUTURE. Enabling us all", SpeechKind.SPEECH, True) in app.speaker.said
    assert app.speaker.said[-1][2] is False  # the next cue waits for the reading to finish

    # What is stored.
    with app.store.read() as s:
        alex, sam_id = app.members()["Alex"], sam
        mine = {m: sorted(s.scalars(select(Contribution.text).where(Contribution.member_id == m)))
                for m in (alex, sam_id)}
        assert {"Lonely", "Rushed", "Kind"} <= set(mine[alex])
        assert {"Hopeful", "Safe"} <= set(mine[sam_id]) and "Proactive" not in mine[sam_id]
        versions = s.scalars(select(DraftVersion).order_by(DraftVersion.created_at)).all()
        future = [v for v in versions if v.text.startswith("Enabling")]
        assert [v.text for v in future] == ["Enabling us", "Enabling us all"]
        assert future[1].parent_id == future[0].id and future[1].author_id == sam_id
        assert future[1].note == "Changed sentence 1"
        stances = {(st.version_id, st.member_id, st.position) for st in s.scalars(select(Stance))}
        assert stances == {(future[0].id, alex, "agree"), (future[1].id, sam_id, "agree")}
        assert s.scalar(select(Comment.text).where(Comment.version_id == future[1].id)) == "Yes"
        lonely = s.scalar(select(Contribution.id).where(Contribution.text == "Lonely"))
        assert s.scalar(select(Endorsement.member_id).where(Endorsement.contribution_id == lonely)) == sam_id
        actions = dict(s.execute(select(Event.action, func.count()).group_by(Event.action)).all())
        assert actions["contribution_added"] == 5
        assert actions["endorsement_set"] == 2  # the duplicate and the me too
        assert actions["version_saved"] == 2 and actions["stance_set"] == 2
        assert actions["comment_added"] == 1


def test_comments_are_read_aloud(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", step_time=0.5, first_item_extra=0.0)
    now = next(p for p in app.services.projects.list_prompts(app.project_id) if p.pair_role == "now")
    version = app.services.drafts.current_version(now.id)
    app.services.drafts.comment(app.members()["Sam"], version.id, "I like the second sentence")
    _pick(app, "Alex", "Members, row 1")
    choose(app, "Questions, row 1")
    choose(app, "What does social care mean to us now?")
    choose(app, "Actions")
    choose(app, "Our definition")
    choose_key(app, "Read comments")
    assert ("Sam said: I like the second sentence", SpeechKind.SPEECH, True) in app.speaker.said
