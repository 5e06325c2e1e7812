"""The versions and history screens draw a page at a time, and every version stays reachable."""

from __future__ import annotations

from app.ui.screens.facilitator.history import PAGE_SIZE as HISTORY_PAGE
from app.ui.screens.facilitator.history import CompareScreen, HistoryScreen, VersionReviewScreen
from app.ui.screens.versions import PAGE_SIZE, VersionsScreen

NOW = "What does social care mean to us now?"
MORE = 6  # versions beyond the first page


def _setup(app):
    now = next(p for p in app.services.projects.list_prompts(app.project_id) if p.text == NOW)
    alex = app.members()["Alex"]
    parent = app.services.drafts.current_version(now.id).id
    for i in range(PAGE_SIZE + MORE - 1):
        parent = app.services.drafts.save_version(alex, now.id, f"Version text {i + 2}.", parent,
                                                  f"step {i + 2}").record_id
    app.window.pick_member(next(m for m in app.services.projects.list_members(app.project_id)
                                if m.display_name == "Alex"))
    return now


def _choose(app, name):
    tile = next(t for t in app.window.tiles() if t.accessibleName() == name)
    tile.click()


def _names(app, part):
    return [t.accessibleName() for t in app.window.tiles() if part in t.accessibleName()]


def test_versions_page_by_page_newest_first(make_app):
    app = make_app()
    now = _setup(app)
    app.window.show_versions(now.id)
    screen = app.window.current
    assert isinstance(screen, VersionsScreen) and screen.page == 0
    shown = _names(app, "Version ")
    assert len(shown) == PAGE_SIZE and shown[0].startswith(f"Version {PAGE_SIZE + MORE} by Alex")
    _choose(app, "Older versions ▶")
    older = app.window.current
    assert older.page == 1 and len(_names(app, "Version ")) == MORE
    _choose(app, _names(app, "Version 1 by")[0])  # choosing a version keeps the page
    chosen = app.window.current
    assert chosen.page == 1 and chosen.chosen is not None
    assert chosen.chosen.note == "First draft from our keywords"
    _choose(app, "◀ Newer versions")
    assert app.window.current.page == 0 and app.window.current.chosen == chosen.chosen
    app.window.back()  # page turns replaced the screen: one step back leaves the versions
    assert not isinstance(app.window.current, VersionsScreen)


def test_history_pages_and_a_version_compares_with_any_other(make_app):
    app = make_app()
    now = _setup(app)
    app.window.state.facilitator = app.services.facilitator.set_passphrase(app.project_id,
                                                                           "our group 2026").session
    app.window.show_facilitator()
    app.window.show_history(now.id)
    assert isinstance(app.window.current, HistoryScreen)
    assert len(_names(app, "Version ")) == HISTORY_PAGE
    _choose(app, "Older versions ▶")
    assert app.window.current.page == 1 and len(_names(app, "Version ")) == MORE
    _choose(app, "◀ Newer versions")
    newest = _names(app, f"Version {PAGE_SIZE + MORE} ")[0]
    _choose(app, newest)
    review = app.window.current
    assert isinstance(review, VersionReviewScreen) and review.version.number == PAGE_SIZE + MORE
    # Its neighbours first; the earlier versions a page away.
    assert len(_names(app, "Compare with version")) == MORE - 1
    _choose(app, "Earlier versions to compare")
    assert app.window.current is review
    assert len(_names(app, "Compare with version")) == HISTORY_PAGE
    _choose(app, "Compare with version 1 by Alex")
    compare = app.window.current
    assert isinstance(compare, CompareScreen) and compare.diff.changed
