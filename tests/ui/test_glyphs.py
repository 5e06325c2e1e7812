"""Every character on every tile is in the font that tile is drawn with.

Qt draws a character its font lacks as an empty box when no installed font has it ("✋" and
"＋" did, with only the DejaVu fonts the app installs). The screens are opened as a member and
the facilitator find them, a meeting running so the Ask row shows; each tile's own font (after
the theme's style sheet: bold for actions, larger for keys) is asked for each character."""

from __future__ import annotations

from PySide6.QtGui import QFontInfo, QRawFont
from PySide6.QtWidgets import QApplication

from app.ui.screens.base import ASK_SYMBOLS
from app.ui.widgets import Tile
from tests.meeting_setup import plan_meeting


def _missing(window) -> dict[str, set[str]]:
    """For each tile label on show, the characters its font cannot draw."""
    QApplication.processEvents()
    found: dict[str, set[str]] = {}
    for tile in window.current.findChildren(Tile):
        tile.ensurePolished()
        raw = QRawFont.fromFont(tile.font())
        assert raw.isValid(), QFontInfo(tile.font()).family()
        # (by code point: PySide's QChar overload misreads any character past Latin-1)
        lacking = {ch for ch in tile.text() if not ch.isspace() and not raw.supportsCharacter(ord(ch))}
        if lacking:
            found[tile.text()] = lacking
    return found


def _meeting(app):
    """Start a meeting (so the Ask row shows); the "now" prompt and the facilitator's session."""
    planned = plan_meeting(app.services, app.project_id, "Meeting two", ("vote", "Vote", {"dots": 3}))
    return planned.prompt, planned.session


def _pick(app, name: str) -> None:
    app.window.pick_member(next(m for m in app.services.projects.list_members(app.project_id)
                                if m.display_name == name))


def _walk(app) -> dict[str, dict[str, set[str]]]:
    """Open the screens a member and the facilitator use; what each lacks, by screen."""
    w = app.window
    missing: dict[str, dict[str, set[str]]] = {}

    def look(name: str) -> None:
        if lacking := _missing(w):
            missing[name] = lacking

    prompt, fs = _meeting(app)
    look("members")
    _pick(app, "Alex")
    for name, show in (("home", w.show_home), ("prompt", lambda: w.show_prompt(prompt.id)),
                       ("definition", lambda: w.show_definition(prompt.id)),
                       ("versions", lambda: w.show_versions(prompt.id)),
                       ("pair", lambda: w.show_pair(prompt.id)),
                       ("settings", w.show_settings), ("phrases", w.show_phrases),
                       ("summary", w.show_summary), ("switch test", w.show_switch_test)):
        show()
        look(name)
    w.show_prompt(prompt.id)
    w.current.add_keyword()
    look("keyboard")
    w.show_members()
    w.state.member = None
    w.facilitator_unlocked(fs)
    for name, show in (("facilitator", w.show_facilitator), ("meeting", w.show_meeting),
                       ("dashboard", lambda: w.show_dashboard(prompt.id)),
                       ("history", lambda: w.show_history(prompt.id)), ("participants", w.show_participants),
                       ("involvement", w.show_involvement), ("audit", w.show_audit),
                       ("bundles", w.show_bundles), ("exports", w.show_exports)):
        show()
        look(name)
    return missing


def test_every_tile_character_is_in_its_font(make_app):
    app = make_app()
    assert _walk(app) == {}


def test_the_ask_row_has_its_symbols_in_a_running_meeting(make_app):
    app = make_app()
    _meeting(app)
    _pick(app, "Sam")
    asks = next(g for g in app.window.current.scan_groups() if g.label == "Ask")
    assert [t.text().split(" ", 1)[0] for t in asks.items] == list(ASK_SYMBOLS.values())
    assert [t.accessibleName() for t in asks.items] == [
        "I need a break", "Please say that again", "I want to say something"]  # spoken without them
    assert _missing(app.window) == {}
