"""Keyboard-only use: arrows or Tab move, Enter or Space act, Escape goes back."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.ui.screens.home import HomeScreen
from app.ui.screens.members import MemberScreen
from app.ui.screens.prompt import PromptScreen


def test_pick_member_and_open_prompt_with_keys_alone(make_app):
    app = make_app()
    assert isinstance(app.window.current, MemberScreen)
    assert app.focus_name() == "Alex"
    app.key(Qt.Key.Key_Right)
    assert app.focus_name() == "Sam"
    app.key(Qt.Key.Key_Return)
    assert isinstance(app.window.current, HomeScreen)
    assert app.window.state.member.display_name == "Sam"
    assert app.focus_name() == "What does social care mean to us now?"
    app.key(Qt.Key.Key_Down)
    assert app.focus_name() == "What should social care be in the future?"
    app.key(Qt.Key.Key_Up)
    app.key(Qt.Key.Key_Space)
    assert isinstance(app.window.current, PromptScreen)
    assert app.window.current.prompt.text == "What does social care mean to us now?"
    app.key(Qt.Key.Key_Escape)
    assert isinstance(app.window.current, HomeScreen)
    app.key(Qt.Key.Key_Escape)
    assert isinstance(app.window.current, MemberScreen)


def test_tab_reaches_the_same_tiles_as_arrows(make_app):
    app = make_app()
    app.key(Qt.Key.Key_Tab)
    assert app.focus_name() == "Sam"
    app.qtbot.keyClick(app.focus(), Qt.Key.Key_Backtab)
    assert app.focus_name() == "Alex"


def test_me_too_and_undo_with_keys(make_app):
    app = make_app()
    app.key(Qt.Key.Key_Return)  # Alex
    app.key(Qt.Key.Key_Return)  # first prompt
    screen = app.window.current
    assert isinstance(screen, PromptScreen)
    # Actions come first in scan order but Tab order follows the screen: find "unheard".
    for _ in range(20):
        if app.focus_name().startswith("unheard"):
            break
        app.key(Qt.Key.Key_Tab)
    assert app.focus_name().startswith("unheard, 0 me too")
    app.key(Qt.Key.Key_Return)
    assert app.focus_name().startswith("unheard, 1 me too")
    counts = {c.text: c.endorsements for c in app.services.contributions.list_for_prompt(
        screen.prompt.id)}
    assert counts["unheard"] == 1
    assert app.window.status.text() == "Me too: unheard"
    undo = [t for t in app.window.tiles() if t.accessibleName() == "Undo"][0]
    undo.setFocus()
    app.key(Qt.Key.Key_Return)
    counts = {c.text: c.endorsements for c in app.services.contributions.list_for_prompt(
        screen.prompt.id)}
    assert counts["unheard"] == 0
    assert "Undone" in app.window.status.text()
