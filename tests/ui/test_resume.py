"""After a crash the window opens where the member was: it keeps their place as they move, and a
new window (started by the supervisor with --resume) opens the same screens with their text.
And a computer nobody has used yet can start in one-switch auto-scan (--start-scanning)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.access.clock import ManualClock
from app.access.prediction import Predictor
from app.speech.speaker import RecordingSpeaker
from app.store.local_drafts import LastPlace, LocalDrafts
from app.ui.main_window import MainWindow
from app.ui.resume_nav import RESTARTED
from app.ui.screens.home import HomeScreen
from app.ui.screens.members import MemberScreen
from app.ui.screens.write import WriteScreen
from tests.ui.conftest import SMALL_ENGLISH
from tests.ui.test_facilitator import _tab_to


def _window(app, tmp_path, qtbot, **kwargs) -> MainWindow:
    window = MainWindow(app.services, RecordingSpeaker(), app.project_id, Predictor(SMALL_ENGLISH),
                        clock=ManualClock(), local_drafts=LocalDrafts(tmp_path / "unsaved.json"), **kwargs)
    qtbot.addWidget(window)
    return window


def test_a_new_window_opens_the_members_writing_again_with_the_text(make_app, tmp_path, qtbot):
    app = make_app(last_member="Alex")
    place = LastPlace(tmp_path / "last-place.json")
    app.window.last_place = place
    prompt = app.services.projects.list_prompts(app.project_id)[0]
    for name in ("Alex", prompt.text, "✚ Add keyword"):
        _tab_to(app, name)
        app.key(Qt.Key.Key_Return)
    assert isinstance(app.window.current, WriteScreen)
    app.qtbot.keyClicks(app.window.current.panel.field, "lonely")
    kept = place.read()
    assert kept["member"] == app.members()["Alex"]
    assert kept["trail"] == [["show_prompt", [prompt.id], {}], ["tile", "✚ Add keyword"]]

    again = _window(app, tmp_path, qtbot, last_place=LastPlace(place.path))  # a new process's
    again.resume()
    assert isinstance(again.current, WriteScreen) and again.state.member.display_name == "Alex"
    assert again.current.panel.text == "lonely"
    assert again.current.request.target == f"contribution:{prompt.id}"
    assert again.status.text() == RESTARTED
    assert place.read()["trail"] == kept["trail"]  # and kept for the next time


def test_nobody_chosen_or_facilitator_mode_comes_back_to_the_members_screen(make_app, tmp_path, qtbot):
    app = make_app(last_member="Alex")
    place = LastPlace(tmp_path / "last-place.json")
    app.window.last_place = place
    result = app.services.facilitator.set_passphrase(app.project_id, "our group 2026")
    app.window.facilitator_unlocked(result.session)
    app.window.show_facilitator()
    assert place.read() == {}
    again = _window(app, tmp_path, qtbot, last_place=LastPlace(place.path))  # a new process's
    again.resume()
    assert isinstance(again.current, MemberScreen) and again.state.facilitator is None
    assert again.status.text() == RESTARTED


def test_a_prompt_gone_since_stops_the_replay_at_the_members_home(make_app, tmp_path, qtbot):
    app = make_app(last_member="Alex")
    place = LastPlace(tmp_path / "last-place.json")
    place.keep({"project": app.project_id, "member": app.members()["Alex"],
                "trail": [["show_prompt", ["no-such-prompt"], {}], ["tile", "✚ Add keyword"]]})
    again = _window(app, tmp_path, qtbot, last_place=LastPlace(place.path))  # a new process's
    again.resume()
    assert isinstance(again.current, HomeScreen)


def test_a_never_used_computer_can_start_scanning_with_one_switch(make_app, tmp_path, qtbot):
    app = make_app()  # nobody has taken part yet
    assert not app.window.scan.active
    scanning = _window(app, tmp_path, qtbot, start_scanning=True)
    assert scanning.scan.active and scanning.state.profile.scan_mode == "auto"
    assert isinstance(scanning.current, MemberScreen)
