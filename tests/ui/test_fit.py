"""Every participant screen fits the window at every size: no clipped word, nothing to scroll.

The window is built once per window size; each size setting is applied to the member's
profile and every participant screen is opened, and every page of it turned, through the
window's own navigation. Each is measured (see fit_check), never screenshotted.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QAbstractButton

from app.access.profile import AccessProfile
from app.ui.screens.base import Screen
from tests.ui.fit_check import problems, settle

SIZES = (100, 150, 200, 250, 300)
WINDOWS = ((1280, 720), (1366, 768), (1920, 1080))


def next_page(screen: Screen) -> QAbstractButton | None:
    """The screen's "Next page" tile, when there is another page."""
    found = [b for b in screen.findChildren(QAbstractButton)
             if b.objectName() == "page-next" and b.isVisible()]
    return found[0] if found else None


def every_page(app, name: str) -> Iterator[tuple[str, Screen]]:
    """The current screen, then each further page of it (turned as a member turns it)."""
    screen = app.window.current
    settle()
    for page in range(1, 40):
        settle()
        pages = getattr(screen.body, "pages", 1)
        yield f"{name}, page {page} of {pages}", screen
        if pages == 1:
            return
        tile = next_page(screen)
        assert tile is not None, f"{name}: no Next page tile on page {page} of {pages}"
        if page == pages:
            assert tile.accessibleName() == f"First page, page 1 of {pages}"
            tile.click()
            assert screen.body.page == 0
            return
        assert tile.accessibleName() == f"Next page, page {page + 1} of {pages}"
        tile.click()
        assert app.window.current is screen, "a page turn keeps the screen"
    raise AssertionError(f"{name}: the pages never end")


def participant_screens(app) -> Iterator[tuple[str, Screen]]:
    """Every participant screen, opened as a member opens it."""
    window = app.window
    window.show_members()
    yield from every_page(app, "members")
    alex = next(m for m in app.services.projects.list_members(app.project_id)
                if m.display_name == "Alex")
    window.pick_member(alex)
    yield from every_page(app, "home")
    prompts = app.services.projects.list_prompts(app.project_id)
    for prompt in prompts:
        window.show_prompt(prompt.id)
        yield from every_page(app, f"prompt {prompt.pair_role}")
    now = prompts[0]
    window.show_prompt(now.id)
    window.current.add_keyword()
    yield from every_page(app, "keyboard")
    window.current.panel.press_id("char:c")
    window.current.panel.press_id("char:a")
    yield from every_page(app, "keyboard, typing")
    window.back()
    window.show_definition(now.id)
    yield from every_page(app, "definition")
    version = app.services.drafts.current_version(now.id)
    window.show_sentence(now.id, version.id, 0)
    yield from every_page(app, "sentence")
    window.show_versions(now.id)
    yield from every_page(app, "versions")
    window.show_versions(now.id, version.id, replace=True)
    yield from every_page(app, "versions, one chosen")
    window.show_pair(now.id)
    yield from every_page(app, "now and future")
    window.show_settings()
    yield from every_page(app, "settings")
    window.show_switch_test()
    yield from every_page(app, "switch test")


def set_size(app, percent: int) -> None:
    """The member's profile at `percent`, saved and applied, as the Size setting does."""
    alex = app.members()["Alex"]
    profile = AccessProfile.from_dict({"size_percent": percent})
    app.services.projects.save_profile(alex, profile.to_dict())
    app.window.apply_profile(profile)


# The measurement of issue 16, kept strict: it passes (and this mark must go) once every
# participant screen pages instead of scrolling and every label fits (see the fit branch).
@pytest.mark.xfail(strict=True, reason="issue 16: screens still scroll and clip at large sizes")
@pytest.mark.parametrize("window_size", WINDOWS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_screen_fits_at_every_size(make_app, window_size):
    app = make_app()
    app.window.resize(*window_size)
    settle()
    found: list[str] = []
    for percent in SIZES:
        set_size(app, percent)
        seen = 0
        for name, screen in participant_screens(app):
            seen += 1
            found.extend(f"{percent}% {name}: {p}" for p in problems(screen, app.window))
        assert seen >= 13
    assert not found, f"{len(found)} problems:\n" + "\n".join(found)
