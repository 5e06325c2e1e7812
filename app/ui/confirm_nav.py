"""Asking first, as a move of the main window: the question goes over the member's screen,
which is kept as it is (highlight, text, keyboard) and comes back on "No" or a time-out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QStackedWidget, QWidget

if TYPE_CHECKING:
    from app.ui.context import UiContext, UiState
    from app.ui.scan import AdaptiveProvider, ScanController, SchedulingClock
    from app.ui.screens.base import Screen
    from app.ui.screens.confirm import ConfirmScreen, Question
    from app.ui.switch_input import InputRouter
    from app.ui.voice import VoiceControl


@dataclass
class _Asking:
    """A question on show: the screen under it, the place on it, and what "Yes" does."""

    under: Screen
    key: str | None
    focus: int | None
    on_yes: Callable[[], None]
    screen: ConfirmScreen


class ConfirmNavigation:
    """Mixed into MainWindow: `ask_first` puts a question before an action."""

    ctx: UiContext
    state: UiState
    router: InputRouter
    scan: ScanController
    stack: QStackedWidget
    current: Screen | None
    question_clock: SchedulingClock
    voice: VoiceControl
    _asking: _Asking | None = None

    if TYPE_CHECKING:  # MainWindow's, named here for the type checker only
        def _adaptive_keys(self, screen: Screen) -> AdaptiveProvider | None: ...
        def _focus_index(self) -> int | None: ...
        def _focus_tile(self, index: int) -> None: ...
        def back(self) -> None: ...
        def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None: ...

    @property
    def asking(self) -> ConfirmScreen | None:
        """The question on show, if any."""
        return self._asking.screen if self._asking is not None else None

    def ask_first(self, asked: Question, on_yes: Callable[[], None]) -> None:
        """Do `on_yes` once the member says "Yes" to `asked`, or at once if their profile does
        not ask for this action. Nothing changes before the answer."""
        from app.ui.screens.confirm import ConfirmScreen

        if not self.state.profile.asks_first(asked.action):
            on_yes()
            return
        if self._asking is not None or self.current is None:
            return  # one question at a time
        under = self.current
        screen = ConfirmScreen(self.ctx, asked, self._answered, self.question_clock,
                               self.state.profile.confirm_timeout)
        self._asking = _Asking(under, self.scan.highlighted_key(), self._focus_index(), on_yes, screen)
        self.stack.addWidget(screen)
        self.stack.setCurrentWidget(screen)
        self.current = screen
        self.ctx.speak(screen.spoken_title())
        self.scan.set_groups(screen.scan_groups(), keep_key=screen.first_key)
        self.router.typing = None
        if not self.scan.active:
            self._focus_tile(0)
        self.voice.update_targets()  # "No" and "Yes" can be said

    def escape(self) -> None:
        """Escape: "No" to a question, else the screen's own way back."""
        if self.router.capture is not None:
            return
        if self._asking is not None:
            self._asking.screen.no_tile.click()
        elif self.current is not None:
            self.current.escape()

    def _answered(self, yes: bool, timed_out: bool) -> None:
        asking, self._asking = self._asking, None
        if asking is None:
            return
        asking.screen.detach()
        under = asking.under
        self.stack.setCurrentWidget(under)
        self.current = under
        self.stack.removeWidget(asking.screen)
        asking.screen.deleteLater()
        self.scan.set_groups(under.scan_groups(), keep_key=asking.key, provider=self._adaptive_keys(under))
        self.router.typing = under.typing_field()
        if not self.scan.active:
            self._focus_tile(asking.focus or 0)
            self._focus_changed(None, QApplication.focusWidget())  # the frame, even if focus stayed
        self.voice.update_targets()
        if yes:
            asking.on_yes()
        elif timed_out:
            self.ctx.announce("No answer, so nothing was changed.")
        else:
            self.ctx.announce("Nothing was changed.")

    def _drop_question(self) -> None:
        """Another screen opens over a question (a session ran out, say): the question goes
        unanswered and the screen under it is the one that is replaced."""
        asking, self._asking = self._asking, None
        if asking is None:
            return
        asking.screen.detach()
        self.stack.removeWidget(asking.screen)
        asking.screen.deleteLater()
        self.current = asking.under
