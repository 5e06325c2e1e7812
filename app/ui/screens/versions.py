"""Earlier versions of a definition: browse, hear, and write on from any of them."""

from __future__ import annotations

from collections.abc import Callable

from app.services.dto import VersionInfo
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.definition import version_label
from app.ui.widgets import Tile, action, tile_rows


class VersionsScreen(Screen):
    """Newest first; versions written from the same parent are marked as siblings."""

    key = "versions"

    def __init__(self, ctx: UiContext, prompt_id: str, chosen: str | None = None) -> None:
        self.prompt = ctx.services.projects.get_prompt(prompt_id)
        super().__init__(ctx, f"Versions: {self.prompt.text}")
        self.versions = ctx.services.drafts.list_versions(prompt_id)
        self.chosen = next((v for v in self.versions if v.id == chosen), None)
        numbers = {v.id: i + 1 for i, v in enumerate(self.versions)}
        children: dict[str | None, list[VersionInfo]] = {}
        for v in self.versions:
            children.setdefault(v.parent_id, []).append(v)
        tiles = []
        for v in reversed(self.versions):
            twins = [numbers[s.id] for s in children.get(v.parent_id, []) if s.id != v.id]
            twin = f" (sibling of {', '.join(f'version {n}' for n in twins)})" if twins else ""
            summary = ctx.services.drafts.stance_summary(v.id).text
            label = f"{version_label(numbers[v.id], v)}{twin}\n{summary}"
            tiles.append(Tile(label, self._choose(v), speech=label.replace("\n", ". ")))
        if self.chosen is not None:
            self.add_text(f"{version_label(numbers[self.chosen.id], self.chosen)}:")
            self.add_text(self.chosen.text)
            self.set_actions([
                action("Speak it", lambda: ctx.speak(self.chosen.text if self.chosen else "")),
                action("Open this version", self._open_chosen),
                action("Back", ctx.nav.back),
            ], first=True)
        else:
            self.set_actions([action("Back", ctx.nav.back)], first=True)
        holder, groups = tile_rows("versions", "Versions", tiles, per_row=1)
        self.body.addWidget(holder)
        self.body.addStretch(1)
        self.groups.extend(groups)

    def _choose(self, version: VersionInfo) -> Callable[[], None]:
        def choose() -> None:
            self.ctx.nav.show_versions(self.prompt.id, version.id, replace=True)
            self.ctx.speak(version.text)

        return choose

    def _open_chosen(self) -> None:
        if self.chosen is not None:
            self.ctx.nav.show_definition(self.prompt.id, self.chosen.id)
