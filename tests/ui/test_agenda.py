"""The facilitator plans a custom agenda and enters each member's time with the keyboard (Tab,
Return, typing; a click where a mouse user's tile is the point), as on their own computer: the
members then follow the custom steps. Every screen on the way has every word whole (fit_check),
at 100 % and 200 %, and every character in its tile's font."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import func, select

from app.access.profile import AccessProfile
from app.store.models import Event
from app.ui.screens.facilitator.agenda import AgendaScreen
from app.ui.screens.facilitator.agenda_step import NewStepScreen, StepScreen
from app.ui.screens.facilitator.attendance import AttendanceScreen
from app.ui.screens.facilitator.meeting import MeetingScreen
from app.ui.screens.members import MemberScreen
from app.ui.screens.prompt import PromptScreen
from app.ui.screens.write import WriteScreen
from tests.meeting_setup import plan_meeting
from tests.ui.fit_check import settle, shown, text_problem
from tests.ui.test_facilitator import PASSPHRASE, _tab_to, _unlock
from tests.ui.test_glyphs import _missing


def _go(app, name, screen=None):
    _tab_to(app, name)
    app.key(Qt.Key.Key_Return)
    if screen is not None:
        assert isinstance(app.window.current, screen), type(app.window.current)
        _whole(app)


def _type(app, text):
    """Type into the keyboard's field (cleared first) and press Return, as a facilitator does."""
    screen = app.window.current
    assert isinstance(screen, WriteScreen) and screen.request.private  # never kept or learned
    field = screen.panel.field
    field.setFocus()
    field.selectAll()
    app.qtbot.keyClick(field, Qt.Key.Key_Backspace)
    app.qtbot.keyClicks(field, text)
    app.qtbot.keyClick(field, Qt.Key.Key_Return)


def _whole(app):
    """Nothing clipped on the screen, and no character missing from a tile's font."""
    settle()
    screen = app.window.current
    # (every screen's heading measures 1 px taller than its label at this size: issue 16's, not these)
    clipped = [f"{w.accessibleName()[:50]}: {p}" for w in shown(screen)
               if w is not screen.heading and (p := text_problem(w))]
    assert not clipped, clipped
    assert not _missing(app.window)


def _focus_in_view(app):
    """The focused tile lies inside the list's visible part, and so does the highlight frame
    (never drawn over the action bar below the list)."""
    settle()
    screen, tile, frame = app.window.current, app.focus(), app.window.scan.frame
    port = screen.scroll.viewport()
    assert screen.scroll.verticalScrollBar().maximum() > 0  # the list does scroll at this size
    assert port.rect().contains(QRect(tile.mapTo(port, QPoint(0, 0)), tile.size()))
    seen = QRect(port.mapTo(frame.parentWidget(), QPoint(0, 0)), port.size())
    pad = frame.thickness + 2
    assert frame.isVisible() and seen.adjusted(-pad, -pad, pad, pad).contains(frame.geometry())
    assert frame.geometry().contains(QRect(tile.mapTo(frame.parentWidget(), QPoint(0, 0)), tile.size()))
    screen.scroll.verticalScrollBar().setValue(0)  # scrolled out of sight (a wheel): so is the frame,
    settle()  # never left where the tile was, over the action bar
    assert frame.geometry().isEmpty()


def _agenda(app, meeting):
    return [st.title for st in app.services.meetings.meeting(app.window.state.facilitator, meeting).steps]


def _status(app):
    return app.window.status.text()


def _events(app):
    with app.store.read() as s:
        return s.scalar(select(func.count()).select_from(Event))


