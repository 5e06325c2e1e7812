"""The live meeting as a new user tried it under Xvfb, each defect met there tested as it was
met: the facilitator by keys (the focus after Enter on a step, a Reveal or an ask; "End the
meeting" asking first; the asks waiting on the facilitator's home; meetings' names and days),
a member by one or two switches (think first keeping the others' keywords out of the
predictions; the passphrase screen naming the switch keys). Every key goes through the window's
event filter."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.services.review.involvement_dto import day_text
from app.ui.screens.confirm import ConfirmScreen
from app.ui.screens.facilitator.meeting import MeetingScreen
from tests.meeting_setup import plan_meeting
from tests.ui.conftest import App, choose_key

PASSPHRASE = "our-group-2026"


def _to(app: App, name: str, limit: int = 60) -> None:
    """Move the keyboard focus with the arrow key until `name` has it."""
    for _ in range(limit):
        if app.focus_name() == name:
            return
        app.key(Qt.Key.Key_Right)
    raise AssertionError(f"the focus never reached {name!r}; it is on {app.focus_name()!r}")


def _meeting(app: App) -> tuple[object, str, str]:
    s, people = app.services, app.members()
    planned = plan_meeting(s, app.project_id, "Today's meeting",
                           ("keywords", "Keywords for NOW", {"think_first": True}),
                           ("vote", "Vote", {"dots": 3}), passphrase=PASSPHRASE)
    fs, meeting, (keywords, vote) = planned.session, planned.meeting, planned.steps
    s.meetings.reveal(fs, keywords)  # revealed: the vote's Reveal tile will push the steps down
    s.live.ask(people["Alex"], "break")
    app.window.facilitator_unlocked(fs)
    app.window.show_meeting()
    assert isinstance(app.window.current, MeetingScreen)
    return fs, meeting, vote


def test_a_second_enter_never_moves_the_group_back(make_app):
    app = make_app()
    _fs, meeting, vote = _meeting(app)
    live = app.services.live
    _to(app, "Move the group to Vote")
    app.key(Qt.Key.Key_Return)
    assert live.running(app.project_id).current.id == vote
    assert app.focus_name() == "Move the group to Vote"  # still the step chosen, not step 1
    _to(app, "Reveal the results")
    app.key(Qt.Key.Key_Return)
    assert app.window.status.text() == "Results revealed."
    # The Reveal tile is gone: the focus goes to the top, as the scan does ("Back"), not to the
    # step tile that took its place, where a second Enter moved everyone back to step 1.
    assert app.focus_name() == "Back"
    _to(app, "Alex: I need a break. Choose when answered")
    app.key(Qt.Key.Key_Return)
    assert app.window.status.text() == "Answered Alex: “I need a break”. It has gone from every screen."
    assert app.focus_name() == "Back"
    assert live.running(app.project_id).current.id == vote and live.running(app.project_id).id == meeting


def test_ending_the_meeting_asks_first(make_app):
    app = make_app()
    fs, meeting, _vote = _meeting(app)
    _to(app, "End the meeting")
    app.key(Qt.Key.Key_Return)
    asked = app.window.current
    assert isinstance(asked, ConfirmScreen) and asked.title == "End “Today's meeting”?"
    assert app.focus_name() == "No, go back"
    app.key(Qt.Key.Key_Return)
    assert app.window.status.text() == "Nothing was changed."
    assert app.services.live.running(app.project_id).id == meeting  # still running
    _to(app, "End the meeting")
    app.key(Qt.Key.Key_Return)
    _to(app, "Yes, end it")
    app.key(Qt.Key.Key_Return)
    assert app.services.live.running(app.project_id) is None
    ended = next(m for m in app.services.meetings.meetings(fs) if m.id == meeting)
    assert ended.ended_at is not None
    assert app.window.status.text() == "Meeting ended: Today's meeting."


def _predicted(app: App) -> list[str]:
    return [t.accessibleName().lower() for t in app.window.tiles()]


def test_thinking_first_the_predictions_keep_the_others_keywords_back(make_app):
    # Under Xvfb the first predictions on the writing screen were others' hidden keywords
    # ("Tickbox", "Fighting for care"): the step showed only Alex's own, the keyboard the rest.
    profile = {"scan_mode": "auto", "step_time": 0.5, "first_item_extra": 0.0}
    app = make_app(last_member="Alex", **profile)
    s = app.services
    planned = plan_meeting(s, app.project_id, "Today's meeting",
                           ("keywords", "Keywords for NOW", {"think_first": True}), passphrase=PASSPHRASE)
    fs, (step,), prompt = planned.session, planned.steps, planned.prompt
    others = {c.text.lower() for c in s.contributions.list_for_prompt(prompt.id)
              if c.author != "Alex" and " " in c.text}
    assert "fighting for care" in others  # the demo's, by another member
    for revealed in (False, True):
        choose_key(app, "Alex")  # the member's turn starts on the group's step
        choose_key(app, "✚ Add keyword")
        offered = set(_predicted(app)) & others  # the predictions before a letter is typed
        assert "just a number" in _predicted(app)  # Alex's own, on the screen too
        assert ("fighting for care" in offered) if revealed else offered == set()
        choose_key(app, "Cancel: keep for later")
        while app.window.current.key != "home":
            choose_key(app, "Back")
        choose_key(app, "Change member")
        if not revealed:
            s.meetings.reveal(fs, step)



def _step_choose(app: App, spoken: str, limit: int = 80) -> None:
    """Two-switch step scan, as a member does: Space moves on, Return goes into the row, then
    Space to the tile and Return chooses it."""
    group = next(g for g in app.window.current.scan_groups()
                 if any(t.accessibleName() == spoken for t in g.items))
    for name in (group.label, spoken):
        for _ in range(limit):
            if app.focus_name() == name:
                break
            app.clock.advance(0.2)  # a moment between presses (quicker ones count as one)
            app.key(Qt.Key.Key_Space)
        assert app.focus_name() == name, f"the scan never reached {name!r}"
        app.clock.advance(0.2)
        app.key(Qt.Key.Key_Return)


def test_the_passphrase_screen_says_which_keys_are_switches(make_app):
    # On one computer the last member's scan goes on: their Space and Return only scan, so a
    # facilitator typing "our group 2026" saw the highlight move instead (tried under Xvfb).
    app = make_app(last_member="Alex", scan_mode="step", switch1="Space", switch2="Return")
    app.services.facilitator.set_passphrase(app.project_id, "our group 2026")
    _step_choose(app, "Facilitator")
    title = app.window.current.title
    assert title == ("Facilitator passphrase. Space and Return are switches here, not typing: "
                     "type a space with “␣ space”; finish with “✔ done”")
    assert title in [text for text, *_ in app.speaker.said]
    for i, word in enumerate(("our", "group", "2026")):
        if i:
            _step_choose(app, "space")
        app.qtbot.keyClicks(app.focus(), word)  # typed on the keyboard
    _step_choose(app, "done")
    assert app.window.current.key == "facilitator"
    assert app.window.status.text() == "Facilitator mode is on."


def test_back_in_facilitator_mode_the_asks_waiting_show_and_are_said(make_app):
    app = make_app()
    s, people = app.services, app.members()
    plan_meeting(s, app.project_id, "Today's meeting", ("talk", "Introductions"), passphrase=PASSPHRASE)
    s.live.ask(people["Alex"], "break")  # during Alex's turn
    _to(app, "Facilitator")
    app.key(Qt.Key.Key_Return)
    for ch in PASSPHRASE:  # typed on the keyboard: each key goes where the focus is
        app.qtbot.keyClicks(app.focus(), ch)
    app.key(Qt.Key.Key_Return)
    assert app.window.current.key == "facilitator", (app.window.status.text(), app.focus_name())
    waiting = "1 ask waiting, oldest first: Alex: I need a break"
    assert f"Facilitator: review and records. {waiting}" in [text for text, *_ in app.speaker.said]
    _to(app, f"The meeting: run it, asks, votes. {waiting}")
    app.key(Qt.Key.Key_Return)
    assert isinstance(app.window.current, MeetingScreen)


def test_two_meetings_planned_on_one_day_have_names_of_their_own(make_app):
    # Both were "Today's meeting": the list of meetings held showed two tiles alike.
    app = make_app()
    fs = app.services.facilitator.set_passphrase(app.project_id, PASSPHRASE).session
    app.window.facilitator_unlocked(fs)
    app.window.show_meeting()
    for _ in range(2):
        for tile in ("Plan today's meeting", "Start the meeting", "End the meeting", "Yes, end it"):
            _to(app, tile)
            app.key(Qt.Key.Key_Return)
            if tile == "Plan today's meeting":  # its day as everywhere else, "3 Dec 2026"
                shown = " ".join(w.text() for w in app.window.current.findChildren(QLabel))
                assert f"planned for {day_text(date.today())}." in shown
    held = [t.accessibleName() for t in app.window.tiles() if t.accessibleName().endswith("their time")]
    first, second = (m.title for m in app.services.meetings.meetings(fs)[:2][::-1])
    assert first.startswith("Meeting at ") and second.startswith("Meeting at ") and second != first
    # (planned in the same minute, the second is "Meeting at 07:20 (2)")
    assert len(set(held)) == len(held) == 3  # with the demo's first meeting


def test_a_tab_onto_the_list_itself_shows_a_frame(make_app):
    # The list is a stop of its own for screen readers; with keys only, that Tab showed nothing.
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QApplication, QScrollArea

    from app.ui.theme import load_theme

    app = make_app()
    fs = app.services.facilitator.set_passphrase(app.project_id, PASSPHRASE).session
    app.window.facilitator_unlocked(fs)
    app.window.show_facilitator()
    screen = app.window.current
    profile = app.window.state.profile
    mark = QColor(profile.highlight_colour or load_theme(profile.theme).highlight)

    def marked() -> int:
        QApplication.processEvents()
        image = screen.scroll.grab().toImage()
        return sum(image.pixelColor(x, 1) == mark for x in range(0, image.width(), 2))

    assert marked() == 0
    for _ in range(12):
        if isinstance(app.focus(), QScrollArea):
            break
        app.key(Qt.Key.Key_Tab)
    assert app.focus() is screen.scroll
    assert marked() > 20
    assert not app.window.scan.frame.isVisible()  # no tile's frame left as if it had the focus
    app.key(Qt.Key.Key_Tab)
    assert marked() == 0 and app.window.scan.frame.isVisible()  # on a tile again


def test_thinking_first_no_word_of_a_hidden_keyword_is_predicted(make_app):
    # The predictions learn the project's words too: a word found only in another member's
    # keyword added during the step must not be offered while the step keeps it back.
    profile = {"scan_mode": "auto", "step_time": 0.5, "first_item_extra": 0.0}
    app = make_app(last_member="Alex", **profile)
    s, people = app.services, app.members()
    planned = plan_meeting(s, app.project_id, "Today's meeting",
                           ("keywords", "Keywords for NOW", {"think_first": True}), on=0,
                           passphrase=PASSPHRASE)
    fs, (step,), prompt = planned.session, planned.steps, planned.prompt
    s.contributions.add(people["Sam"], prompt.id, "zorblet kindness")  # Sam's, kept back
    for revealed in (False, True):
        choose_key(app, "Alex")
        choose_key(app, "✚ Add keyword")
        choose_key(app, "z")  # (one letter: a word scanned past is offered lower after)
        assert ("zorblet" in _predicted(app)) is revealed, _predicted(app)
        choose_key(app, "clear")
        choose_key(app, "Cancel: keep for later")
        while app.window.current.key != "home":
            choose_key(app, "Back")
        choose_key(app, "Change member")
        if not revealed:
            s.meetings.reveal(fs, step)
