"""Choosing the project, as a move of the main window: a computer can hold several (its own
practice project, and the one it joined with an invitation), and a switch user must be able
to move between them without help."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.services.container import Services
    from app.ui.context import UiContext, UiState
    from app.ui.predictors import MemberPredictors
    from app.ui.screens.base import Screen


class ProjectNavigation:
    """Mixed into MainWindow: the projects screen, and opening another project."""

    ctx: UiContext
    state: UiState
    predictors: MemberPredictors
    project_chosen: Callable[[str], None] | None

    if TYPE_CHECKING:  # MainWindow's, named here for the type checker only
        @property
        def services(self) -> Services: ...
        def _open(self, factory: Callable[[], Screen]) -> None: ...
        def show_members(self) -> None: ...
        def facilitator_locked(self) -> None: ...

    def show_projects(self) -> None:
        """The projects on this computer, to open another."""
        from app.ui.screens.projects import ProjectsScreen

        self._open(lambda: ProjectsScreen(self.ctx))

    def open_project(self, project_id: str) -> None:
        """Open another project: its "Who is taking part?" screen; kept for the next start."""
        session = self.state.facilitator
        if session is not None:  # facilitator mode is for one project: it ends here
            self.services.facilitator.lock(session)
            self.facilitator_locked()
        self.state.project_id = project_id
        self.predictors.switch(project_id)
        if self.project_chosen is not None:
            self.project_chosen(project_id)
        self.show_members()