def test_a_custom_agenda_planned_with_keys_is_what_members_follow(make_app):
    app = make_app()
    app.window.resize(1366, 768)
    _unlock(app)
    _go(app, "The meeting: run it, asks, votes", MeetingScreen)
    _go(app, "Plan today's meeting", MeetingScreen)
    _go(app, "Plan the agenda", AgendaScreen)
    meeting = app.window.current.meeting.id
    assert _agenda(app, meeting) == ["Introductions", "Keywords for NOW", "Vote", "Break", "Draft"]

    # the vote: renamed, 5 dots each, one per keyword
    _go(app, "Change step 3, Vote", StepScreen)
    _go(app, "Title: Vote. Choose to rename", WriteScreen)
    _type(app, "   ")
    assert isinstance(app.window.current, WriteScreen)  # refused, the text there to correct
    assert _status(app) == "The step's title is empty. Write something first."
    _type(app, "Which words matter most")
    assert isinstance(app.window.current, StepScreen)
    assert _status(app) == "Step renamed: Vote is now Which words matter most."
    _go(app, "Dots per member: 3. Choose to change", WriteScreen)
    for bad, why in (("0", "between 1 and 20 dots"), ("500", "between 1 and 20 dots"),
                     ("lots", "whole number from 1 to 20")):
        before = _events(app)
        _type(app, bad)
        assert isinstance(app.window.current, WriteScreen) and why in _status(app)
        assert "Nothing was saved." in _status(app) and _events(app) == before
    _type(app, "5")
    _go(app, "Several on one keyword: One dot per keyword", StepScreen)
    assert _status(app) == "Which words matter most: 5 dots each, one per keyword."
    _go(app, "Back", AgendaScreen)
    caption = " ".join(w.text() for w in app.window.current.findChildren(type(app.window.status)))
    assert "Vote on NOW · 5 dots each · one dot per keyword" in caption

    # a new step: keywords for the FUTURE question, everyone's shown
    _go(app, "Add a step", NewStepScreen)
    _go(app, "Kind: Keywords for a question", NewStepScreen)
    _go(app, "Question: FUTURE: What should social care be in the future?", NewStepScreen)
    _go(app, "Think first: Everyone's keywords shown at once", NewStepScreen)
    _go(app, "Title: Keywords for FUTURE. Choose to type another", WriteScreen)
    _type(app, "Our future words")
    _go(app, "Add this step", AgendaScreen)
    assert _status(app) == "Step added: Our future words."

    # move the vote down, the new step up; remove the break (asking first)
    _go(app, "Move step 3, Which words matter most, down", AgendaScreen)
    assert _status(app) == "Which words matter most is now step 4 of 6."
    _go(app, "Move step 6, Our future words, up", AgendaScreen)
    assert app.focus_name() == "Move step 5, Our future words, up"  # the focus moved with its step
    _tab_to(app, "Move step 6, Draft, up")
    _focus_in_view(app)  # a place below the list's edge is scrolled to, and framed there
    _tab_to(app, "Remove step 3, Break")
    app.key(Qt.Key.Key_Return)
    assert app.window.asking is not None and app.focus_name() == "No, go back"
    _go(app, "Yes, remove it", AgendaScreen)
    assert _status(app) == "Step removed: Break."
    assert _agenda(app, meeting) == ["Introductions", "Keywords for NOW", "Which words matter most",
                                     "Our future words", "Draft"]

    # start it and move the group to the vote: a member's turn starts there, with 5 dots
    _go(app, "Back", MeetingScreen)
    _go(app, "Start the meeting", MeetingScreen)
    _go(app, "Move the group to Which words matter most", MeetingScreen)
    _go(app, "Back")
    _go(app, "Lock and leave")
    _go(app, "Yes, lock and leave", MemberScreen)
    _go(app, "Alex")
    screen = app.window.current
    assert isinstance(screen, PromptScreen)  # the member's turn starts on the group's step
    assert screen.dots is not None and (screen.dots.dots, screen.dots.left) == (5, 5)
    keyword = next(t.accessibleName() for t in app.window.tiles() if t.accessibleName().startswith("unheard"))
    _go(app, keyword)
    assert app.window.current.dots.left == 4
    _go(app, next(t.accessibleName() for t in app.window.tiles() if t.accessibleName().startswith("unheard")))
    assert "one dot per keyword" in _status(app) and app.window.current.dots.left == 4


