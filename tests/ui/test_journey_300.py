"""Issue 16's switch-only journey at 300 % in a 1366 x 768 window: one switch (auto-scan), a
keyword added with the keyboard, a "me too", and agreeing with the definition. Every screen on
the way is measured where the member acts (the keyboard, the keys' labels: fit_check)."""

from __future__ import annotations

from app.ui.screens.definition import DefinitionScreen
from app.ui.screens.home import HomeScreen
from app.ui.screens.write import WriteScreen
from tests.ui.conftest import choose, choose_key
from tests.ui.fit_check import problems, settle

PROFILE = {"scan_mode": "auto", "step_time": 0.5, "first_item_extra": 0.0, "size_percent": 300}
NOW = "What does social care mean to us now?"


def test_one_switch_at_300_adds_a_keyword_says_me_too_and_agrees(make_app):
    app = make_app(last_member="Alex", **PROFILE)
    app.window.resize(1366, 768)
    settle()
    s, alex = app.services, app.members()["Alex"]
    prompt = next(p for p in s.projects.list_prompts(app.project_id) if p.text == NOW)

    choose_key(app, "Alex")
    assert isinstance(app.window.current, HomeScreen)
    choose_key(app, NOW)
    choose_key(app, "✚ Add keyword")
    screen = app.window.current
    assert isinstance(screen, WriteScreen)
    assert problems(screen, app.window) == []  # the whole keyboard, every label whole
    for ch in "fair":
        choose_key(app, ch)
    choose_key(app, "done")
    assert app.window.status.text() == "Keyword added: Fair"

    choose_key(app, next(t.accessibleName() for t in app.window.tiles()
                         if t.accessibleName().startswith("medicalised")))
    assert app.window.status.text().startswith("Me too")
    chosen = next(c for c in s.contributions.list_for_prompt(prompt.id, alex) if c.text == "medicalised")
    assert chosen.endorsed_by_viewer and chosen.endorsements == 1

    choose_key(app, "Our definition")
    assert isinstance(app.window.current, DefinitionScreen)
    version = s.drafts.current_version(prompt.id)
    assert (alex, "agree") not in {(st.member_id, st.position) for st in s.drafts.list_stances(version.id)}
    choose(app, "Where I stand")
    choose(app, "Agree")
    assert {(st.member_id, st.position) for st in s.drafts.list_stances(version.id)} >= {(alex, "agree")}
    assert app.window.size().toTuple() == (1366, 768)  # nothing made the window grow
