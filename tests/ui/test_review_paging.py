"""The review dashboard and the audit log draw a page at a time, turned by switch or keys, and
every record stays reachable: by paging, through a theme or action or member filter that holds on
every page."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.ui.screens.facilitator.audit import PAGE as AUDIT_PAGE
from app.ui.screens.facilitator.audit import AuditScreen
from app.ui.screens.facilitator.dashboard import PAGE_SIZE, DashboardScreen, KeywordReviewScreen
from app.ui.screens.facilitator.home import FacilitatorHome
from tests.ui.conftest import choose_key
from tests.ui.test_facilitator import _tab_to, _unlock

PASSPHRASE = "our group 2026"


def _now(app):
    return next(p for p in app.services.projects.list_prompts(app.project_id) if p.pair_role == "now")


def _keywords(app, prefix):
    return [t.accessibleName() for t in app.window.tiles() if t.accessibleName().startswith(prefix)]


def _audit_line(row):
    return (f"{row.created_at:%Y-%m-%d %H:%M} · {row.member or 'no one'} · "
            f"{row.action.replace('_', ' ')} · {row.target_kind}")


def test_dashboard_and_audit_log_turn_pages_by_switch(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", step_time=0.5, first_item_extra=0.0)
    now = _now(app)
    for i in range(PAGE_SIZE):
        app.services.contributions.add(app.members()["Sam"], now.id, f"extra word {i:02d}")
    session = app.services.facilitator.set_passphrase(app.project_id, PASSPHRASE).session
    rushed = app.services.review.create_theme(session, now.id, "Rushed").record_id
    app.window.state.facilitator = session
    app.window.show_facilitator()

    choose_key(app, f"Keywords and themes for {now.text}")
    first = app.window.current
    assert isinstance(first, DashboardScreen) and first.page == 0
    assert len(first.listing.keywords) == PAGE_SIZE and not _keywords(app, "extra word 39")
    choose_key(app, "Later keywords ▶")
    second = app.window.current
    assert isinstance(second, DashboardScreen) and second.page == 1
    assert second.listing.first == PAGE_SIZE + 1 and second.listing.last == second.listing.total
    target = _keywords(app, "extra word 39")[0]  # the newest keyword, on the second page
    choose_key(app, target)
    assert isinstance(app.window.current, KeywordReviewScreen)
    choose_key(app, "Move into Rushed")
    back = app.window.current
    assert isinstance(back, DashboardScreen) and back.page == 1  # back where the facilitator was
    assert "theme: Rushed" in _keywords(app, "extra word 39")[0]

    choose_key(app, "Show: Rushed (1)")  # a theme's keywords alone, wherever they were
    themed = app.window.current
    assert themed.listing.theme == rushed and [k.text for k in themed.listing.keywords] == ["extra word 39"]
    assert any(t.accessibleName() == "Rename “Rushed”" for t in app.window.tiles())
    choose_key(app, "Show: All keywords")
    assert app.window.current.listing.theme is None and app.window.current.page == 0

    choose_key(app, "Back")  # page turns and filters replaced the screen: one Back leaves it
    assert isinstance(app.window.current, FacilitatorHome)
    choose_key(app, "Audit log")
    log = app.window.current
    assert isinstance(log, AuditScreen) and log.page == 0 and log.listing.total > AUDIT_PAGE
    choose_key(app, "Older ▶")
    assert app.window.current.page == 1
    choose_key(app, "◀ Newer")
    assert app.window.current.page == 0


def test_audit_log_pages_and_filters_with_keys(make_app):
    app = make_app()
    now = _now(app)
    alex = app.members()["Alex"]
    for i in range(AUDIT_PAGE + 5):
        app.services.contributions.add(alex, now.id, f"audit word {i:02d}")
    _unlock(app)
    session = app.window.state.facilitator
    for name in ("Zed", "Yan", "Xu"):  # more members than a filter row shows at once
        app.services.participants.add_member(session, name)
    whole = app.services.facilitator.audit_log(session)
    later = whole[AUDIT_PAGE + 2]  # an entry on the second page

    _tab_to(app, "Audit log")
    app.key(Qt.Key.Key_Return)
    screen = app.window.current
    assert isinstance(screen, AuditScreen) and screen.listing.total == len(whole)
    assert later.id not in [r.id for r in screen.listing.rows]
    _tab_to(app, "Older ▶")
    app.key(Qt.Key.Key_Return)
    second_page = app.window.current
    assert second_page.page == 1 and later.id in [r.id for r in second_page.listing.rows]
    assert _audit_line(later) in second_page.text.splitlines()  # and drawn

    _tab_to(app, "Action: contribution added")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Member: Alex")
    app.key(Qt.Key.Key_Return)
    first = app.window.current
    assert first.filters == ("contribution_added", alex) and first.page == 0
    assert first.listing.total == len(app.services.facilitator.audit_log(session, alex, "contribution_added"))
    _tab_to(app, "Older ▶")
    app.key(Qt.Key.Key_Return)
    second = app.window.current
    assert second.page == 1 and second.filters == ("contribution_added", alex)  # the filters hold
    lines = second.text.splitlines()
    assert lines and all(" · Alex · contribution added · " in line for line in lines)

    assert not [t for t in app.window.tiles() if t.accessibleName().startswith("Member: Xu")]
    _tab_to(app, "Other member choices")
    app.key(Qt.Key.Key_Return)
    assert app.window.current is second  # the choices turned in place
    _tab_to(app, "Member: Xu")
    app.key(Qt.Key.Key_Return)
    assert app.window.current.filters == ("contribution_added", app.members()["Xu"])
    assert app.window.current.text == "No entries."


def test_dashboard_pages_with_keys(make_app):
    app = make_app()
    now = _now(app)
    for i in range(PAGE_SIZE):
        app.services.contributions.add(app.members()["Kai"], now.id, f"key word {i:02d}")
    _unlock(app)
    _tab_to(app, f"Keywords and themes for {now.text}")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Later keywords ▶")
    app.key(Qt.Key.Key_Return)
    assert app.window.current.page == 1 and _keywords(app, "key word 39")
    _tab_to(app, "◀ Earlier keywords")
    app.key(Qt.Key.Key_Return)
    assert app.window.current.page == 0 and not _keywords(app, "key word 39")


def test_a_theme_removed_elsewhere_leaves_the_dashboard_showing_every_keyword(make_app):
    app = make_app()
    now = _now(app)
    _unlock(app)
    session = app.window.state.facilitator
    theme = app.services.review.create_theme(session, now.id, "Gone soon").record_id
    _tab_to(app, f"Keywords and themes for {now.text}")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Show: Gone soon (0)")
    app.key(Qt.Key.Key_Return)
    assert app.window.current.listing.theme == theme and app.window.current.listing.total == 0
    app.services.review.delete_theme(session, theme)
    app.window.refresh()  # as the screen does when it notices a change
    shown = app.window.current
    assert isinstance(shown, DashboardScreen) and shown.listing.theme is None and shown.listing.total > 0
