"""The switch test shows each press with its length and sets the switches by asking for them."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.access.profile import AccessProfile
from app.ui.screens.switch_test import SwitchTestScreen


def _open(app):
    app.key(Qt.Key.Key_Return)  # Alex
    app.window.show_switch_test()
    assert isinstance(app.window.current, SwitchTestScreen)
    return app.window.current


def test_presses_and_releases_are_shown_with_their_length(make_app):
    app = make_app()
    screen = _open(app)
    app.qtbot.keyPress(app.focus(), Qt.Key.Key_F5)
    app.clock.advance(0.4)
    app.qtbot.keyRelease(app.focus(), Qt.Key.Key_F5)
    assert screen.log.text().splitlines() == ["F5 released after 0.40 s", "F5 pressed"]


def test_set_switches_by_pressing_them(make_app):
    app = make_app()
    screen = _open(app)
    assert app.focus_name() == "Set my switches"
    app.key(Qt.Key.Key_Return)
    assert screen.instruction.text() == "Press your select switch now."
    assert app.window.status.text() == "Press your select switch now."
    app.key(Qt.Key.Key_F5)
    assert "Now press your second switch" in screen.instruction.text()
    app.key(Qt.Key.Key_F5)
    assert "already your select switch" in screen.instruction.text()
    app.key(Qt.Key.Key_F6)
    member = app.services.projects.get_member(app.members()["Alex"])
    profile = AccessProfile.from_dict(member.profile)
    assert (profile.switch1, profile.switch2) == ("F5", "F6")
    assert screen.instruction.text() == "Saved. Switch 1 is F5; switch 2 is F6."
    assert app.window.router.switches.switch_for("F5") is not None


def test_new_switch_drives_the_scan(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", first_item_extra=0.0)
    app.key(Qt.Key.Key_Space)
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_Space)  # Alex
    app.window.show_switch_test()
    screen = app.window.current
    assert app.focus_name() == "Actions"
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_Space)  # enter the actions
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_Space)  # Set my switches
    assert screen.instruction.text() == "Press your select switch now."
    app.key(Qt.Key.Key_1)
    assert "Now press your second switch" in screen.instruction.text()
    screen._timeout.timeout.emit()  # nobody pressed a second switch: one switch it is
    assert screen.instruction.text().startswith("Saved. Switch 1 is 1;")
    assert app.focus_name() == "Actions"
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_1)  # the new select switch enters the row
    assert app.focus_name() == "Set my switches"
    assert app.window.router.switches.switch_for("Space") is None
