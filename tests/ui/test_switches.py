"""Switch-only use: one switch in auto-scan, two switches in step-scan, one held switch."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt

from app.ui.screens.home import HomeScreen
from app.ui.screens.members import MemberScreen
from app.ui.screens.prompt import PromptScreen

NOW = "What does social care mean to us now?"


def test_one_switch_auto_scan_picks_member_and_opens_prompt(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", step_time=1.0, first_item_extra=0.7)
    assert isinstance(app.window.current, MemberScreen)
    assert app.focus_name() == "Members, row 1"
    assert app.window.scan.frame.isVisible()
    app.clock.advance(1.69)
    assert app.focus_name() == "Members, row 1"
    app.clock.advance(0.02)  # first item: step time + extra time
    assert app.focus_name() == "Members, row 2"
    app.clock.advance(1.0)
    assert app.focus_name() == "Actions"
    app.clock.advance(1.0)
    assert app.focus_name() == "Members, row 1"  # wrapped round
    app.key(Qt.Key.Key_Space)  # enter row 1
    assert app.focus_name() == "Alex"
    app.clock.advance(0.5 + 1.7)  # pause after a choice, then the first item's time
    assert app.focus_name() == "Sam"
    app.key(Qt.Key.Key_Space)
    assert isinstance(app.window.current, HomeScreen)
    assert app.window.state.member.display_name == "Sam"
    # Sam has the default profile: keys only, so the scan stops and Tab order applies.
    assert not app.window.scan.active


def test_one_switch_opens_a_prompt(make_app):
    app = make_app(last_member="Alex", scan_mode="auto")
    app.key(Qt.Key.Key_Space)  # enter Members row 1
    app.clock.advance(0.3)  # a person cannot press twice within the repeat guard
    app.key(Qt.Key.Key_Space)  # Alex: his own profile keeps auto-scan
    assert isinstance(app.window.current, HomeScreen)
    assert app.focus_name() == "Questions, row 1"
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_Space)
    assert app.focus_name() == NOW
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_Space)
    assert isinstance(app.window.current, PromptScreen)
    assert app.window.current.prompt.text == NOW
    assert app.focus_name() == "Actions"
    assert NOW in app.speaker.texts  # the prompt is read aloud on entry


def test_back_item_leaves_a_wrong_row(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", first_item_extra=0.0)
    app.key(Qt.Key.Key_Space)  # into row 1 by mistake
    assert app.focus_name() == "Alex"
    app.clock.advance(0.5 + 1.0 * 3)  # Alex -> Sam -> Jordan -> Back
    assert app.window.scan.scanner.highlighted.is_back
    assert app.focus_name().startswith("Back out of Members, row 1")
    app.key(Qt.Key.Key_Space)
    assert app.focus_name() == "Members, row 1"
    assert isinstance(app.window.current, MemberScreen)


def test_two_switches_step_scan(make_app):
    app = make_app(last_member="Alex", scan_mode="step", switch1="Space", switch2="Return")
    assert app.focus_name() == "Members, row 1"
    app.clock.advance(30)
    assert app.focus_name() == "Members, row 1"  # nothing moves by itself
    app.key(Qt.Key.Key_Space)  # move
    assert app.focus_name() == "Members, row 2"
    app.key(Qt.Key.Key_Return)  # select: enter row 2
    assert app.focus_name() == "Priya"
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_Space)
    assert app.focus_name() == "Kai"
    app.key(Qt.Key.Key_Return)
    assert isinstance(app.window.current, HomeScreen)
    assert app.window.state.member.display_name == "Kai"


def test_two_switches_open_prompt_with_own_profile(make_app):
    app = make_app(last_member="Alex", scan_mode="step", switch1="F1", switch2="F2")
    app.key(Qt.Key.Key_F2)  # enter row 1
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_F2)  # Alex
    assert isinstance(app.window.current, HomeScreen)
    app.key(Qt.Key.Key_F1)
    assert app.focus_name() == "Questions, row 2"
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_F2)
    assert app.focus_name() == "What should social care be in the future?"
    app.clock.advance(0.3)
    app.key(Qt.Key.Key_F2)
    assert isinstance(app.window.current, PromptScreen)
    assert app.window.current.prompt.pair_role == "future"


def test_hold_to_scan(make_app):
    app = make_app(last_member="Alex", scan_mode="hold", first_item_extra=0.0)
    widget = app.focus()
    app.qtbot.keyPress(widget, Qt.Key.Key_Space)
    app.clock.advance(1.0)
    assert app.focus_name() == "Members, row 2"
    app.qtbot.keyRelease(app.focus(), Qt.Key.Key_Space)
    assert app.focus_name() == "Priya"


def test_cues_are_spoken_for_each_highlight(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", first_item_extra=0.0)
    app.clock.advance(1.0)
    app.clock.advance(1.0)
    cues = [c for c in app.speaker.said if c[1].value == "cue"]
    assert [c[0] for c in cues][-3:] == ["Members, row 1", "Members, row 2", "Actions"]


def test_wait_for_cue_holds_the_scan_until_the_cue_ends(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", wait_for_cue=True, first_item_extra=0.0)
    assert app.focus_name() == "Members, row 1"
    app.clock.advance(5.0)
    assert app.focus_name() == "Members, row 1"  # the cue is still being spoken
    app.speaker.finish()
    app.qtbot.waitUntil(lambda: not app.window.scan.scanner.cue_pending, timeout=1000)
    app.clock.advance(0.0)
    assert app.focus_name() == "Members, row 2"
    app.clock.advance(5.0)
    assert app.focus_name() == "Members, row 2"


def test_speech_off_means_no_cues(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", speech_on=False, first_item_extra=0.0)
    app.clock.advance(2.0)
    assert app.focus_name() == "Actions"
    assert not [c for c in app.speaker.said if c[1].value == "cue"]


def test_the_frame_surrounds_the_first_highlight_before_any_press(make_app, qtbot):
    # Step-scan: nothing moves by itself, so a frame drawn before the screen was laid out
    # would stay in the wrong place until the first press.
    app = make_app(last_member="Alex", scan_mode="step")
    frame = app.window.scan.frame

    def framed() -> bool:
        target = frame.target
        if target is None or not frame.isVisible():
            return False
        where = QRect(target.mapTo(app.window, target.rect().topLeft()), target.size())
        return frame.geometry().contains(where) and frame.geometry().width() < where.width() + 40

    qtbot.waitUntil(framed, timeout=2000)
    assert frame.target.accessibleName() == "Members, row 1"
