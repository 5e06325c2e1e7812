"""Real names, exports that follow consent, and a withdrawal that clears backups and this
computer's unsaved text: the facilitator's side, driven by the keyboard alone."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from app.store.database import backup_sqlite
from app.store.models import InProgressText
from app.store.recovery import backups_of
from app.ui.screens.facilitator.home import FacilitatorHome
from app.ui.screens.facilitator.participants import ParticipantScreen, WithdrawalScreen
from app.ui.screens.members import MemberScreen
from app.ui.screens.write import WriteScreen
from tests.ui.test_facilitator import _tab_to, _unlock

REAL = "Alexandra Realperson"


def _open_member(app, name):
    _tab_to(app, "Participants and consent")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, f"{name}, participant")
    app.key(Qt.Key.Key_Return)
    assert isinstance(app.window.current, ParticipantScreen)


def _texts(app) -> str:
    return "\n".join(label.text() for label in app.window.current.findChildren(QLabel))


def test_the_facilitator_records_a_real_name_seen_only_in_facilitator_mode(make_app):
    app = make_app()
    _unlock(app)
    _open_member(app, "Alex")
    assert "No real name recorded" in _texts(app)
    _tab_to(app, "Change the real name")
    app.key(Qt.Key.Key_Return)
    screen = app.window.current
    assert isinstance(screen, WriteScreen) and screen.request.private
    assert screen.phrase_group is None  # a real name is never saved as a phrase
    assert screen.model.learn == "off"  # nor learned, so it is never offered as a prediction
    screen.panel.field.setFocus()
    app.qtbot.keyClicks(screen.panel.field, REAL)
    assert screen.panel.field.toPlainText() == REAL  # shown, not hidden like a passphrase
    app.qtbot.keyClick(screen.panel.field, Qt.Key.Key_Return)
    assert app.window.status.text() == "Real name saved for Alex."
    assert isinstance(app.window.current, ParticipantScreen)
    assert f"Real name: {REAL}" in _texts(app)
    # Nothing of it was kept as unfinished text or learned for predictions.
    with app.store.read() as s:
        assert not [t for t in s.scalars(select(InProgressText.text)) if "Realperson" in t]
    # Locked again, the member screen shows pseudonyms only.
    for _ in range(2):
        app.key(Qt.Key.Key_Escape)
    assert isinstance(app.window.current, FacilitatorHome)
    _tab_to(app, "Lock and leave")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Yes, lock and leave")  # it asks first
    app.key(Qt.Key.Key_Return)
    assert isinstance(app.window.current, MemberScreen)
    assert REAL not in "\n".join(t.accessibleName() + t.text() for t in app.window.tiles())


def test_export_with_real_names_where_agreed(make_app, tmp_path: Path):
    app = make_app()
    app.window.exports_folder = tmp_path / "exports"
    members = app.members()
    _unlock(app)
    session = app.window.state.facilitator
    app.services.participants.set_real_name(session, members["Alex"], REAL)
    app.services.participants.set_real_name(session, members["Sam"], "Samuel Hidden")
    consent = next(m.consent for m in app.services.participants.list_members(session)
                   if m.id == members["Sam"])
    app.services.participants.set_consent(session, members["Sam"], replace(consent, credit="anonymous"))
    _tab_to(app, "Export for the research")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Markdown")
    app.key(Qt.Key.Key_Return)
    [plain] = list((tmp_path / "exports").glob("*.md"))
    assert REAL not in plain.read_text(encoding="utf-8")
    plain.unlink()
    _tab_to(app, "Names: Real names where agreed")
    app.key(Qt.Key.Key_Return)
    assert app.window.status.text() == "Names: real names where the person agreed to named credit"
    _tab_to(app, "Markdown")
    app.key(Qt.Key.Key_Return)
    [named] = list((tmp_path / "exports").glob("*.md"))
    text = named.read_text(encoding="utf-8")
    assert REAL in text and "Samuel Hidden" not in text and "| Jordan |" in text
    # The export is recorded, so the screen is rebuilt (as the 1 s poll does): the choice stays.
    app.window.refresh()
    _tab_to(app, "Names: Real names where agreed, chosen")
    app.key(Qt.Key.Key_Escape)
    _tab_to(app, "Lock and leave")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Yes, lock and leave")  # it asks first
    app.key(Qt.Key.Key_Return)
    _unlock(app)  # a new session starts with pseudonyms again
    _tab_to(app, "Export for the research")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Names: Pseudonyms, chosen")


def test_withdrawal_clears_backups_and_unsaved_text_here(make_app, tmp_path: Path):
    app = make_app()
    kai = app.members()["Kai"]
    database = tmp_path / "canvas.db"
    old = backup_sqlite(database, "daily")
    app.window.ctx.local_drafts.keep(kai, "contribution:x", "Kai's unsaved words", 3)
    _unlock(app)
    _open_member(app, "Kai")
    _tab_to(app, "Withdraw: delete their words")
    app.key(Qt.Key.Key_Return)
    screen = app.window.current
    assert isinstance(screen, WithdrawalScreen)
    assert screen.preview.counts["backups"] == 1 and screen.preview.counts["texts_on_this_computer"] == 1
    assert "backups: 1 deleted, and one fresh backup taken" in screen.spoken_title()
    assert old.exists()
    _tab_to(app, "Confirm: withdraw and delete")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Yes, withdraw")  # it asks first
    app.key(Qt.Key.Key_Return)
    assert "Kai" not in app.members()
    assert not old.exists()
    [fresh] = backups_of(database)
    assert b"Kai" not in fresh.read_bytes()
    assert app.window.ctx.local_drafts.texts_of(kai) == []
    assert "unsaved words" not in (tmp_path / "unsaved.json").read_text(encoding="utf-8")
