"""Where the app speaks: cues on highlight, interruption, announcements, speech off, voices."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.access.profile import AccessProfile
from app.speech.speaker import SpeechKind


def test_each_cue_interrupts_the_previous_cue(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", first_item_extra=0.0)
    app.clock.advance(1.0)
    app.clock.advance(1.0)
    cues = [c for c in app.speaker.said if c[1] is SpeechKind.CUE]
    assert cues[-2:] == [("Members, row 2", SpeechKind.CUE, True), ("Actions", SpeechKind.CUE, True)]


def test_the_first_cue_of_a_screen_waits_for_its_title(make_app):
    app = make_app(last_member="Alex", scan_mode="auto")
    assert app.speaker.said[:2] == [
        ("Who is taking part?", SpeechKind.SPEECH, True),
        ("Members, row 1", SpeechKind.CUE, False),
    ]


def test_an_action_is_announced_aloud(make_app):
    app = make_app()
    app.key(Qt.Key.Key_Return)  # Alex
    app.key(Qt.Key.Key_Return)  # the "now" question
    tile = next(t for t in app.window.tiles() if t.accessibleName().startswith("unheard"))
    tile.setFocus()
    app.key(Qt.Key.Key_Return)
    assert ("Me too: unheard", SpeechKind.SPEECH, True) in app.speaker.said


def test_read_all_speaks_every_keyword(make_app):
    app = make_app()
    app.key(Qt.Key.Key_Return)
    app.key(Qt.Key.Key_Return)
    read_all = next(t for t in app.window.tiles() if t.accessibleName() == "Read all")
    read_all.setFocus()
    app.key(Qt.Key.Key_Return)
    spoken = app.speaker.texts[-1]
    for word in ("unheard", "tickbox", "fighting for care"):
        assert word in spoken


def test_speech_off_silences_the_member(make_app):
    app = make_app()
    app.key(Qt.Key.Key_Return)  # Alex
    app.window.show_settings("speech")
    off = next(t for t in app.window.tiles() if t.accessibleName() == "Speech: Off")
    off.setFocus()
    app.key(Qt.Key.Key_Return)
    assert app.speaker.enabled is False
    count = len(app.speaker.said)
    app.window.show_home()
    assert len(app.speaker.said) == count


def test_voice_speed_applies_to_the_speaker_at_once(make_app):
    app = make_app()
    app.key(Qt.Key.Key_Return)  # Alex
    app.window.show_settings("speech")
    more = next(t for t in app.window.tiles() if t.accessibleName() == "Main voice speed more")
    more.setFocus()
    app.key(Qt.Key.Key_Return)
    member = app.services.projects.get_member(app.members()["Alex"])
    assert AccessProfile.from_dict(member.profile).main_rate == 190
    assert app.speaker.settings[SpeechKind.SPEECH].rate == 190
    nxt = next(t for t in app.window.tiles() if t.accessibleName() == "Cue voice next")
    nxt.setFocus()
    app.key(Qt.Key.Key_Return)
    assert app.speaker.settings[SpeechKind.CUE].voice == "default"
