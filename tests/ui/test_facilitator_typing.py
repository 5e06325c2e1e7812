"""Facilitator text fields take keyboard typing as typing.

Every key is typed where a keyboard sends it (whatever has the focus at that moment) and passes
the window's one event filter. A write screen opens with the focus on its first key, and Space
and Return there pressed that key: each Space chose the first prediction ("PA came too: carer's
costs" was saved as "PARTY cameras too:much carer'scosts") and Return after a passphrase typed
one more character instead of submitting."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.ui.screens.facilitator.home import FacilitatorHome
from app.ui.screens.write import WriteScreen
from tests.ui.test_facilitator import PASSPHRASE, _tab_to
from tests.ui.test_involvement_ui import _open_alex


def type_at_focus(app, text: str) -> None:
    """Each key goes where a keyboard sends it: to whatever has the focus at that moment."""
    for ch in text:
        app.qtbot.keyClicks(app.focus(), ch)


def _note_screen(app) -> WriteScreen:
    _open_alex(app)
    _tab_to(app, "Add a note")
    app.key(Qt.Key.Key_Return)
    screen = app.window.current
    assert isinstance(screen, WriteScreen) and app.focus() is not screen.panel.field
    return screen


def test_a_note_typed_on_the_keyboard_is_saved_as_typed(make_app):
    app = make_app()
    screen = _note_screen(app)
    note = "PA came too: carer's costs"
    type_at_focus(app, note)
    assert screen.panel.text == note
    app.key(Qt.Key.Key_Return)  # Enter in a one-line field submits
    assert app.window.current.record.notes == (note,)


def test_keys_on_screen_still_work_from_the_keyboard_in_facilitator_mode(make_app):
    # Tab leaves the field for the keys; Space there presses the key, as before.
    app = make_app()
    screen = _note_screen(app)
    type_at_focus(app, "PA")
    assert app.focus() is screen.panel.field
    _tab_to(app, "space")
    app.key(Qt.Key.Key_Space)
    assert screen.panel.text == "PA " and app.focus_name() == "space"
    type_at_focus(app, "x")  # typing again goes back into the field
    assert screen.panel.text == "PA x" and app.focus() is screen.panel.field


def test_the_passphrase_typed_on_the_keyboard_unlocks(make_app):
    app = make_app()
    _tab_to(app, "Facilitator")
    app.key(Qt.Key.Key_Return)
    screen = app.window.current
    assert isinstance(screen, WriteScreen) and screen.request.secret
    type_at_focus(app, PASSPHRASE)
    assert screen.panel.text == PASSPHRASE
    app.key(Qt.Key.Key_Return)
    assert isinstance(app.window.current, FacilitatorHome)

# A participant's switch keys on their writing screen (letters typed, Space still switch 1):
# tests/ui/test_writing.py::test_a_physical_keyboard_types_into_the_text_while_the_scan_is_on_the_keys
