"""Nothing that ends or destroys goes in one press: each such action asks first, in every scan
mode. One press opens the question and changes nothing; "No" or the time-out goes back to the
same screen; "Yes" does it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent

from app.access.profile import AccessProfile
from app.ui.screens.base import Screen
from app.ui.screens.confirm import ConfirmScreen
from app.ui.screens.home import HomeScreen
from app.ui.screens.members import MemberScreen
from app.ui.screens.write import WriteRequest
from tests.ui.conftest import App, choose

MODES = ("auto", "step", "hold", "off")
LONG = "Carers should listen to us first"


# --------------------------------------------------------------- one press, in each mode
def press_tile(app: App, mode: str, spoken: str) -> None:
    """Choose the tile spoken as `spoken` as a member in `mode` does: Tab and Enter on the
    keyboard, or its row and then the tile with one switch (auto, hold) or two (step)."""
    if mode == "off":
        for _ in range(120):
            if app.focus_name() == spoken:
                app.key(Qt.Key.Key_Return)
                return
            app.key(Qt.Key.Key_Tab)
        raise AssertionError(f"Tab never reached {spoken!r}")
    group = next((g for g in app.window.current.scan_groups()
                  if any(t.accessibleName() == spoken for t in g.items)), None)
    assert group is not None, f"no tile is spoken as {spoken!r}"
    names = [spoken] if _entered(app, group) else [group.label, spoken]
    for name in names:
        _select(app, mode, name)


def _entered(app: App, group) -> bool:
    path = app.window.scan.scanner.highlighted
    return path is not None and path.key.startswith(f"{group.key}.")


def _select(app: App, mode: str, name: str) -> None:
    if app.window.scan.scanner.resting:  # the scan rested after its loops: a press wakes it
        app.clock.advance(0.3)
        app.key(Qt.Key.Key_Space)
    if mode == "auto":
        choose(app, name)
    elif mode == "step":
        for _ in range(60):
            if app.focus_name() == name:
                break
            app.clock.advance(0.3)
            app.key(Qt.Key.Key_Space)  # switch 1 moves
        app.clock.advance(0.3)
        app.key(Qt.Key.Key_Return)  # switch 2 chooses
    else:  # hold: held, the highlight moves; let go, it chooses
        app.clock.advance(0.3)
        app.qtbot.keyPress(app.focus() or app.window, Qt.Key.Key_Space)
        for _ in range(60):
            if app.focus_name() == name:
                break
            app.clock.run_until_next()
        app.qtbot.keyRelease(app.focus() or app.window, Qt.Key.Key_Space)


# ------------------------------------------------------------------------ the actions
@dataclass
class Case:
    """How to reach an action, its tile, its "Yes", and how to tell it was done."""

    setup: Callable[[App], None]
    tile: str
    yes: str
    done: Callable[[App], bool]


def _member(app: App) -> None:
    app.window.pick_member(app.window.state.member or _info(app, "Alex"))


def _info(app: App, name: str):
    return app.services.projects.get_member(app.members()[name])


def _facilitator(app: App) -> None:
    result = app.services.facilitator.set_passphrase(app.project_id, "our group 2026")
    app.window.facilitator_unlocked(result.session)
    app.window.show_facilitator()


def _withdrawal(app: App) -> None:
    _facilitator(app)
    app.window.show_withdrawal(app.members()["Sam"], "anonymise")


def _phrases(app: App) -> None:
    app.services.phrases.save(app.members()["Alex"], "Nothing about us without us")
    _member(app)
    app.window.show_phrases()


def _writing(typed: str) -> Callable[[App], None]:
    def setup(app: App) -> None:
        _member(app)
        prompt = app.services.projects.list_prompts(app.project_id)[0]
        app.window.show_write(WriteRequest(
            title="Add a keyword", target=f"contribution:{prompt.id}", initial=LONG,
            submit=lambda text, _o: app.services.contributions.add(app.members()["Alex"], prompt.id, text)))
        app.writing = app.window.current
        if typed:
            field = app.window.current.panel.field
            app.qtbot.keyClicks(field, typed)  # a physical keyboard types into the field

    return setup


def _alex_phrases(app: App) -> list[str]:
    return app.services.phrases.list(app.members()["Alex"])


CASES = {
    "quit": Case(lambda app: None, "Quit", "Yes, quit", lambda app: not app.window.isVisible()),
    "lock": Case(_facilitator, "Lock and leave", "Yes, lock and leave",
                 lambda app: app.window.state.facilitator is None
                 and isinstance(app.window.current, MemberScreen)),
    "withdraw": Case(_withdrawal, "Confirm: withdraw and anonymise", "Yes, withdraw",
                     lambda app: "Sam" not in app.members()),  # shown by a placeholder now
    "delete-phrase": Case(_phrases, "Delete Nothing about us without us", "Yes, delete it",
                          lambda app: _alex_phrases(app) == []),
    "clear": Case(_writing(""), "clear", "Yes, clear it",
                  lambda app: app.writing.panel.text == ""),
    "leave-write": Case(_writing("ly"), "Cancel: keep for later", "Yes, leave",
                        lambda app: isinstance(app.window.current, HomeScreen)),
}


def _build(make_app, mode: str) -> App:
    app = make_app(last_member="Alex", scan_mode=mode, step_time=1.0, first_item_extra=0.0)
    scanning = AccessProfile(scan_mode=mode).to_dict()
    facilitator = next(m for m in app.services.projects.list_members(app.project_id)
                       if m.role == "facilitator")
    app.services.projects.save_profile(facilitator.id, scanning)  # the facilitator scans too
    return app


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", list(CASES))
def test_one_press_asks_first_no_and_the_time_out_go_back_yes_does_it(make_app, kind, mode):
    case = CASES[kind]
    app = _build(make_app, mode)
    case.setup(app)
    where: Screen = app.window.current
    assert not case.done(app)

    # One press: the question, "No" first and highlighted first, spoken; nothing changed.
    press_tile(app, mode, case.tile)
    question = app.window.current
    assert isinstance(question, ConfirmScreen)
    assert app.window.isVisible() and not case.done(app)
    assert app.focus_name() == "No, go back"
    assert [t.accessibleName() for t in question.scan_groups()[0].items] == ["No, go back", case.yes]
    assert question.title in app.speaker.said[-1][0] or any(
        question.title in said for said, _k, _i in app.speaker.said)

    # "No": back to the very same screen, nothing changed.
    press_tile(app, mode, "No, go back")
    assert app.window.current is where and app.window.asking is None
    assert not case.done(app)
    assert app.window.status.text() == "Nothing was changed."
    frame = app.window.scan.frame
    assert frame.isVisible() and frame.target is app.focus()  # the thick frame is back too

    # No answer: after the member's time (10 s by default) it answers "No" by itself.
    press_tile(app, mode, case.tile)
    assert app.window.asking is not None
    app.clock.advance(9.0)
    assert app.window.asking is not None
    app.clock.advance(1.01)
    assert app.window.current is where and app.window.asking is None
    assert not case.done(app)
    assert app.window.status.text() == "No answer, so nothing was changed."

    # "Yes": done.
    press_tile(app, mode, case.tile)
    press_tile(app, mode, case.yes)
    assert app.window.asking is None
    assert case.done(app)


def test_only_for_quitting_lets_the_rest_go_in_one_press_but_quit_still_asks(make_app):
    app = make_app(last_member="Alex", confirmations="quitting")
    _phrases(app)
    press_tile(app, "off", "Delete Nothing about us without us")
    assert _alex_phrases(app) == [] and app.window.asking is None
    app.window.show_members()
    press_tile(app, "off", "Quit")
    assert isinstance(app.window.current, ConfirmScreen) and app.window.isVisible()


def test_the_member_sets_the_time_out_and_escape_says_no(make_app):
    app = make_app(last_member="Alex", confirm_timeout=4)
    press_tile(app, "off", "Quit")
    screen = app.window.current
    assert screen.seconds_left() == 4 and "4 seconds" in screen.countdown.text()
    app.clock.advance(1.0)
    assert "3 seconds" in screen.countdown.text()
    app.key(Qt.Key.Key_Escape)
    assert isinstance(app.window.current, MemberScreen) and app.window.isVisible()


class _WindowManagerClose(QCloseEvent):
    """A close from the window system (its X, Alt+F4): Qt marks those spontaneous."""

    def spontaneous(self) -> bool:
        return True


def test_the_window_managers_close_asks_too(make_app):
    app = make_app(last_member="Alex")
    app.window.closeEvent(_WindowManagerClose())
    assert isinstance(app.window.current, ConfirmScreen) and app.window.isVisible()
    press_tile(app, "off", "Yes, quit")
    assert not app.window.isVisible()


def test_leaving_unchanged_writing_and_clearing_a_short_text_do_not_ask(make_app):
    app = make_app(last_member="Alex")
    _member(app)
    prompt = app.services.projects.list_prompts(app.project_id)[0]
    request = WriteRequest(title="Add a keyword", target=f"contribution:{prompt.id}",
                           initial="kind", submit=lambda text, _o: None)
    app.window.show_write(request)
    press_tile(app, "off", "Cancel: keep for later")  # nothing new written: it just leaves
    assert isinstance(app.window.current, HomeScreen)
    app.window.show_write(request)
    press_tile(app, "off", "clear")  # four letters are quicker to write again than to confirm
    assert app.window.current.panel.text == "" and app.window.asking is None


def test_old_profiles_load_with_confirmations_on():
    old = {"scan_mode": "auto", "step_time": 1.5}  # saved before these settings existed
    profile = AccessProfile.from_dict(old)
    assert profile.confirmations == "all" and profile.confirm_timeout == 10
    assert profile.asks_first("quit") and profile.asks_first("clear")
    only_quit = AccessProfile(confirmations="quitting")
    assert only_quit.asks_first("quit") and not only_quit.asks_first("delete-phrase")
