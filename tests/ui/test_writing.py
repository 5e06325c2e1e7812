"""Writing with the on-screen keyboard: one switch, predictions, read-back, nothing lost."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy.exc import OperationalError

from app.speech.speaker import SpeechKind
from app.ui.screens.prompt import PromptScreen
from app.ui.screens.write import WriteScreen
from tests.ui.conftest import choose, choose_key

NOW = "What does social care mean to us now?"


def _open_add_keyword(app):
    choose(app, "Members, row 1")
    choose(app, "Alex")
    choose(app, "Questions, row 1")
    choose(app, NOW)
    assert isinstance(app.window.current, PromptScreen)
    choose(app, "Actions")
    choose(app, "✚ Add keyword")
    assert isinstance(app.window.current, WriteScreen)
    return app.window.current


def _open_with_keys(app):
    """Keyboard only: Alex, the "now" question, then "Add keyword"."""
    app.key(Qt.Key.Key_Return)  # Alex
    app.key(Qt.Key.Key_Return)  # the "now" question
    add = next(t for t in app.window.tiles() if t.accessibleName() == "✚ Add keyword")
    add.setFocus()
    app.key(Qt.Key.Key_Return)
    return app.window.current


def _keyword_texts(app):
    prompt = next(p for p in app.services.projects.list_prompts(app.project_id) if p.text == NOW)
    return {c.text: c for c in app.services.contributions.list_for_prompt(prompt.id)}


def test_one_switch_writes_and_adds_a_keyword(make_app):
    app = make_app(last_member="Alex", scan_mode="auto")
    screen = _open_add_keyword(app)
    for letter in "lonely":
        choose_key(app, letter)
    assert screen.panel.text == "Lonely"
    choose_key(app, "space")
    assert ("Lonely", SpeechKind.SPEECH, True) in app.speaker.said  # the finished word is read back
    choose_key(app, "done")
    assert isinstance(app.window.current, PromptScreen)
    added = _keyword_texts(app)["Lonely"]
    assert added.author == "Alex" and added.kind == "keyword"
    assert app.window.status.text() == "Keyword added: Lonely"
    member = app.members()["Alex"]
    target = f"contribution:{added.prompt_id}"
    app.qtbot.waitUntil(lambda: app.services.inprogress.load(member, target) is None)


def test_predictions_offer_the_groups_own_words(make_app):
    app = make_app(last_member="Alex", scan_mode="auto")
    screen = _open_add_keyword(app)
    choose_key(app, "p")
    assert "Patronising" in screen.model.predictions  # a keyword of this prompt
    choose_key(app, "Patronising")
    assert screen.model.state.text == "Patronising "  # the word and a space
    choose_key(app, "done")
    assert _keyword_texts(app)["patronising"].endorsements == 2  # a duplicate is a me too


def test_text_in_progress_survives_a_restart(make_app):
    app = make_app(last_member="Alex", scan_mode="auto")
    screen = _open_add_keyword(app)
    for letter in "care":
        choose_key(app, letter)
    assert screen.panel.text == "Care"
    app.window.close()
    app2 = make_app(last_member="Alex", scan_mode="auto")
    screen2 = _open_add_keyword(app2)
    assert screen2.panel.text == "Care"
    assert screen2.model.state.cursor == 4
    assert app2.window.status.text() == "Your unfinished text is back."


def test_a_physical_keyboard_types_into_the_field(make_app):
    app = make_app()
    screen = _open_with_keys(app)
    assert isinstance(screen, WriteScreen)
    screen.panel.field.setFocus()
    app.qtbot.keyClicks(screen.panel.field, "being heard")
    assert screen.panel.text == "being heard"
    member = app.members()["Alex"]
    # saved on the window's worker thread, at once
    app.qtbot.waitUntil(lambda: app.services.inprogress.load(member, screen.request.target) is not None
                        and app.services.inprogress.load(member, screen.request.target).text == "being heard")
    saved = app.services.inprogress.load(member, screen.request.target)
    assert saved.text == "being heard" and saved.cursor == len("being heard")
    app.qtbot.keyClick(screen.panel.field, Qt.Key.Key_Return)
    assert "being heard" in _keyword_texts(app)


def test_a_saved_phrase_is_reused(make_app):
    app = make_app(last_member="Alex", scan_mode="auto")
    alex = app.members()["Alex"]
    app.services.phrases.save(alex, "being listened to")
    screen = _open_add_keyword(app)
    choose_key(app, "Phrase: being listened to")
    assert screen.model.state.text == "Being listened to "  # a sentence start is a capital
    choose_key(app, "done")
    assert "Being listened to" in _keyword_texts(app)
    # a profile change keeps the phrases
    app.services.projects.save_profile(alex, {"scan_mode": "auto", "theme": "dark"})
    assert app.services.phrases.list(alex) == ["being listened to"]


def test_saving_what_was_written_as_a_phrase(make_app):
    app = make_app()
    screen = _open_with_keys(app)
    screen.panel.field.setFocus()
    app.qtbot.keyClicks(screen.panel.field, "no choice")
    save = next(t for t in app.window.tiles() if t.accessibleName() == "Save this text as a phrase")
    save.setFocus()
    app.key(Qt.Key.Key_Return)
    assert app.services.phrases.list(app.members()["Alex"]) == ["no choice"]
    assert app.window.status.text() == "Phrase saved: no choice"


def test_keyboard_users_take_a_prediction_with_a_function_key(make_app):
    app = make_app()
    screen = _open_with_keys(app)
    screen.panel.field.setFocus()
    app.qtbot.keyClicks(screen.panel.field, "p")
    first = screen.model.predictions[0]
    assert first.lower().startswith("p")
    app.qtbot.keyClick(screen.panel.field, Qt.Key.Key_F1)
    assert screen.model.state.text == f"{first} "


def _towards(app, spoken):
    """One move of a member who watches the highlighted set: press if the key is in it."""
    if spoken in [w.accessibleName() for w in app.window.scan._inset]:
        app.clock.advance(0.2)
        app.key(Qt.Key.Key_Space)
    else:
        app.clock.run_until_next()


def test_adaptive_keyboard_with_one_switch(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", adaptive_keyboard=True)
    screen = _open_add_keyword(app)
    assert app.window.scan.adaptive.active
    assert app.window.scan._inset  # a set of likely keys is highlighted
    for letter in "safe":
        before = screen.model.state.text
        for _ in range(60):
            if screen.model.state.text != before:
                break
            _towards(app, letter)
    assert screen.model.state.text == "Safe"
    for _ in range(60):
        if not isinstance(app.window.current, WriteScreen):
            break
        _towards(app, "done")
    assert "Safe" in _keyword_texts(app)


def test_adaptive_keyboard_speaks_no_row_before_its_keys(make_app):
    # A row cue spoken first would cut off the screen's title (and, later, each word read back).
    app = make_app(last_member="Alex", scan_mode="auto", adaptive_keyboard=True)
    _open_add_keyword(app)
    said = app.speaker.said
    title = max(i for i, (text, kind, _i) in enumerate(said) if text.startswith("Add to:"))
    cues = [(text, interrupt) for text, kind, interrupt in said[title + 1:] if kind is SpeechKind.CUE]
    assert cues and not cues[0][1]  # the first cue waits for the title
    assert all(text not in ("Predictions", "Actions") for text, _ in cues)


def test_adaptive_other_choices_reach_the_rest_of_the_screen(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", adaptive_keyboard=True)
    _open_add_keyword(app)
    for _ in range(80):
        if not app.window.scan.adaptive.active:
            break
        _towards(app, "Other choices")
    assert not app.window.scan.adaptive.active
    choose(app, "Actions")
    choose(app, "Cancel: keep for later")
    assert isinstance(app.window.current, PromptScreen)


def test_text_is_kept_on_this_computer_when_the_database_is_out_of_reach(make_app, monkeypatch):
    app = make_app(last_member="Alex", scan_mode="auto")
    screen = _open_add_keyword(app)
    inprogress = app.services.inprogress

    class Unreachable:
        """The store as the keyboard's service sees it while the server is gone."""

        def transaction(self):
            raise OperationalError("BEGIN", {}, Exception("server closed the connection"))

    monkeypatch.setattr(inprogress, "store", Unreachable())
    for letter in "safe":
        choose_key(app, letter)
    app.qtbot.waitUntil(lambda: app.window.status.text()
                        == "The database cannot be reached. Your text is kept on this computer.")
    member = app.members()["Alex"]
    assert app.window.ctx.local_drafts.get(member, screen.request.target) == ("Safe", 4)
    monkeypatch.undo()  # the server answers again
    choose_key(app, "space")
    app.qtbot.waitUntil(lambda: app.window.ctx.local_drafts.get(member, screen.request.target) is None)
    assert app.services.inprogress.load(member, screen.request.target).text == "Safe "


