"""'Which project?': one large tile per project on this computer."""

from __future__ import annotations

from collections.abc import Callable

from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.widgets import Tile, action, tile_rows


class ProjectsScreen(Screen):
    """Each project is one tile; the open one says so. Choosing one opens its members screen."""

    key = "projects"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx, "Which project?")
        exchange = ctx.services.exchange
        self.tiles: list[Tile] = []
        for project in ctx.services.projects.list_projects():
            label = exchange.computer_label(project.id)
            name = f"{project.name}, joined as {label}" if label else project.name
            if project.id == ctx.state.project_id:
                name += ": open now"
            self.tiles.append(Tile(name, self._opener(project.id)))
        holder, groups = tile_rows("projects", "Projects", self.tiles, per_row=1)
        self.body.addWidget(holder)
        self.body.addStretch(1)
        self.groups.extend(groups)
        self.set_actions([action("Back", ctx.nav.back)])

    def _opener(self, project_id: str) -> Callable[[], None]:
        return lambda: self.ctx.nav.open_project(project_id)
