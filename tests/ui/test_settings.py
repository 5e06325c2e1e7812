"""A member changes their own settings and undoes a change: by switch and by keys.

Settings open on the list of their sections; choosing one opens it (Back returns to the list).
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.access.profile import AccessProfile
from app.ui.screens.home import HomeScreen
from app.ui.screens.settings import SettingsScreen


def _profile(app, name):
    return AccessProfile.from_dict(app.services.projects.get_member(app.members()[name]).profile)


def test_one_switch_changes_step_time_and_undoes_it(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", first_item_extra=0.0, pause_after_select=0.0)
    app.key(Qt.Key.Key_Space)  # enter Members row 1
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_Space)  # Alex
    assert isinstance(app.window.current, HomeScreen)
    app.clock.advance(2.0)  # Questions row 1 -> row 2 -> Actions
    assert app.focus_name() == "Actions"
    app.key(Qt.Key.Key_Space)
    assert app.focus_name() == "Settings"
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_Space)
    assert isinstance(app.window.current, SettingsScreen)
    assert app.focus_name() == "Actions"
    app.clock.advance(1.0)  # Actions -> the first row of sections
    assert app.focus_name() == "Sections, row 1"
    app.key(Qt.Key.Key_Space)
    assert app.focus_name() == "Scanning"
    app.clock.advance(1.0)
    assert app.focus_name() == "Scan timing"
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_Space)
    assert app.window.current.title == "My settings: Scan timing"
    assert app.focus_name() == "Actions"
    app.clock.advance(1.0)  # Actions -> Step time
    assert app.focus_name() == "Step time: 1.0 seconds"
    app.key(Qt.Key.Key_Space)
    assert app.focus_name() == "Step time less"
    app.clock.advance(1.0)
    assert app.focus_name() == "Step time more"
    app.key(Qt.Key.Key_Space)
    assert _profile(app, "Alex").step_time == 1.1
    assert app.window.scan.scanner.settings.step_time == 1.1  # applied at once
    assert app.window.status.text() == "Step time: 1.1 seconds"
    # After a choice the scan restarts from the top: the action bar, which holds Undo.
    assert app.focus_name() == "Actions"
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_Space)
    assert app.focus_name() == "Back"
    app.clock.advance(1.1)
    assert app.focus_name() == "Undo"
    app.key(Qt.Key.Key_Space)
    assert _profile(app, "Alex").step_time == 1.0
    assert app.window.scan.scanner.settings.step_time == 1.0
    assert "Undone" in app.window.status.text()


def test_stay_in_place_makes_a_second_nudge_one_press(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", restart_after_select="stay",
                   first_item_extra=0.0, pause_after_select=0.0)
    app.key(Qt.Key.Key_Space)
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_Space)  # Alex
    app.window.show_settings("timing")
    while app.focus_name() != "Step time: 1.0 seconds":
        app.clock.run_until_next()
    app.key(Qt.Key.Key_Space)
    app.clock.advance(1.0)
    assert app.focus_name() == "Step time more"
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_Space)
    assert app.focus_name() == "Step time more"
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_Space)
    assert _profile(app, "Alex").step_time == 1.2


def test_keys_change_theme_and_size(make_app):
    app = make_app()
    app.key(Qt.Key.Key_Return)  # Alex
    app.window.show_settings("size")
    screen = app.window.current
    tiles = {t.accessibleName(): t for t in app.window.tiles()}
    tiles["Theme: Light"].setFocus()
    app.key(Qt.Key.Key_Return)
    assert _profile(app, "Alex").theme == "light"
    assert "#FAFAFA" in app.window.styleSheet()
    assert app.focus_name() == "Theme: Light, chosen"
    tiles = {t.accessibleName(): t for t in app.window.tiles()}
    before = tiles["Size more"].height()
    tiles["Size more"].setFocus()
    app.key(Qt.Key.Key_Return)
    assert _profile(app, "Alex").size_percent == 125
    app.qtbot.waitUntil(lambda: app.focus() is not None and app.focus().height() > before)
    assert screen is not app.window.current  # rebuilt in place


def test_switching_to_auto_scan_starts_scanning(make_app):
    app = make_app()
    app.key(Qt.Key.Key_Return)  # Alex, keys only
    app.window.show_settings("scanning")
    tiles = {t.accessibleName(): t for t in app.window.tiles()}
    tiles["Scan mode: Auto-scan 1 switch"].setFocus()
    app.key(Qt.Key.Key_Return)
    assert app.window.scan.active
    assert app.window.scan.frame.isVisible()
    assert _profile(app, "Alex").scan_mode == "auto"


def test_two_switches_change_a_setting_and_undo_it(make_app):
    app = make_app(last_member="Alex", scan_mode="step", switch1="Space", switch2="Return")

    def move():
        app.clock.advance(0.3)  # people do not press faster than the repeat guard
        app.key(Qt.Key.Key_Space)

    def choose():
        app.clock.advance(0.3)
        app.key(Qt.Key.Key_Return)

    choose()  # enter Members row 1
    choose()  # Alex
    move()
    move()
    assert app.focus_name() == "Actions"
    choose()
    assert app.focus_name() == "Settings"
    choose()
    assert isinstance(app.window.current, SettingsScreen)
    move()
    move()  # Actions, Sections row 1, row 2: Pointing, Size and colours, Speech
    assert app.focus_name() == "Sections, row 2"
    choose()
    move()
    assert app.focus_name() == "Size and colours"
    choose()
    assert app.window.current.title == "My settings: Size and colours"
    move()  # Actions, then Theme
    assert app.focus_name() == "Theme: High contrast"
    choose()
    move()
    assert app.focus_name() == "Theme: Light"
    choose()
    assert _profile(app, "Alex").theme == "light"
    assert app.focus_name() == "Actions"
    choose()
    move()
    assert app.focus_name() == "Undo"
    choose()
    assert _profile(app, "Alex").theme == "high-contrast"
    assert "#000000" in app.window.styleSheet()


def test_keyboard_changes_a_setting_and_undoes_it(make_app):
    app = make_app()
    app.key(Qt.Key.Key_Return)  # Alex
    for _ in range(2):
        app.key(Qt.Key.Key_Down)
    assert app.focus_name() == "Settings"
    app.key(Qt.Key.Key_Return)
    assert app.focus_name() == "Back"
    while app.focus_name() != "Scan timing":
        app.key(Qt.Key.Key_Tab)
    app.key(Qt.Key.Key_Return)
    assert app.focus_name() == "Back"
    while app.focus_name() != "Loops before the scan rests more":
        app.key(Qt.Key.Key_Tab)
    app.key(Qt.Key.Key_Return)
    assert _profile(app, "Alex").loops_before_rest == 3
    assert app.focus_name() == "Loops before the scan rests more"  # keyboard focus stays
    app.key(Qt.Key.Key_Escape)
    assert app.window.current.title == "My settings"  # the list of sections
    app.key(Qt.Key.Key_Escape)
    assert isinstance(app.window.current, HomeScreen)
    undo = next(t for t in app.window.tiles() if t.accessibleName() == "Undo")
    while app.focus() is not undo:
        app.key(Qt.Key.Key_Tab)
    app.key(Qt.Key.Key_Return)
    assert _profile(app, "Alex").loops_before_rest == 2


def test_a_mouse_button_can_be_the_switch(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", switch1="Mouse:Right", switch2="")
    assert app.focus_name() == "Members, row 1"
    app.qtbot.mouseClick(app.window.current, Qt.MouseButton.RightButton)
    assert app.focus_name() == "Alex"
    app.clock.advance(0.3)
    app.qtbot.mouseClick(app.window.current, Qt.MouseButton.RightButton)
    assert isinstance(app.window.current, HomeScreen)
