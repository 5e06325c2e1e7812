"""The one window: a stack of screens, the status line, scanning and switch input."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.access.prediction import Predictor
from app.access.profile import AccessProfile
from app.access.switches import SwitchError, SwitchMap
from app.services.dto import MemberInfo
from app.services.errors import FacilitatorLocked
from app.services.group.startup import Ready, ServicesLoader, StartupSnapshot
from app.speech.speaker import Speaker, SpeechKind, VoiceSettings
from app.store.local_drafts import LastPlace, LocalDrafts
from app.ui.confirm_nav import ConfirmNavigation
from app.ui.context import ServicesSource, UiContext, UiState
from app.ui.database_watch import DatabaseWatch
from app.ui.db_worker import DatabaseWorker
from app.ui.facilitator_nav import FacilitatorNavigation
from app.ui.guard import ActionGuard
from app.ui.keyboard_focus import KeyboardFocus
from app.ui.meeting_nav import MeetingNavigation
from app.ui.member_nav import MemberNavigation
from app.ui.pointer import PointerController
from app.ui.predictors import MemberPredictors
from app.ui.project_nav import ProjectNavigation
from app.ui.resume_nav import ResumeNavigation
from app.ui.scan import AdaptiveProvider, ScanController, SchedulingClock
from app.ui.screens.base import Screen
from app.ui.screens.members import MemberScreen
from app.ui.switch_input import InputRouter
from app.ui.theme import load_theme, stylesheet
from app.ui.voice import ListenerFactory, VoiceControl

if TYPE_CHECKING:
    from app.services.container import Services

ScreenFactory = Callable[[], Screen]
POLL_MS = 1000


class MainWindow(KeyboardFocus, ConfirmNavigation, ResumeNavigation, MemberNavigation, FacilitatorNavigation,
                 ProjectNavigation, MeetingNavigation, DatabaseWatch, QMainWindow):
    """Shows one screen at a time and keeps the way back."""

    # Emitted from the loading thread when services loading in the background have settled.
    servicesSettled = Signal()  # noqa: N815 - Qt signal naming

    def __init__(
        self,
        services: Services | ServicesSource,
        speaker: Speaker,
        project_id: str,
        predictor: Predictor,
        clock: SchedulingClock | None = None,
        exports_folder: Path | None = None,
        bundles_folder: Path | None = None,
        local_drafts: LocalDrafts | None = None,
        snapshot: StartupSnapshot | None = None,
        input_after_paint: bool = False,
        last_place: LastPlace | None = None,
        start_scanning: bool = False,
        voice: ListenerFactory | None = None,
        project_chosen: Callable[[str], None] | None = None,
    ) -> None:
        """`services` may still be loading (a :class:`ServicesLoader`): then `snapshot` draws
        the member screen and anything needing the services waits for them. With
        `input_after_paint`, switch input starts only when :meth:`start_input` is called
        (main.py calls it once the first screen is painted). `voice` starts the recogniser
        (:func:`app.voice.listener.make_listener`); without it voice is off. `last_place` keeps
        where the member is, for :meth:`resume` after a crash. With `start_scanning`, a computer
        where nobody has taken part yet starts in one-switch auto-scan. `project_chosen` keeps
        the project chosen on the projects screen for the next start."""
        super().__init__()
        self.setWindowTitle("Co-production Canvas")
        self.source: ServicesSource = (services if isinstance(services, (Ready, ServicesLoader))
                                        else Ready(services))
        self._snapshot = snapshot
        self.project_chosen = project_chosen
        self.speaker = speaker
        self.exports_folder = exports_folder or Path.home() / "Co-production Canvas exports"
        self.bundles_folder = bundles_folder or Path.home() / "Co-production Canvas bundles"
        self.predictors = MemberPredictors(predictor, lambda: self.services.words, project_id)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.stack = QStackedWidget()
        # A screen's minimum size never makes the window larger than it was made (off the screen).
        self.stack.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        layout.addWidget(self.stack, 1)
        self.status = QLabel("")
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Status")
        bottom = QHBoxLayout()  # the status line, and the pause tile in the corner when pointing
        bottom.setContentsMargins(0, 0, 14, 12)  # room for the highlight round the pause tile
        bottom.addWidget(self.status, 1)
        layout.addLayout(bottom)
        self.setCentralWidget(central)
        self.state = UiState(project_id=project_id)
        drafts = local_drafts or LocalDrafts(Path.home() / ".coproduction-canvas-unsaved.json")
        # Polling and saving go through one worker thread: a slow or gone server never holds the window.
        self.db = DatabaseWorker(self)
        self._offline = False
        self.ctx = UiContext(self.source, speaker, self.state, nav=self, status=self, local_drafts=drafts,
                             db=self.db)
        # Every tile, key and timer of the window runs through this (app/ui/guard.py).
        self.guard = ActionGuard(self.ctx.announce, self.show_status, self)
        self.ctx.guard = self.guard
        drafts.on_damaged = self._drafts_set_aside
        self.scan = ScanController(central, speaker, clock, on_rest=self._rested)
        self.pointer = PointerController(self, central, self.scan.say_cue, self.ctx.announce, clock)
        bottom.addWidget(self.pointer.pause_tile, 0, Qt.AlignmentFlag.AlignRight)
        self.router = InputRouter(self, self.scan, on_escape=self.escape)
        self.router.pointer = self.pointer
        self.question_clock = self.scan.clock.channel()  # a question's time-out, on the same time
        self._quitting = False
        self.voice = VoiceControl(self, speaker, voice)
        self.ctx.voice = self.voice
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        self.current: Screen | None = None
        self._history: list[ScreenFactory] = []
        self._trail: list[list[object] | None] = []  # the moves that opened them (resume_nav)
        self.last_place = last_place
        # Another machine on a shared database may add things: look for changes every second.
        self._marker: tuple[int, str] | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.guard.wrap(self._look_for_changes, timer=True))
        self._poll.start()
        # Emitted in the loading thread: a slot of this window, so that it runs in the GUI thread
        # (a plain function would run in the thread that emits); the guard is inside it.
        self.servicesSettled.connect(self._services_settled)
        last = snapshot.last_member if snapshot else self.services.projects.last_session_member(project_id)
        first = AccessProfile(scan_mode="auto") if start_scanning else AccessProfile()
        self.apply_profile(AccessProfile.stored(last.profile) if last else first)
        self.show_members()
        if not input_after_paint:
            self.start_input()

    def start_input(self) -> None:
        """Start taking switch and key input. At start-up this waits for the first paint: each
        event that passes the (application-wide, Python) filter costs time, and building and
        showing the first screen sends hundreds (bench/startup.py)."""
        self.router.install()

    @property
    def services(self) -> Services:
        """The services (waiting, at start-up, until they are loaded)."""
        return self.source.get()

    # ------------------------------------------------------------- navigation
    def show_members(self) -> None:
        """Back to "Who is taking part?".

        The profile in use stays (at start-up: the last member's), so a switch user
        can always pick themselves without help.
        """
        self.state.member = None
        self.state.undo_tokens.clear()
        self._history.clear()
        self._trail.clear()
        early = self._snapshot if self._snapshot and not self.source.done else None
        self._open(lambda: MemberScreen(self.ctx, self.pick_member, self.ask_quit,
                                        early.members if early else None, early.projects if early else 1))

    def ask_quit(self) -> None:
        """Quit, once the member (or their helper) has said "Yes" to "Quit Co-production Canvas?"."""
        from app.ui.screens.confirm import question

        self.ask_first(question("quit"), self.quit_now)

    def quit_now(self) -> None:
        """Close the window for good: a deliberate, confirmed Quit (the supervisor stops too)."""
        self._quitting = True
        self.close()

    def pick_member(self, member: MemberInfo) -> None:
        """Make `member` the one taking part and load their access profile."""
        from app.ui.screens.home import HomeScreen

        self.state.member = member
        self.state.undo_tokens.clear()
        self.services.projects.start_session(member.id)
        self.predictors.prepare(member.id)  # ready by the time they reach a keyboard
        self.apply_profile(AccessProfile.stored(member.profile))
        self._open(lambda: HomeScreen(self.ctx))
        self.start_turn_in_meeting()

    def _turn(self, factory: ScreenFactory, replace: bool = False) -> None:
        """Open a screen, or put it in place of the current one (a page turn, a new filter)."""
        if replace and self._history:
            before, self._history[-1] = self._history[-1], factory
            self._trail[-1] = self._step
            try:
                self._replace(factory)
            except BaseException:
                self._history[-1] = before
                raise
        else:
            self._open(factory)

    def rescan(self) -> None:
        """The current screen's keys changed: scan the new ones, keeping the place."""
        if self.current is not None:
            self.scan.set_groups(self.current.scan_groups(), keep_key=self.scan.highlighted_key(),
                                 provider=self._adaptive_keys(self.current))
            self.pointer.set_groups(self.current.scan_groups())
            self.voice.update_targets()

    def _adaptive_keys(self, screen: Screen) -> AdaptiveProvider | None:
        """The screen's keys for adaptive scanning, where the member has chosen it."""
        wanted = self.state.profile.adaptive_keyboard and self.scan.active
        return screen.adaptive_provider() if wanted else None

    def back(self) -> None:
        """Return to the previous screen (Escape, or Back in an action bar)."""
        if self.router.capture is not None:
            return
        if len(self._history) <= 1:
            if self.state.member is not None:
                self.show_members()
            return
        self._history.pop()
        self._trail.pop()
        self._replace(self._history[-1])

    def refresh(self) -> None:
        """Rebuild the current screen in place, keeping the member's place."""
        if self._history:
            self._replace(self._history[-1], keep_place=True)

    # ---------------------------------------------------------------- profile
    def apply_profile(self, profile: AccessProfile) -> None:
        """Apply a member's profile at once: theme, size, scanning, switches, speech."""
        self.state.profile = profile
        theme = load_theme(profile.theme)
        self.setStyleSheet(stylesheet(theme, profile.size_percent, profile.highlight_colour))
        try:
            self.router.switches = SwitchMap.from_profile(profile)
        except SwitchError:
            self.router.switches = SwitchMap("Space", "Return")
        self.speaker.set_enabled(profile.speech_on)
        self.speaker.configure(
            SpeechKind.CUE,
            VoiceSettings(profile.cue_voice, profile.cue_rate, profile.cue_volume),
        )
        self.speaker.configure(
            SpeechKind.SPEECH,
            VoiceSettings(profile.main_voice, profile.main_rate, profile.main_volume),
        )
        self.scan.apply_profile(profile, theme.highlight, theme.highlight_inner)
        self.pointer.apply_profile(profile, theme.highlight, theme.highlight_inner)
        self.voice.apply_profile(profile)

    def show_status(self, text: str) -> None:
        """Show a message in the status line (the context speaks announcements)."""
        self.status.setText(text)
        self.status.setAccessibleName(f"Status: {text}" if text else "Status")

    def last_status(self) -> str:
        """The message the status line shows now ("What happened?" says it again)."""
        return self.status.text()

    def spoke(self) -> None:
        """Something is being read aloud: the next scan cue waits for it."""
        self.scan.announced()

    # -------------------------------------------------------------- internals
    def _open(self, factory: ScreenFactory) -> None:
        self._history.append(factory)
        self._trail.append(self._step)
        try:
            self._replace(factory)
        except BaseException:
            self._history.pop()  # the screen could not be built: the way back stays as it was
            self._trail.pop()
            raise

    def _replace(self, factory: ScreenFactory, keep_place: bool = False) -> None:
        self._drop_question()
        keep_key = self.scan.highlighted_key() if keep_place else None
        focus_place = self._focus_place() if keep_place else None
        old = self.current
        try:
            # Built before the old screen lets go: a screen that cannot be read (a busy or
            # lost database) leaves the member where they were, and the guard says why.
            screen = factory()
        except FacilitatorLocked:  # a refresh, Back or page turn after the session ran out
            if old is not None:
                old.detach()
            self.facilitator_expired()
            return
        if old is not None:
            old.detach()
        self.stack.addWidget(screen)
        self.stack.setCurrentWidget(screen)
        self.current = screen
        if old is not None:
            self.stack.removeWidget(old)
            old.deleteLater()
        if not keep_place:
            self.ctx.speak(screen.spoken_title())
        self.scan.set_groups(screen.scan_groups(), keep_key=keep_key, provider=self._adaptive_keys(screen))
        self.pointer.set_groups(screen.scan_groups())
        self.router.typing = screen.typing_field()
        if self.source.done:
            self._marker = self.services.projects.change_marker(self.state.project_id)
        if not self.scan.active:
            self._focus_again(focus_place)
        self._keep_place()
        self.voice.update_targets()

    @Slot()
    def _services_settled(self) -> None:
        self.guard.run(self._settle)

    def _settle(self) -> None:
        if self.source.failed is not None:
            self.close()  # main.py starts again the slow way, which says what is wrong
        else:
            self._look_for_changes()

    def _drafts_set_aside(self, aside: Path) -> None:
        """This computer's unsaved-text file was damaged and set aside (from any thread): log
        it, and tell the member in the GUI thread."""
        logging.getLogger("canvas.drafts").warning("unsaved text file set aside as %s", aside)
        self.guard.tell_later(f"This computer's file of unsaved text was damaged. It was set aside as "
                              f"{aside.name}, not overwritten; ask for help to look at it.")

    def _rested(self) -> None:
        self.show_status("Scanning is resting. Press your switch to start again.")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Keep the highlight on its target."""
        super().resizeEvent(event)
        self.scan.frame.reposition()
        self.pointer.frame.reposition()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """A close from the window manager (its X, Alt+F4) asks first, like Quit; then stop
        filtering input, looking for changes and speaking."""
        if event.spontaneous() and not self._quitting:
            event.ignore()
            if self.asking is None:
                self.ask_quit()
            return
        self.router.remove()
        self.pointer.stop()
        self._poll.stop()
        self.db.stop()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.disconnect(self._focus_changed)
        self.speaker.stop()
        self.voice.close()
        super().closeEvent(event)
