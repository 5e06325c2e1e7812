"""The prompt screen: themes as sections, and paging when there are many keywords."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from app.store.models import Contribution, Theme
from app.ui.screens.prompt import PAGE_SIZE, PromptScreen

NOW = "What does social care mean to us now?"


def _now(app):
    return next(p for p in app.services.projects.list_prompts(app.project_id) if p.text == NOW)


def _open(app):
    app.key(Qt.Key.Key_Return)  # Alex
    app.key(Qt.Key.Key_Return)  # the "now" question
    assert isinstance(app.window.current, PromptScreen)
    return app.window.current


def test_themes_become_sections(make_app):
    app = make_app()
    prompt = _now(app)
    with app.store.transaction() as s:
        theme = Theme(prompt_id=prompt.id, name="Not listened to")
        s.add(theme)
        s.flush()
        for c in s.scalars(select(Contribution).where(Contribution.text.in_(["unheard", "tickbox"]))):
            c.theme_id = theme.id
    screen = _open(app)
    labels = [g.label for g in screen.scan_groups()]
    assert labels[0] == "Actions"
    assert labels[1] == "Theme: Not listened to"
    assert labels[2].startswith("Not in a theme yet")
    first = [t.accessibleName().split(",")[0] for t in screen.scan_groups()[1].items]
    assert first == ["unheard", "tickbox"]


def test_many_keywords_are_paged_and_none_is_hidden(make_app):
    app = make_app()
    prompt = _now(app)
    alex = app.members()["Alex"]
    for i in range(PAGE_SIZE + 3):
        app.services.contributions.add(alex, prompt.id, f"word {i}")
    screen = _open(app)
    assert len(screen.tiles) == PAGE_SIZE
    more = next(t for t in app.window.tiles() if t.accessibleName() == "More keywords ▶")
    more.setFocus()
    app.key(Qt.Key.Key_Return)
    second = app.window.current
    assert second.page == 1 and len(second.tiles) == len(second.contributions) - PAGE_SIZE
    earlier = next(t for t in app.window.tiles() if t.accessibleName() == "◀ Earlier keywords")
    earlier.setFocus()
    app.key(Qt.Key.Key_Return)
    assert app.window.current.page == 0
    app.key(Qt.Key.Key_Escape)  # paging replaced the screen: one Escape goes home
    assert app.window.current.key == "home"
