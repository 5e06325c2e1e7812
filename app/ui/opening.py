"""Opening the store before any window: a damaged SQLite file is diagnosed and, as the member
or --recover chooses, replaced by its newest good backup or a new file (the damaged one kept)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.store.database import Store


def has_display() -> bool:
    """Whether a window can be shown to ask a question (not offscreen; on Linux a display)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in ("offscreen", "minimal", "minimalegl"):
        return False
    if sys.platform.startswith("linux") and platform in ("", "xcb", "wayland"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def open_or_recover(url: str, choice: str | None) -> Store | None:
    """Open the store; if its file is damaged, restore the newest good backup or start a new
    file (`choice` from --recover, else asked in a dialog when there is a display), always
    keeping the damaged file beside it. None (after saying why on stderr) if it stays shut."""
    from sqlalchemy.engine import make_url

    from app.store import recovery
    from app.store.database import Store, StoreError

    try:
        return Store.open(url)
    except StoreError as exc:
        problem = str(exc)
    parsed = make_url(url)
    diagnosis = None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        diagnosis = recovery.diagnose(Path(parsed.database))
    if diagnosis is None or not diagnosis.recoverable:
        print(f"canvas: {problem}", file=sys.stderr)
        return None
    backup = recovery.newest_good_backup(diagnosis.path)
    tell: Callable[[str], None] = lambda text: print(f"canvas: {text}", file=sys.stderr)  # noqa: E731
    if choice is None and has_display():
        from PySide6.QtWidgets import QApplication

        from app.ui import recovery_dialog

        QApplication.instance() or QApplication([sys.argv[0]])  # PySide keeps it; main() reuses it
        choice = recovery_dialog.ask(problem, diagnosis.path, backup)
        tell = recovery_dialog.tell
    elif choice is None:
        found = f"the newest good backup is from {backup.label()}" if backup else "no good backup was found"
        print(f"canvas: {problem}\ncanvas: {found}. Start the app again with --recover restore "
              "(put that backup back) or --recover new (start a new empty file); either way the "
              "damaged file is kept beside it.", file=sys.stderr)
        return None
    try:
        if choice == "restore":
            if backup is None:
                raise recovery.RecoveryError("There is no good backup to restore; nothing was changed.")
            kept = recovery.restore_backup(diagnosis.path, backup)
        elif choice == "new":
            kept = recovery.start_new(diagnosis.path)
        else:
            print(f"canvas: {problem}", file=sys.stderr)
            return None
        print(f"canvas: the damaged file was kept as {kept}", file=sys.stderr)
        return Store.open(url)
    except (StoreError, recovery.RecoveryError) as exc:
        tell(str(exc))
        return None
