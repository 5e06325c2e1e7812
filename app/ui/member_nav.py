"""The participants' screens as moves of the main window (kept apart to keep it small).

Each screen's module is imported when the screen first opens: the start draws only the member
screen, and importing the rest would add a fifth to it (bench/startup.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.ui.resume_nav import remembered

if TYPE_CHECKING:
    from app.ui.context import UiContext, UiState
    from app.ui.predictors import MemberPredictors
    from app.ui.scan import ScanController
    from app.ui.screens.base import Screen
    from app.ui.screens.write import WriteRequest
    from app.ui.switch_input import InputRouter


class MemberNavigation:
    """Mixed into MainWindow: the screens a member moves between."""

    ctx: UiContext
    state: UiState
    router: InputRouter
    scan: ScanController
    predictors: MemberPredictors
    bundles_folder: Path

    if TYPE_CHECKING:  # MainWindow's, named here for the type checker only
        def _open(self, factory: Callable[[], Screen]) -> None: ...
        def _turn(self, factory: Callable[[], Screen], replace: bool = False) -> None: ...
        def _opening_step(self) -> list[object] | None: ...
        _step: list[object] | None

    def show_home(self) -> None:
        """The current member's home screen."""
        from app.ui.screens.home import HomeScreen

        self._open(lambda: HomeScreen(self.ctx))

    @remembered
    def show_prompt(self, prompt_id: str, page: int = 0, replace: bool = False) -> None:
        """A prompt's keywords (one page of them); `replace` turns the page in place."""
        from app.ui.screens.prompt import PromptScreen

        self._turn(lambda: PromptScreen(self.ctx, prompt_id, page), replace)

    @remembered
    def show_settings(self, section: str = "") -> None:
        """The member's settings: the list of sections, or one `section` (its key)."""
        from app.ui.screens.settings import SettingsPlace, SettingsScreen

        place = SettingsPlace()  # the page on show, kept while the screen is built again
        self._open(lambda: SettingsScreen(self.ctx, section, place))

    @remembered
    def show_phrases(self) -> None:
        """The member's saved phrases, to delete some."""
        from app.ui.screens.phrases import PhrasesScreen

        self._open(lambda: PhrasesScreen(self.ctx))

    def show_switch_test(self) -> None:
        """The switch test."""
        from app.ui.screens.switch_test import SwitchTestScreen

        self._open(lambda: SwitchTestScreen(self.ctx, self.router, self.scan.clock.now))

    @remembered
    def show_definition(self, prompt_id: str, version_id: str | None = None) -> None:
        """A prompt's shared definition (the newest version unless one is named)."""
        from app.ui.screens.definition import DefinitionScreen

        self._open(lambda: DefinitionScreen(self.ctx, prompt_id, version_id))

    @remembered
    def show_sentence(self, prompt_id: str, version_id: str, index: int) -> None:
        """One sentence of a definition and what can be done with it."""
        from app.ui.screens.sentence import SentenceScreen

        self._open(lambda: SentenceScreen(self.ctx, prompt_id, version_id, index))

    @remembered
    def show_versions(self, prompt_id: str, chosen: str | None = None, replace: bool = False,
                      page: int = 0) -> None:
        """Earlier versions (a page of them); `replace` swaps the current versions screen for the new one."""
        from app.ui.screens.versions import VersionsScreen

        self._turn(lambda: VersionsScreen(self.ctx, prompt_id, chosen, page), replace)

    @remembered
    def show_pair(self, prompt_id: str) -> None:
        """The now and future definitions side by side."""
        from app.ui.screens.pair import PairScreen

        self._open(lambda: PairScreen(self.ctx, prompt_id))

    @remembered
    def show_summary(self, page: int = 0, replace: bool = False) -> None:
        """"What happened to your words": the member's summary of the last meeting (a page of it)."""
        from app.ui.screens.summary import SummaryScreen

        self._turn(lambda: SummaryScreen(self.ctx, page), replace)

    def show_inbox(self) -> None:
        """Bundles waiting in the folder, to import on any computer (an invitation, say)."""
        from app.ui.screens.facilitator.bundles import InboxScreen

        self._open(lambda: InboxScreen(self.ctx, self.bundles_folder))

    def show_inbox_preview(self, path: str) -> None:
        """What a bundle would change here, before anything is written."""
        from app.ui.screens.facilitator.bundles import BundlePreviewScreen

        self._open(lambda: BundlePreviewScreen(self.ctx, path))

    def send_work(self) -> None:
        """A participant's "Send my work": a bundle file for the facilitator."""
        from app.ui.screens.facilitator.bundles import send_work

        send_work(self.ctx, self.bundles_folder)

    def show_write(self, request: WriteRequest) -> None:
        """The on-screen keyboard for one piece of writing."""
        from app.ui.screens.write import WriteScreen

        predictor = self.predictors.current(self.state.member.id if self.state.member else None)
        self._step = None if request.keeps_nothing else self._opening_step()
        try:
            self._open(lambda: WriteScreen(self.ctx, request, predictor))
        finally:
            self._step = None
