"""A member's home shows "What happened to your words"; its screen pages and speaks, by switch."""

from __future__ import annotations

from app.speech.speaker import SpeechKind
from app.ui.screens.home import HomeScreen
from app.ui.screens.summary import PER_PAGE, SummaryScreen, pages_of
from tests.meeting_setup import plan_meeting
from tests.ui.conftest import choose, scan_to, switch


def test_a_switch_user_reads_their_summary(make_app):
    app = make_app("Alex", scan_mode="auto")
    choose(app, "Members, row 1")
    choose(app, "Alex")
    assert isinstance(app.window.current, HomeScreen)
    title = next(t.accessibleName() for t in app.window.tiles()
                 if t.accessibleName().startswith("What happened to my words"))
    assert title == "What happened to my words, " + app.services.summaries.for_member(
        app.members()["Alex"]).meeting
    choose(app, "More actions")
    choose(app, title)
    screen = app.window.current
    assert isinstance(screen, SummaryScreen)
    assert screen.summary.member == "Alex"
    first = screen.pages[0][0][1]
    assert first.startswith("You added")
    # each sentence is a tile the scan reaches and speaks as its cue
    scan_to(app, "What you added")
    switch(app)
    scan_to(app, first)
    assert any(first in said for said, kind, _i in app.speaker.said if kind == SpeechKind.CUE)
    choose(app, "Back out of What you added")
    assert len(screen.pages) > 1  # the demo's Alex has nine sentences: the member turns pages
    choose(app, "Actions")
    choose(app, "Next page")
    assert app.window.current.page == 1
    choose(app, "Actions")
    choose(app, "Read this page")
    assert any(kind == SpeechKind.SPEECH and said.startswith(app.window.current.pages[
        app.window.current.page][0][0]) for said, kind, _i in app.speaker.said)


def test_pages_hold_a_few_sentences_and_keep_short_parts_whole(make_app):
    app = make_app("Alex", scan_mode="auto")
    summary = app.services.summaries.for_member(app.members()["Alex"])
    pages = pages_of(summary)
    assert all(0 < len(page) <= PER_PAGE for page in pages)
    assert [s for page in pages for _h, s in page] == list(summary.sentences)


def test_the_summary_line_on_home_is_whole_in_a_meeting_at_1366_by_768(make_app):
    # Under Xvfb its second line lay below the list's edge, cut through, where no scan reached.
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication, QLabel

    app = make_app("Alex", scan_mode="auto")
    # started: the Ask row takes its room at the bottom
    plan_meeting(app.services, app.project_id, "Today's meeting", ("talk", "Introductions"))
    app.window.resize(1366, 768)
    choose(app, "Members, row 1")
    choose(app, "Alex")
    assert isinstance(app.window.current, HomeScreen)
    QApplication.processEvents()
    [line] = [w for w in app.window.current.findChildren(QLabel) if w.objectName() == "easyread"]
    assert line.text().startswith("What happened to your words")
    whole = QRect(0, 0, line.width(), line.height())
    assert line.isVisible() and line.visibleRegion().boundingRect() == whole  # nothing cut off
    assert line.height() >= line.heightForWidth(line.width())  # every line of it
