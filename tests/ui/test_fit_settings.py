"""Settings fit the window at every Size (issue 16): sections, and pages instead of scrolling.

Every section of Settings, and every page of each, is opened as a member opens it (the list,
then a section; the "Next page" tile turned) at each Size in three windows, and measured as
the real window is: the window keeps its size, no scroll bar can scroll, every label and tile
text fits by its own font metrics and every target is 44 x 44 px or more (fit_check). Then a
switch user at 300 % in 1366 x 768 opens Settings, goes to "Size and colours" and changes
the Size, by one switch alone, through the window's own event filter.
"""

from __future__ import annotations

import pytest

from app.access.profile import AccessProfile
from app.ui.screens.settings import SECTIONS, SettingsScreen
from app.ui.theme import font_px
from tests.ui.conftest import choose_key
from tests.ui.fit_check import problems, settle
from tests.ui.test_fit import SIZES, WINDOWS, set_size


def pages_of(app, where: str) -> list[str]:
    """Turn every page of the settings screen on show, as a member does; the problems found
    on each, and the settings rows seen, page by page."""
    window = app.window
    found: list[str] = []
    for page in range(window.current.fit.pages):
        settle()  # (a rebuild meanwhile, for a change from elsewhere, keeps the page)
        screen = window.current
        assert isinstance(screen, SettingsScreen)
        fit = screen.fit
        assert fit.page == page
        found.extend(f"{where}, page {page + 1} of {fit.pages}: {p}" for p in problems(screen, window))
        groups = screen.scan_groups()
        if fit.pages == 1:
            assert not fit.pager.isVisible()
            break
        # the page tile is scanned like any other, last, and says where it leads
        assert groups[-1] is fit.pager_group and fit.pager_tile.isVisible()
        following = (page + 1) % fit.pages
        leads = "Next page" if following else "First page"
        assert fit.pager_tile.accessibleName() == f"{leads}, page {following + 1} of {fit.pages}"
        assert fit.pager_tile.label == f"{leads}:\n{following + 1} of {fit.pages}"
        fit.pager_tile.click()
        assert window.current is screen, "a page turn keeps the screen"
    return found


def rows_seen(screen: SettingsScreen) -> list[str]:
    """The scan groups of every page (turning through them all, back to the first)."""
    seen: list[str] = []
    for _ in range(screen.fit.pages):
        seen.extend(g.key for g in screen.scan_groups()[1:] if g.key != "pages")
        if screen.fit.pages > 1:
            screen.fit.pager_tile.click()
    return seen


@pytest.mark.parametrize("percent", SIZES, ids=lambda p: f"{p}%")
@pytest.mark.parametrize("window_size", WINDOWS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_section_and_page_fits_at_every_size(make_app, window_size, percent):
    app = make_app()
    window = app.window
    window.resize(*window_size)
    alex = app.services.projects.get_member(app.members()["Alex"])
    window.pick_member(alex)
    found: list[str] = []
    for scan_mode in ("off", "auto"):  # a switch user's rows keep a place for "Leave row"
        set_size(app, percent)
        window.apply_profile(AccessProfile.from_dict({"size_percent": percent, "scan_mode": scan_mode}))
        window.show_settings()
        found.extend(pages_of(app, f"{scan_mode}: the list"))
        for section in SECTIONS:
            window.show_settings(section.key)
            found.extend(pages_of(app, f"{scan_mode}: {section.title}"))
            seen = rows_seen(window.current)
            wanted = [f"setting-{field}" for field in section.fields]
            assert [k for k in seen if k.startswith("setting-")] == wanted  # each row once, in order
            window.back()
            assert window.current.title == "My settings"  # Back returns to the list
        window.back()
        assert window.size().toTuple() == window_size  # the window keeps its size
    assert not found, f"{len(found)} problems:\n" + "\n".join(found)


def choose_shown(app, spoken: str) -> None:
    """Choose the tile spoken as `spoken`, turning pages (by switch) until it is on show."""
    for _ in range(8):
        if any(t.accessibleName() == spoken for t in app.window.tiles()):
            choose_key(app, spoken)
            return
        choose_key(app, app.window.current.fit.pager_tile.accessibleName())
    raise AssertionError(f"no page shows {spoken!r}")


def test_a_switch_user_at_300_percent_changes_the_size(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", size_percent=300, first_item_extra=0.0,
                   pause_after_select=0.0, speech_on=False)
    window = app.window
    window.resize(1366, 768)
    settle()
    choose_key(app, "Alex")
    choose_key(app, "Settings")
    assert window.current.title == "My settings"
    choose_shown(app, "Size and colours")
    screen = window.current
    assert screen.title == "My settings: Size and colours"
    settle()
    assert problems(screen, window) == []
    choose_shown(app, "Size less")  # 300 % is the largest: one step smaller
    saved = AccessProfile.stored(app.services.projects.get_member(app.members()["Alex"]).profile)
    assert saved.size_percent == 275
    assert window.state.profile.size_percent == 275
    assert f"font-size: {font_px(275)}px" in window.styleSheet()  # applied at once
    settle()
    rebuilt = window.current
    assert rebuilt is not screen and rebuilt.title == "My settings: Size and colours"
    assert any(t.accessibleName() == "Size less" for t in window.tiles())  # its page still on show
    assert window.size().toTuple() == (1366, 768)
    assert problems(rebuilt, window) == []
