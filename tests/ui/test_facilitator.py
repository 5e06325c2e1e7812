"""The facilitator's side, driven by the keyboard alone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import text

from app.speech.speaker import SpeechKind
from app.ui.screens.facilitator.history import CompareScreen
from app.ui.screens.facilitator.home import FacilitatorHome
from app.ui.screens.members import MemberScreen
from app.ui.screens.write import WriteScreen
from tests.ui.conftest import choose, choose_key

PASSPHRASE = "our group 2026"


def _tab_to(app, name, limit=80):
    for _ in range(limit):
        if app.focus_name() == name:
            return
        app.key(Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {name!r}; focus is on {app.focus_name()!r}")


def _named(app, accept):
    return next(t.accessibleName() for t in app.window.tiles() if accept(t.accessibleName()))


def _unlock(app, passphrase=PASSPHRASE):
    _tab_to(app, "Facilitator")
    app.key(Qt.Key.Key_Return)
    screen = app.window.current
    assert isinstance(screen, WriteScreen) and screen.request.secret
    screen.panel.field.setFocus()
    app.qtbot.keyClicks(screen.panel.field, passphrase)
    assert screen.panel.field.toPlainText() == "•" * len(passphrase)  # never shown
    app.qtbot.keyClick(screen.panel.field, Qt.Key.Key_Return)


def test_set_passphrase_then_unlock_and_lock(make_app):
    app = make_app()
    _unlock(app)
    assert isinstance(app.window.current, FacilitatorHome)
    secret = (app.store.data_folder() / "keys" / f"{app.project_id}.passphrase.json").read_text()
    assert PASSPHRASE not in secret and "$argon2id$" in secret  # not stored as typed
    assert not [t for t, _k, _i in app.speaker.said if PASSPHRASE in t]
    _tab_to(app, "Lock and leave")
    app.key(Qt.Key.Key_Return)
    assert app.window.asking is not None and app.focus_name() == "No, go back"  # asks first
    _tab_to(app, "Yes, lock and leave")
    app.key(Qt.Key.Key_Return)
    assert isinstance(app.window.current, MemberScreen)
    assert app.window.state.facilitator is None
    _unlock(app, "wrong passphrase")
    assert isinstance(app.window.current, WriteScreen)
    assert "not right" in app.window.status.text()


def test_compare_two_versions_with_keys_only(make_app):
    app = make_app()
    now = next(p for p in app.services.projects.list_prompts(app.project_id) if p.pair_role == "now")
    first = app.services.drafts.current_version(now.id)
    app.services.drafts.save_version(
        app.members()["Sam"], now.id, first.text.replace("unheard", "unheard and scared"), first.id,
        "Added scared")
    _unlock(app)
    _tab_to(app, f"Definition history for {now.text}")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, _named(app, lambda name: "Version 2 from" in name))
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Compare with version 1 by Alex")
    app.key(Qt.Key.Key_Return)
    screen = app.window.current
    assert isinstance(screen, CompareScreen)
    assert "[+ and scared +]" in screen.diff.marked
    _tab_to(app, "Read the changes aloud")
    app.key(Qt.Key.Key_Return)
    assert ("added: and scared", SpeechKind.SPEECH, True) in app.speaker.said


def test_consent_and_withdrawal_with_a_preview(make_app):
    app = make_app()
    _unlock(app)
    _tab_to(app, "Participants and consent")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Kai, participant")
    app.key(Qt.Key.Key_Return)
    captions = {label.text() for label in app.window.current.findChildren(QLabel)}
    assert {"Taking part", "Agrees to be quoted", "Credit", "Keep the data until"} <= captions
    _tab_to(app, "Agrees to be quoted: No")
    app.key(Qt.Key.Key_Return)
    assert app.window.status.text() == "Saved. Agrees to be quoted: No"
    _tab_to(app, "Agrees to be quoted: No, chosen")  # the answer on record is marked
    _tab_to(app, "Withdraw: anonymise")
    app.key(Qt.Key.Key_Return)
    preview = app.window.current.preview
    assert preview.mode == "anonymise" and preview.display_name == "Kai"
    assert app.members()["Kai"]  # nothing has changed yet
    _tab_to(app, "Confirm: withdraw and anonymise")
    app.key(Qt.Key.Key_Return)
    assert app.members()["Kai"]  # it asks first
    _tab_to(app, "Yes, withdraw")
    app.key(Qt.Key.Key_Return)
    assert "Kai" not in app.members()
    with app.store.read() as s:
        names = s.execute(text("select display_name from member")).scalars().all()
    assert "Kai" not in names


def test_themes_and_hiding_from_the_dashboard(make_app):
    app = make_app()
    _unlock(app)
    now = next(p for p in app.services.projects.list_prompts(app.project_id) if p.pair_role == "now")
    _tab_to(app, f"Keywords and themes for {now.text}")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "New theme")
    app.key(Qt.Key.Key_Return)
    field = app.window.current.panel.field
    field.setFocus()
    app.qtbot.keyClicks(field, "Not listened to")
    app.qtbot.keyClick(field, Qt.Key.Key_Return)
    assert app.window.status.text() == "Theme added: Not listened to"
    _tab_to(app, _named(app, lambda name: name.startswith("unheard")))
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Move into Not listened to")
    app.key(Qt.Key.Key_Return)
    unheard = next(c for c in app.services.contributions.list_for_prompt(now.id) if c.text == "unheard")
    assert unheard.theme == "Not listened to"


def test_export_a_report_and_csv_files(make_app, tmp_path):
    app = make_app()
    app.window.exports_folder = tmp_path / "exports"
    _unlock(app)
    _tab_to(app, "Export for the research")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Word report (DOCX)")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "CSV files for analysis")
    app.key(Qt.Key.Key_Return)
    written = sorted(p.name for p in (tmp_path / "exports").rglob("*"))
    assert any(n.endswith(".docx") for n in written)
    assert "contributions.csv" in written
    status = app.window.status.text()
    assert status.startswith("Exported 9 files to ") and status.count(str(tmp_path / "exports")) == 1


def test_the_passphrase_can_be_typed_on_a_keyboard_from_a_scanning_profile(make_app):
    # The facilitator unlocks from the member screen while a switch user's profile scans it.
    app = make_app(last_member="Alex", scan_mode="auto")
    choose(app, "Actions")
    choose(app, "Facilitator")
    screen = app.window.current
    assert isinstance(screen, WriteScreen) and screen.request.secret
    app.qtbot.keyClicks(app.focus(), PASSPHRASE.replace(" ", "-"))
    assert screen.panel.field.toPlainText() == "•" * len(PASSPHRASE)
    choose_key(app, "done")
    # Facilitator mode takes the facilitator's own profile (keys and mouse here): no scanning,
    # so a physical Space types a space and Enter submits.
    assert isinstance(app.window.current, FacilitatorHome)
    assert not app.window.scan.active and app.window.state.profile.scan_mode == "off"
    _tab_to(app, "Lock and leave")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Yes, lock and leave")  # it asks first
    app.key(Qt.Key.Key_Return)
    # Locked: Alex's auto-scan is back on the member screen, so a switch user can pick themselves.
    assert isinstance(app.window.current, MemberScreen)
    assert app.window.scan.active and app.window.state.profile.scan_mode == "auto"


def test_a_session_that_ran_out_asks_for_the_passphrase_on_the_next_refresh(make_app):
    app = make_app()
    _unlock(app)
    _tab_to(app, "Participants and consent")
    app.key(Qt.Key.Key_Return)
    app.services.facilitator.lock(app.window.state.facilitator)  # as the idle time-out does
    app.window.refresh()  # a rebuild (after a change, a page turn or Back) finds it ended
    screen = app.window.current
    assert isinstance(screen, WriteScreen) and screen.request.secret
    assert app.window.status.text() == "Facilitator mode is locked. Give the passphrase again."
    app.key(Qt.Key.Key_Escape)
    assert isinstance(app.window.current, MemberScreen)  # nothing of facilitator mode is left behind