def test_a_physical_keyboard_types_into_the_text_while_the_scan_is_on_the_keys(make_app):
    # A helper or a member with some hand use may type while the scan highlight sits on a key.
    app = make_app(last_member="Alex", scan_mode="auto")
    screen = _open_add_keyword(app)
    field = screen.panel.field
    assert app.focus() is not field  # the scan has the focus on a row of keys
    app.qtbot.keyClicks(app.focus(), "tickbox")
    assert field.toPlainText().lower() == "tickbox"
    app.key(Qt.Key.Key_Backspace)
    assert field.toPlainText().lower() == "tickbo"
    app.key(Qt.Key.Key_Space)  # still the switch: it chooses on the scan, it types no space
    assert field.toPlainText().lower() == "tickbo"


def test_with_scanning_off_typing_on_a_keyboard_is_typing(make_app):
    # A member who uses the keyboard with no scanning: the screen opens with the focus on its
    # first key, and the Space after a word must type a space, not press that key.
    app = make_app()
    screen = _open_with_keys(app)
    assert isinstance(screen, WriteScreen) and app.focus() is not screen.panel.field
    for ch in "being heard":
        app.qtbot.keyClicks(app.focus(), ch)  # each key goes where the keyboard sends it
    assert screen.panel.text == "being heard"
    app.key(Qt.Key.Key_Return)  # Enter in the field adds the keyword
    assert "being heard" in _keyword_texts(app)


def test_with_scanning_off_the_keys_on_screen_still_work_from_the_keyboard(make_app):
    app = make_app()
    screen = _open_with_keys(app)
    app.qtbot.keyClicks(app.focus(), "a")
    assert app.focus() is screen.panel.field
    app.key(Qt.Key.Key_Tab)  # Tab leaves the field for the keys
    assert app.focus() is not screen.panel.field
    before = screen.panel.text
    app.key(Qt.Key.Key_Space)  # Space on a key presses it
    assert screen.panel.text != before
