"""Bundle refusals on the facilitator's screens, keys only: a refusal says once that nothing was
written, and the facilitator's own invitation is not offered for import on its own computer."""

from __future__ import annotations

import re

from app.services.exchange.bundle_format import BundleError
from app.ui.screens.facilitator.bundles import BundlePreviewScreen
from tests.stress.forgery import first, forge
from tests.ui.test_bundles_ui import _bundles, _invite_sam, _press

ONCE = re.compile(r"nothing (?:was|is|has been) (?:written|changed|saved)", re.IGNORECASE)


def _imports(app) -> list[str]:
    return [t.accessibleName() for t in app.window.tiles() if t.accessibleName().startswith("Import ")]


def _said_once(text: str) -> None:
    assert len(ONCE.findall(text)) == 1, text


def test_a_refused_bundle_says_nothing_was_written_once(make_app, tmp_path):
    usb = tmp_path / "usb"
    f = make_app()
    f.window.bundles_folder = usb
    usb.mkdir()
    (usb / "damaged.canvas").write_bytes(b"not a zip at all")
    mine = f.services.exchange.export_bundle(f.project_id, tmp_path / "mine.canvas").path
    forge(mine, usb / "forged.canvas", first("contribution", text="words nobody wrote"))
    _bundles(f)
    for name in ("damaged.canvas", "forged.canvas"):
        _press(f, f"Import {name}")
        screen = f.window.current
        assert isinstance(screen, BundlePreviewScreen) and screen.preview is None
        _said_once(" ".join(screen.lines))
        _said_once(f.speaker.texts[-1])  # the preview read out
        _press(f, "Back")


def test_a_refusal_that_already_says_it_in_its_own_words_is_not_told_twice(make_app, tmp_path, monkeypatch):
    # The service's words for a bundle that met a change half-way: "…; nothing was written. Try again."
    usb = tmp_path / "usb"
    f = make_app()
    f.window.bundles_folder = usb
    usb.mkdir()
    f.services.exchange.export_bundle(f.project_id, usb / "mine.canvas")
    _bundles(f)

    def changed_meanwhile(*_args, **_kwargs):
        raise BundleError("The database changed while the bundle was being imported; nothing was written. "
                          "Try again.")

    monkeypatch.setattr(f.services.exchange, "import_bundle", changed_meanwhile)
    _press(f, "Import mine.canvas")
    _press(f, "Import it")
    assert f.window.status.text().startswith("Not imported: The database changed")
    _said_once(f.window.status.text())
    _said_once(f.speaker.texts[-1])


def test_the_facilitators_own_invitation_is_not_offered_for_import(make_app, tmp_path):
    usb = tmp_path / "usb"
    f = make_app()
    f.window.bundles_folder = usb
    invitation = _invite_sam(f, usb)  # (it refreshes the screen)
    f.services.exchange.export_bundle(f.project_id, usb / "for-everyone.canvas")
    f.window.refresh()
    assert invitation.exists()
    assert _imports(f) == ["Import for-everyone.canvas"]
    assert f.services.exchange.waiting_bundles(usb) == [usb / "for-everyone.canvas"]
