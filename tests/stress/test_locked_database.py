"""The database file locked by another process (BEGIN EXCLUSIVE on its own connection) while a
member uses the window by switch: the window keeps scanning, what is slow is told (shown and
spoken, once), and the action completes or is refused plainly once the lock is released."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.ui import guard as guard_module
from app.ui.context import SLOW
from tests.stress.test_faults import LOCKER, _keyword_tile, _open_now
from tests.ui.conftest import choose_key


@contextmanager
def locked(db: Path) -> Iterator[subprocess.Popen]:
    """Another process holds the file with BEGIN EXCLUSIVE until the block ends."""
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        yield locker
    finally:
        locker.communicate("\n", timeout=10)


def test_a_slow_database_is_spoken_once_while_it_stays_slow(make_app, tmp_path: Path):
    app = make_app(last_member="Alex", scan_mode="auto", loops_before_rest=10)
    app.window.db.grace = 0.3  # as in the app
    _open_now(app)
    group = next(g for g in app.window.current.scan_groups() if g.label.startswith("Keywords"))
    first, second = (t.accessibleName() for t in group.items[:2])
    with locked(tmp_path / "canvas.db"):
        choose_key(app, first)  # "me too", by switch: it waits behind the lock
        assert app.window.status.text() == SLOW
        assert app.speaker.texts.count(SLOW) == 1  # shown AND spoken
        choose_key(app, second)  # a second action while it is still slow: shown, not said again
        assert app.window.status.text() == SLOW
        assert app.speaker.texts.count(SLOW) == 1
        app.qtbot.waitUntil(lambda: app.window.status.text() == guard_module.BUSY, timeout=20000)
    assert guard_module.BUSY in app.speaker.texts  # the first gave up; the second, after it, is saved
    app.qtbot.waitUntil(lambda: app.window.status.text().startswith("Me too"), timeout=20000)
    with locked(tmp_path / "canvas.db"):
        choose_key(app, _keyword_tile(app))  # slow again after an answer came: said again
        assert app.speaker.texts.count(SLOW) == 2
        app.qtbot.waitUntil(lambda: app.speaker.texts[-1] == guard_module.BUSY, timeout=20000)