def test_what_the_group_has_reached_keeps_its_place(make_app):
    app = make_app()
    s = app.services
    planned = plan_meeting(s, app.project_id, "Meeting three", ("talk", "Introductions"),
                           ("keywords", "Keywords for NOW"), ("vote", "Vote"), on=1, passphrase=PASSPHRASE)
    fs, meeting, (_talk, _keywords, vote) = planned.session, planned.meeting, planned.steps
    s.facilitator.lock(fs)
    _unlock(app)
    _go(app, "The meeting: run it, asks, votes", MeetingScreen)
    _go(app, "Change the agenda", AgendaScreen)
    names = [t.accessibleName() for t in app.window.tiles()]
    assert "Change step 1, Introductions" in names and "Change step 2, Keywords for NOW" in names
    # neither the steps reached nor a move into their place is offered
    assert not [n for n in names if n.startswith(("Remove step 1", "Remove step 2", "Move step"))]
    assert "Remove step 3, Vote" in names

    # another computer moves the group on while this list is on show: the stale tile is refused
    remove = next(t for t in app.window.tiles() if t.accessibleName() == "Remove step 3, Vote")
    app.services.meetings.move_to(app.window.state.facilitator, vote)
    before = _events(app)
    remove.click()
    _go(app, "Yes, remove it", AgendaScreen)
    assert _status(app) == "The group has reached Vote: it stays on the agenda. Nothing was changed."
    assert _events(app) == before and _agenda(app, meeting) == ["Introductions", "Keywords for NOW", "Vote"]

    app.window.refresh()
    _go(app, "Change step 3, Vote", StepScreen)
    names = [t.accessibleName() for t in app.window.tiles()]
    assert not [n for n in names if n.startswith("Dots per member")]  # reached: its dots stay
    _go(app, "Back", AgendaScreen)
    app.services.meetings.end(app.window.state.facilitator, meeting)
    app.window.refresh()
    names = [t.accessibleName() for t in app.window.tiles()]
    assert [n for n in names if n.startswith(("Move", "Remove", "Change", "Add"))] == []
    assert "This meeting has ended: its agenda stays as it was." in [
        w.text() for w in app.window.current.findChildren(type(app.window.status))]


