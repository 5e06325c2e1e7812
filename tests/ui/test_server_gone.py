"""The shared server stops mid-session and starts again: the window keeps answering keys
within 100 ms throughout, says so in the status line (speaking it once), loses nothing typed,
and saves the waiting text when the server is back.

"Stopped" is a relay on loopback between the app and PostgreSQL that the test takes down
(every connection cut, new ones refused) and brings back on the same port: stopping the real
cluster would break every other test that uses the server.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.access.clock import ManualClock
from app.access.prediction import Predictor
from app.services.container import Services
from app.speech.speaker import RecordingSpeaker
from app.store import shared_admin
from app.store.database import Store
from app.store.local_drafts import LocalDrafts
from app.store.models import InProgressText
from app.ui.main_window import MainWindow
from app.ui.screens.write import WriteScreen
from tests.shared.conftest import Shared, shared  # noqa: F401  (shared is a fixture)
from tests.shared.proxy import Relay
from tests.ui.conftest import SMALL_ENGLISH

GONE = "The shared database cannot be reached. Your writing is kept on this computer."


def saved_text(admin: str, member_id: str) -> list[str]:
    owner = shared_admin.owner_store(admin)
    try:
        with owner.read() as s:
            return list(s.scalars(select(InProgressText.text).where(InProgressText.member_id == member_id)))
    finally:
        owner.close()


class Typist:
    """Presses a letter every 50 ms on a Qt timer, measuring how late each press is answered:
    a window blocked by the database would answer late (or the timer would fire late)."""

    def __init__(self, text: str) -> None:
        self.letters = list(text)
        self.worst = 0.0
        self._due = 0.0
        self.timer = QTimer()
        self.timer.setInterval(50)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._due = time.perf_counter() + 0.05
        self.timer.start()

    def type(self, text: str) -> None:
        """Type `text` next, measuring afresh."""
        self.letters, self.worst = list(text), 0.0
        self.timer.stop()
        self.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        late = max(0.0, now - self._due)
        if self.letters:
            target = QApplication.focusWidget()
            assert target is not None
            QTest.keyClicks(target, self.letters.pop(0))
            # A press is answered when its handling returns; a blocked window also fires late.
            self.worst = max(self.worst, late + (time.perf_counter() - now))
        self._due = time.perf_counter() + 0.05


def test_the_window_answers_while_the_server_is_gone(qtbot, tmp_path, shared: Shared):  # noqa: F811
    relay = Relay()
    relay.up()
    url = make_url(shared.logins["Alex"]).set(port=relay.port).render_as_string(hide_password=False)
    store = Store.open(url)
    store.data_path = tmp_path
    typist = None
    try:
        services = Services.build(store)
        project_id = services.projects.list_projects()[0].id
        alex = next(m for m in services.projects.list_members(project_id) if m.display_name == "Alex")
        prompt = services.projects.list_prompts(project_id)[0]
        speaker = RecordingSpeaker()
        window = MainWindow(services, speaker, project_id, Predictor(SMALL_ENGLISH), clock=ManualClock(),
                            local_drafts=LocalDrafts(tmp_path / "unsaved.json"))
        qtbot.addWidget(window)
        window.resize(1280, 860)
        window.show()
        window.activateWindow()
        qtbot.waitExposed(window)
        window.pick_member(alex)
        window.show_prompt(prompt.id)
        next(t for t in window.tiles() if t.accessibleName().startswith("✚ Add keyword")).click()
        screen = window.current
        assert isinstance(screen, WriteScreen)
        field = screen.panel.field
        field.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)

        typist = Typist("care")
        typist.start()
        qtbot.waitUntil(lambda: not typist.letters, timeout=5000)
        # (the checks that read the database run on this thread too: press no key meanwhile)
        qtbot.waitUntil(lambda: saved_text(shared.admin, alex.id) == [field.toPlainText()], timeout=5000)

        relay.down()  # the server stops mid-session
        typist.type(" is ours")
        qtbot.waitUntil(lambda: window.status.text() == GONE and not typist.letters, timeout=15000)
        worst_while_gone = typist.worst
        typed = field.toPlainText()
        assert typed.lower() == "care is ours", "every key was answered while the server was gone"
        assert saved_text(shared.admin, alex.id) == [typed[:4]], "the server has what it had"
        assert window.ctx.local_drafts.get(alex.id, screen.request.target) == (typed, len(typed))

        relay.up()  # and starts again
        qtbot.waitUntil(lambda: saved_text(shared.admin, alex.id) == [typed], timeout=15000)
        qtbot.waitUntil(lambda: window.status.text().startswith("The shared database answers again"),
                        timeout=5000)
        assert window.ctx.local_drafts.get(alex.id, screen.request.target) is None
        assert speaker.texts.count(GONE) == 1, "said once, not at every poll"
        assert worst_while_gone < 0.1, f"a key waited {worst_while_gone * 1000:.0f} ms"
        window.close()
    finally:
        if typist is not None:
            typist.timer.stop()
        relay.down()
        store.close()
