"""Bundles from the screens, on two computers, keys only (through the app's event filter).

F is the facilitator's computer (the `make_app` window); P a participant's computer, its own
window over its own data folder, which made its own practice project on first run (the same
name as F's). They share a folder, as a USB stick would be: the facilitator invites P for Sam,
P imports the invitation and opens the joined project, Sam sends his work back, and the
facilitator imports it; revoking asks first; forged and unsigned bundles are refused or warned of.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import delete

from app.access.clock import ManualClock
from app.access.prediction import Predictor
from app.services.container import Services
from app.services.group.demo import create_demo
from app.speech.speaker import RecordingSpeaker
from app.store.database import Store, sqlite_url
from app.store.local_drafts import LocalDrafts
from app.store.models import Contribution
from app.ui.main_window import MainWindow
from app.ui.screens.facilitator.bundles import BundlePreviewScreen
from app.ui.screens.members import MemberScreen
from tests.stress.forgery import dump, first, forge, format_1
from tests.ui.conftest import SMALL_ENGLISH, App
from tests.ui.test_facilitator import _tab_to, _unlock


def _use(app: App) -> None:
    """Put this computer's window in front, with the keyboard's focus."""
    for window in QApplication.topLevelWidgets():
        if isinstance(window, MainWindow) and window is not app.window:
            window.hide()
    app.window.show()
    app.window.activateWindow()
    app.qtbot.waitExposed(app.window)
    app.window.tiles()[0].setFocus()
    app.qtbot.waitUntil(lambda: app.window.isAncestorOf(QApplication.focusWidget() or app.window)
                        and QApplication.focusWidget() is not None)


def _participant(qtbot, root: Path, usb: Path, chosen: list[str]) -> App:
    folder = root / "p"
    folder.mkdir()
    store = Store.open(sqlite_url(folder / "canvas.db"))
    own = create_demo(store)  # its practice project, made on first run
    services = Services.build(store)
    window = MainWindow(services, RecordingSpeaker(), own, Predictor(SMALL_ENGLISH), clock=ManualClock(),
                        bundles_folder=usb, local_drafts=LocalDrafts(folder / "unsaved.json"),
                        project_chosen=chosen.append)
    qtbot.addWidget(window)
    window.resize(1280, 860)
    return App(window, services, store, ManualClock(), window.speaker, own, qtbot)  # type: ignore[arg-type]


def _press(app: App, name: str) -> None:
    _tab_to(app, name)
    app.key(Qt.Key.Key_Return)


def _bundles(app: App) -> None:
    _unlock(app)
    _press(app, "Bundles from other machines")


def _newest(usb: Path) -> Path:
    return max(usb.glob("*.canvas"), key=lambda p: p.stat().st_mtime_ns)


def _invite_sam(f: App, usb: Path) -> Path:
    _bundles(f)
    _press(f, "Invite a computer for Sam")
    assert f.window.status.text().startswith("Invitation for Sam's computer saved")
    return _newest(usb)


def test_invite_join_send_back_and_import_from_the_screens(make_app, tmp_path, qtbot):
    usb = tmp_path / "usb"
    f = make_app()
    f.window.bundles_folder = usb
    invitation = _invite_sam(f, usb)
    chosen: list[str] = []
    p = _participant(qtbot, tmp_path, usb, chosen)
    try:
        _use(p)
        before = {m.display_name for m in p.services.projects.list_members(p.project_id)}
        assert len(before) == 6  # the practice project: everyone
        _press(p, "Import a bundle")
        _press(p, f"Import {invitation.name}")
        screen = p.window.current
        assert isinstance(screen, BundlePreviewScreen)
        text = "\n".join(screen.lines)
        assert "This is an invitation" in text and "this computer's own copy" in text
        _press(p, "Import it")
        # The joined project opens straight away, with only the member P was invited for.
        assert p.window.state.project_id == f.project_id and chosen == [f.project_id]
        assert isinstance(p.window.current, MemberScreen)
        assert [t.accessibleName() for t in p.window.current.tiles] == ["Sam"]
        assert "has joined" in p.window.status.text()
        _press(p, "Other projects")  # the practice project is still there, a switch away
        names = [t.accessibleName() for t in p.window.tiles()]
        assert any("own copy" in n for n in names) and any("open now" in n for n in names)
        _press(p, "Back")
        _press(p, "Sam")
        now = next(q for q in p.services.projects.list_prompts(f.project_id) if q.pair_role == "now")
        p.services.contributions.add(f.members()["Sam"], now.id, "from Sam's home")
        _press(p, "Send my work")
        assert "Bundle saved" in p.window.status.text()
        sent = _newest(usb)
    finally:
        p.window.close()
        p.store.close()
    _use(f)
    f.window.refresh()
    _press(f, f"Import {sent.name}")
    screen = f.window.current
    assert isinstance(screen, BundlePreviewScreen)
    assert any("From Sam's computer" in line for line in screen.lines), screen.lines
    _press(f, "Import it")
    assert f.window.status.text().startswith("Imported:")
    assert "from Sam's home" in [c.text for c in f.services.contributions.list_for_prompt(now.id)]


def test_a_forged_bundle_is_refused_with_the_reason_and_nothing_written(make_app, tmp_path):
    usb = tmp_path / "usb"
    f = make_app()
    f.window.bundles_folder = usb
    mine = f.services.exchange.export_bundle(f.project_id, tmp_path / "mine.canvas").path
    usb.mkdir()
    forge(mine, usb / "forged.canvas", first("contribution", text="words nobody wrote"))
    _bundles(f)
    before = dump(tmp_path / "canvas.db")
    _press(f, "Import forged.canvas")
    lines = f.window.current.lines
    assert lines[0].startswith("This bundle cannot be imported: Refused: this bundle says it comes from "
                               "the facilitator of"), lines
    assert "Nothing was written." in lines[0]
    assert not [t for t in f.window.tiles() if t.accessibleName() == "Import it"]
    assert dump(tmp_path / "canvas.db") == before


def test_revoking_a_computer_asks_first(make_app, tmp_path):
    usb = tmp_path / "usb"
    f = make_app()
    f.window.bundles_folder = usb
    _invite_sam(f, usb)
    _press(f, "Revoke Sam's computer")
    assert f.window.asking is not None and f.focus_name() == "No, go back"
    assert f.window.asking.title == "Revoke Sam's computer?"
    f.key(Qt.Key.Key_Return)  # No
    assert f.services.exchange.computers(f.project_id)[0].revoked_at is None
    _press(f, "Revoke Sam's computer")
    _press(f, "Yes, revoke it")
    assert f.services.exchange.computers(f.project_id)[0].revoked_at is not None
    assert "Revoked Sam's computer" in f.window.status.text()
    assert not [t for t in f.window.tiles() if t.accessibleName() == "Revoke Sam's computer"]


def test_an_unsigned_format_1_bundle_is_imported_only_after_its_warning(make_app, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    f = make_app()
    f.window.bundles_folder = usb
    f.services.contributions.add(f.members()["Kai"], f.services.projects.list_prompts(f.project_id)[0].id,
                                 "an old keyword")
    mine = f.services.exchange.export_bundle(f.project_id, tmp_path / "mine.canvas").path
    with f.store.transaction() as s:  # the earlier version's copy holds a keyword this one lacks
        s.execute(delete(Contribution).where(Contribution.text == "an old keyword"))
    format_1(SimpleNamespace(fac_bundle=mine, project=f.project_id), usb / "old.canvas")
    _bundles(f)
    _press(f, "Import old.canvas")
    screen = f.window.current
    assert screen.lines[0].startswith("Warning: this bundle is not signed")
    _press(f, "Import it once, unsigned")
    assert f.window.status.text().startswith("Imported: 1 new records"), f.window.status.text()
    _press(f, "Import old.canvas")
    _press(f, "Import it once, unsigned")
    assert "imported once only" in f.window.status.text()
