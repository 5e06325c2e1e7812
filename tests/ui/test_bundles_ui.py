"""Bundles from the screens: a participant sends their work; the facilitator previews and imports."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt

from app.services.container import Services
from app.store.database import Store
from app.ui.screens.facilitator.bundles import BundlePreviewScreen
from tests.ui.test_facilitator import _tab_to, _unlock


def test_send_my_work_then_import_a_bundle_from_another_machine(make_app, tmp_path):
    app = make_app()
    app.window.bundles_folder = tmp_path / "bundles"
    app.key(Qt.Key.Key_Return)  # Alex
    _tab_to(app, "Send my work")
    app.key(Qt.Key.Key_Return)
    sent = list((tmp_path / "bundles").glob("*.canvas"))
    assert len(sent) == 1 and "Bundle saved" in app.window.status.text()

    # Another machine: a copy of this database where Sam adds a keyword, sent back as a bundle.
    other_path = tmp_path / "other.db"
    with sqlite3.connect(tmp_path / "canvas.db") as src, sqlite3.connect(other_path) as dst:
        src.backup(dst)
    other = Store.open(f"sqlite:///{other_path}")
    services = Services.build(other)
    now = next(p for p in services.projects.list_prompts(app.project_id) if p.pair_role == "now")
    services.contributions.add(app.members()["Sam"], now.id, "from home")
    services.exchange.export_bundle(app.project_id, tmp_path / "bundles" / "zz-from-sam.canvas")
    other.close()

    _tab_to(app, "Change member")
    app.key(Qt.Key.Key_Return)
    _unlock(app)
    _tab_to(app, "Bundles from other machines")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Import zz-from-sam.canvas")
    app.key(Qt.Key.Key_Return)
    screen = app.window.current
    assert isinstance(screen, BundlePreviewScreen)
    assert any(line.startswith("New:") for line in screen.lines), screen.lines
    assert "from home" not in [c.text for c in app.services.contributions.list_for_prompt(now.id)]
    _tab_to(app, "Import it")
    app.key(Qt.Key.Key_Return)
    assert app.window.status.text().startswith("Imported:")
    assert "from home" in [c.text for c in app.services.contributions.list_for_prompt(now.id)]
    # the same bundle again changes nothing
    _tab_to(app, "Import zz-from-sam.canvas")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Import it")
    app.key(Qt.Key.Key_Return)
    assert app.window.status.text() == "Nothing new: all of it was here."


def test_a_damaged_bundle_is_refused_with_a_clear_message(make_app, tmp_path):
    app = make_app()
    app.window.bundles_folder = tmp_path / "bundles"
    (tmp_path / "bundles").mkdir()
    (tmp_path / "bundles" / "broken.canvas").write_bytes(b"not a zip at all")
    _unlock(app)
    _tab_to(app, "Bundles from other machines")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Import broken.canvas")
    app.key(Qt.Key.Key_Return)
    screen = app.window.current
    assert screen.lines[0].startswith("This bundle cannot be imported:")
    assert not [t for t in app.window.tiles() if t.accessibleName() == "Import it"]
