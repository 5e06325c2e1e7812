"""Open screens show what another machine added, within two seconds."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.services.container import Services
from app.store.database import Store
from app.ui.screens.prompt import PromptScreen


def test_a_keyword_added_elsewhere_appears(make_app, tmp_path):
    app = make_app()
    app.key(Qt.Key.Key_Return)  # Alex
    app.key(Qt.Key.Key_Return)  # the "now" question
    screen = app.window.current
    assert isinstance(screen, PromptScreen)
    other = Store.open(f"sqlite:///{tmp_path / 'canvas.db'}")  # a second copy of the app
    try:
        sam = app.members()["Sam"]
        Services.build(other).contributions.add(sam, screen.prompt.id, "isolated")
        app.qtbot.waitUntil(
            lambda: any(t.accessibleName().startswith("isolated,") for t in app.window.tiles()),
            timeout=2000,
        )
    finally:
        other.close()