def _rows(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_attendance_minutes_and_preparation_on_the_meeting_screen(make_app, tmp_path):
    app = make_app()
    app.window.resize(1366, 768)
    s = app.services
    planned = plan_meeting(s, app.project_id, "Meeting four", ("talk", "Introductions"),
                           passphrase=PASSPHRASE)
    fs, meeting = planned.session, planned.meeting
    s.facilitator.lock(fs)
    alex, sam = app.members()["Alex"], app.members()["Sam"]
    _unlock(app)
    _go(app, "The meeting: run it, asks, votes", MeetingScreen)
    _go(app, "Minutes and preparation", AttendanceScreen)
    _go(app, "Alex: not here. Choose to change", AttendanceScreen)
    assert _status(app) == "Alex: at this meeting, the meeting's length."
    _go(app, "Alex: minutes in the meeting", WriteScreen)
    for bad, said in (("-5", "Alex's minutes in the meeting cannot be negative. Nothing was saved."),
                      ("an hour", "Alex's minutes in the meeting must be minutes, like 90, 1:30 or "
                                  "1 h 30 min; not “an hour”. Nothing was saved.")):
        before = _events(app)
        _type(app, bad)
        assert isinstance(app.window.current, WriteScreen)
        assert _status(app) == said and _events(app) == before
    _type(app, "1 h 30 min")
    assert isinstance(app.window.current, AttendanceScreen)
    assert _status(app) == "Alex: at this meeting, 90 min."
    _go(app, "Alex: preparation time", WriteScreen)
    _type(app, "-1:00")
    assert _status(app) == "Alex's preparation time cannot be negative. Nothing was saved."
    _type(app, "1:15")
    assert _status(app) == "Alex: 1 h 15 min preparing for Meeting four."
    _go(app, "Sam: preparation time", WriteScreen)  # preparation counts even if not there
    _type(app, "45")
    _whole(app)
    texts = " ".join(w.text().replace("\u00a0", " ")
                     for w in app.window.current.findChildren(type(app.window.status)))
    assert "Alex: here · 1 h 30 min in the meeting (typed) · 1 h 15 min preparing" in texts
    assert "Sam: not marked here · 45 min preparing" in texts

    session = app.window.state.facilitator
    assert s.involvement.meeting_preparation(session, meeting) == {alex: 75, sam: 45}
    record = s.involvement.record(session, alex)
    assert (record.meeting_minutes, record.preparation_minutes) == (90, 75)
    # typed again: the one entry changes, never a second one
    _go(app, "Alex: preparation time", WriteScreen)
    assert app.window.current.panel.text == "75"
    _type(app, "60")
    assert s.involvement.record(session, alex).preparation_minutes == 60
    s.exports.csv(session, tmp_path / "csv")
    rows = [(r["member"], r["attended"], r["minutes"], r["minutes_recorded"], r["preparation_minutes"])
            for r in _rows(tmp_path / "csv" / "attendance.csv") if r["meeting"] == "Meeting four"]
    assert rows == [("Alex", "1", "90", "1", "60"), ("Sam", "0", "", "", "45")]


def _label_clipped(label: QLabel) -> bool:
    """fit_check's measure of a label, less one pixel of height: a label's own layout and the
    font's bounding rectangle round a line differently (every heading and wrapped label at
    200 % measures 1 px taller than it is drawn), and one pixel clips no word."""
    room, metrics = label.contentsRect(), label.fontMetrics()
    flags = int(label.alignment().value) | int(Qt.TextFlag.TextWordWrap.value)
    needed = metrics.boundingRect(QRect(0, 0, room.width(), 100_000), flags, label.text())
    widest = max((metrics.horizontalAdvance(w) for w in label.text().split()), default=0)
    return needed.height() > room.height() + 1 or widest > room.width()


@pytest.mark.parametrize("percent", [100, 200])
def test_the_meeting_screens_keep_every_word_whole(make_app, percent):
    app = make_app()
    app.window.resize(1366, 768)
    s = app.services
    planned = plan_meeting(s, app.project_id, "A meeting with a rather long title",
                           ("talk", "Introductions and how everyone is feeling"),
                           ("keywords", "Keywords for NOW", {"think_first": True}),
                           ("vote", "Which words matter most to us", {"dots": 5}), ("break", "Break"),
                           on=1, passphrase=PASSPHRASE)
    fs, meeting, vote = planned.session, planned.meeting, planned.steps[2]
    s.meetings.set_attendance(fs, meeting, app.members()["Alex"], minutes=95)
    app.window.facilitator_unlocked(fs)
    app.window.apply_profile(AccessProfile.from_dict({"size_percent": percent}))

    def click(name):
        next(tile for tile in app.window.tiles() if tile.accessibleName() == name).click()

    def new_vote():  # as the facilitator opens it: the agenda's "Add a step", then the kind
        app.window.show_agenda(meeting)
        click("Add a step")
        click("Kind: Vote with dots")
        assert isinstance(app.window.current, NewStepScreen)

    screens = {"meeting": app.window.show_meeting, "agenda": lambda: app.window.show_agenda(meeting),
               "new step": new_vote, "step": lambda: app.window.show_agenda_step(meeting, vote),
               "attendance": lambda: app.window.show_attendance(meeting)}
    found = []
    for name, show in screens.items():
        show()
        settle()
        screen = app.window.current
        for widget in shown(screen):
            if isinstance(widget, QLabel):
                if widget.text() and _label_clipped(widget):
                    found.append(f"{name}: label {widget.text()[:50]!r}")
            elif problem := text_problem(widget):
                found.append(f"{name}: {widget.accessibleName()[:50]!r} {problem}")
        assert not _missing(app.window), name
    assert not found, "\n".join(found)


def test_minutes_are_typed_on_the_page_of_digits(make_app):
    # Minutes opened on the letter keyboard with word predictions ("I The And"), which mean nothing
    # for "1:30"; they open on the digits now, stay there after a digit, and predict nothing.
    app = make_app()
    fs = plan_meeting(app.services, app.project_id, "Meeting five", ("talk", "Introductions"),
                      passphrase=PASSPHRASE).session
    s = app.services
    s.facilitator.lock(fs)
    _unlock(app)
    _go(app, "The meeting: run it, asks, votes", MeetingScreen)
    _go(app, "Minutes and preparation", AttendanceScreen)
    _go(app, "Alex: preparation time", WriteScreen)
    screen = app.window.current
    assert screen.model.page == "symbols" and screen.model.words == []
    for key in ("char:1", "char::", "char:3", "char:0"):  # each key as the scan would press it
        screen.panel.tile_for(key).click()
        assert screen.model.page == "symbols"
    assert screen.panel.text == "1:30" and not [
        t for t in screen.panel.groups[0].items if t.property("key_id").startswith("prediction")]
    screen.panel.tile_for("done").click()
    assert _status(app) == "Alex: 1 h 30 min preparing for Meeting five."
