"""Pointing and dwelling through the real window: mouse moves only (no clicks, no keys),
on the manual clock, through the same input route as switches."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtTest import QTest
from sqlalchemy import select

from app.speech.speaker import SpeechKind
from app.store.models import Contribution, Endorsement, Stance
from app.ui.pointer import window_point
from app.ui.screens.definition import DefinitionScreen
from app.ui.screens.home import HomeScreen
from app.ui.screens.prompt import PromptScreen
from app.ui.screens.write import WriteScreen

SAMPLE = 1 / 60
NOW = "What does social care mean to us now?"


def tile_named(app, name):
    window = app.window
    tiles = [*window.tiles(), window.pointer.pause_tile]
    found = [t for t in tiles if t.accessibleName() == name and t.isVisible()]
    assert found, f"no tile {name!r} on {type(window.current).__name__}"
    return found[0]


def point_at(app, where: QPoint, seconds: float) -> None:
    """Hold the pointer at `where` for `seconds`, moved 60 times a second as a gaze pointer is."""
    handle = app.window.windowHandle()
    steps = round(seconds / SAMPLE)
    for i in range(steps):
        QTest.mouseMove(handle, where + QPoint(i % 2, 0))  # a live pointer never stands still
        app.clock.advance(SAMPLE)


def dwell_on(app, name: str, limit: float = 3.0) -> None:
    """Look at the tile called `name` until it is chosen."""
    chosen: list[str] = []
    app.window.pointer.chosen.connect(lambda _key, label: chosen.append(label))
    where = window_point(app.window, tile_named(app, name))
    waited = 0.0
    while not chosen and waited < limit:
        point_at(app, where, 0.1)
        waited += 0.1
        if app.window.pointer.engine.spent:
            look_away(app)  # what was under the eyes when the screen changed waits: look again
    app.window.pointer.chosen.disconnect()
    assert chosen == [name], f"looking at {name!r} chose {chosen}"


def look_away(app) -> None:
    """Rest the eyes on the heading (never a target), as between two choices of one place."""
    point_at(app, window_point(app.window, app.window.current.heading), 0.3)


def test_a_gaze_user_picks_themselves_says_me_too_adds_a_keyword_and_agrees(make_app):
    app = make_app(last_member="Sam", scan_mode="dwell")
    assert app.window.pointer.pause_tile.isVisible()
    dwell_on(app, "Sam")
    assert isinstance(app.window.current, HomeScreen) and app.window.state.member.display_name == "Sam"
    dwell_on(app, NOW)
    assert isinstance(app.window.current, PromptScreen)
    keyword = next(t.accessibleName() for t in app.window.current.tiles if t.property("selected") == "false")
    word = keyword.split(",")[0]
    dwell_on(app, keyword)
    assert app.window.status.text() == f"Me too: {word}"
    dwell_on(app, "✚ Add keyword")
    assert isinstance(app.window.current, WriteScreen)
    for letter in "kind":
        dwell_on(app, letter)
    assert app.window.current.panel.text == "Kind"
    dwell_on(app, "done")
    assert app.window.status.text() == "Keyword added: Kind"
    frame = app.window.pointer.frame
    assert not frame.isVisible() or frame.target in app.window.tiles()  # never round a key that is gone
    dwell_on(app, "Our definition")
    assert isinstance(app.window.current, DefinitionScreen)
    dwell_on(app, "Agree")

    sam = app.members()["Sam"]
    with app.store.read() as s:
        kind = s.scalars(select(Contribution).where(Contribution.text == "Kind")).one()
        assert kind.member_id == sam and kind.kind == "keyword"
        agreed = s.scalar(select(Contribution.id).where(Contribution.text == word))
        assert sam in s.scalars(select(Endorsement.member_id)
                                .where(Endorsement.contribution_id == agreed)).all()
        version = app.services.drafts.current_version(app.window.current.prompt.id)
        positions = {(st.member_id, st.position) for st in s.scalars(
            select(Stance).where(Stance.version_id == version.id))}
        assert (sam, "agree") in positions


def test_the_highlight_and_progress_bar_show_at_once_and_the_cue_is_spoken(make_app):
    app = make_app(last_member="Sam", scan_mode="dwell")
    jordan = tile_named(app, "Jordan")
    point_at(app, window_point(app.window, jordan), 0.5)
    frame = app.window.pointer.frame
    assert frame.isVisible() and frame.target is jordan
    assert 0.3 < frame.progress < 0.7
    assert ("Jordan", SpeechKind.CUE) in [(text, kind) for text, kind, _cut in app.speaker.said]
    point_at(app, window_point(app.window, app.window.current.heading), 0.3)
    assert not frame.isVisible()  # a heading is never a target


def test_a_choice_never_runs_on_into_the_next_screen(make_app):
    app = make_app(last_member="Sam", scan_mode="dwell")
    dwell_on(app, "Sam")
    # The pointer stays where "Sam" was: whatever is there on the home screen waits.
    point_at(app, app.window.windowHandle().mapFromGlobal(app.window.cursor().pos()), 4.0)
    assert isinstance(app.window.current, HomeScreen)


def test_the_pause_tile_stops_dwelling_until_it_is_chosen_again(make_app):
    app = make_app(last_member="Sam", scan_mode="dwell")
    dwell_on(app, "Pause pointing")
    assert app.window.status.text().startswith("Pointing paused")
    point_at(app, window_point(app.window, tile_named(app, "Jordan")), 4.0)
    assert app.window.state.member is None  # nothing was chosen
    dwell_on(app, "Resume pointing")
    dwell_on(app, "Jordan")
    assert app.window.state.member.display_name == "Jordan"


def test_point_then_press_a_switch(make_app, qtbot):
    app = make_app(last_member="Sam", scan_mode="dwell", point_then_switch=True)
    point_at(app, window_point(app.window, tile_named(app, "Priya")), 3.0)
    assert app.window.state.member is None and app.window.pointer.frame.progress is None
    app.clock.advance(0.2)
    qtbot.keyPress(app.window, "\x20")
    qtbot.keyRelease(app.window, "\x20")
    assert app.window.state.member.display_name == "Priya"


def test_the_facilitator_points_and_dwells_on_their_own_screens(make_app):
    from app.ui.screens.facilitator.participants import ParticipantScreen, ParticipantsScreen

    app = make_app()
    ruth = app.members()["Ruth (facilitator)"]
    app.services.projects.save_profile(ruth, {"scan_mode": "dwell"})
    session = app.services.facilitator.set_passphrase(app.project_id, "our group 2026").session
    app.window.facilitator_unlocked(session)  # their own profile applies: pointing
    app.window.show_facilitator()
    assert app.window.pointer.active
    dwell_on(app, "Participants and consent")
    assert isinstance(app.window.current, ParticipantsScreen)
    alex = next(t.accessibleName() for t in app.window.tiles() if t.accessibleName().startswith("Alex"))
    dwell_on(app, alex)
    assert isinstance(app.window.current, ParticipantScreen)


def test_a_tile_cut_off_by_a_scrolling_screen_is_brought_into_view_first(make_app):
    # The members' screens page instead of scrolling; the facilitator's may scroll (issue 16),
    # and a facilitator may point and dwell too: a question's keywords to review scroll.
    from app.access.profile import AccessProfile

    app = make_app(last_member="Sam", scan_mode="dwell")
    own = next(m for m in app.services.projects.list_members(app.project_id) if m.role == "facilitator")
    app.services.projects.save_profile(own.id, AccessProfile(scan_mode="dwell").to_dict())
    session = app.services.facilitator.set_passphrase(app.project_id, "our group 2026").session
    app.window.state.member = None
    app.window.facilitator_unlocked(session)
    app.window.show_dashboard(app.services.projects.list_prompts(app.project_id)[0].id)
    screen = app.window.current
    bar = screen.scroll.verticalScrollBar()
    assert bar.maximum() > 0 and app.window.pointer.active
    cut = next(t for t in app.window.tiles()
               if 0 < t.visibleRegion().boundingRect().height() < t.height())  # the last row in view
    name, before = cut.accessibleName(), bar.value()
    shown = cut.visibleRegion().boundingRect().center()
    point_at(app, cut.mapTo(app.window, shown), 1.6)
    assert bar.value() > before  # scrolled, not chosen
    assert cut.visibleRegion().boundingRect().size() == cut.size()
    assert app.window.current is screen and app.window.status.text() == ""
    look_away(app)
    dwell_on(app, name)  # now in view: the next dwell chooses it


def test_the_pause_key_stops_dwelling_and_the_pointer_can_be_hidden(make_app, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from app.access.profile import AccessProfile

    app = make_app(last_member="Sam", scan_mode="dwell", hide_pointer=True)
    cursor = QApplication.overrideCursor()
    assert cursor is not None and cursor.shape() == Qt.CursorShape.BlankCursor
    qtbot.keyClick(app.window, Qt.Key.Key_Pause)
    assert app.window.pointer.engine.paused
    point_at(app, window_point(app.window, tile_named(app, "Kai")), 3.0)
    assert app.window.state.member is None
    qtbot.keyClick(app.window, Qt.Key.Key_Pause)
    assert not app.window.pointer.engine.paused
    app.window.apply_profile(AccessProfile(scan_mode="off"))  # keys and mouse again
    assert QApplication.overrideCursor() is None and not app.window.pointer.pause_tile.isVisible()


def test_a_helper_sets_point_and_dwell_in_settings_with_a_click(make_app, qtbot):
    from PySide6.QtCore import Qt

    from app.access.profile import AccessProfile

    app = make_app(last_member="Sam")  # keys and mouse
    app.window.pick_member(app.services.projects.get_member(app.members()["Sam"]))
    app.window.show_settings()
    qtbot.mouseClick(tile_named(app, "Scanning"), Qt.MouseButton.LeftButton)
    wanted = "Scan mode: Point and dwell eyes, head"
    qtbot.mouseClick(tile_named(app, wanted), Qt.MouseButton.LeftButton)
    saved = AccessProfile.stored(app.services.projects.get_member(app.members()["Sam"]).profile)
    assert saved.scan_mode == "dwell" and app.window.pointer.active
    assert app.window.pointer.pause_tile.isVisible()
    app.window.back()  # to the list of sections, then the pointing rows
    qtbot.mouseClick(tile_named(app, "Pointing"), Qt.MouseButton.LeftButton)
    rows = {t.accessibleName() for t in app.window.tiles()}
    assert {"Dwell time less", "Dwell time more", "Snapping distance more",
            "Pointing chooses by: Point, then press switch 1", "Pointer while pointing: Hidden"} <= rows
