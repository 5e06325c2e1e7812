"""Earlier versions of a definition: browse, hear, and write on from any of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.definition import version_label
from app.ui.widgets import Tile, action, tile_rows

if TYPE_CHECKING:
    from app.services.group.drafts import VersionEntry

# Drawing is limited to a page of versions so the screen stays quick however many there are.
PAGE_SIZE = 30


def entry_label(entry: VersionEntry) -> str:
    """E.g. "Version 3 by Alex: Added a sentence (sibling of version 2)" and the stances below."""
    twins = entry.sibling_numbers
    twin = f" (sibling of {', '.join(f'version {n}' for n in twins)})" if twins else ""
    return f"{version_label(entry.number, entry.version)}{twin}\n{entry.stances.text}"


class VersionsScreen(Screen):
    """Newest first, a page at a time; versions written from the same parent are marked as siblings."""

    key = "versions"

    def __init__(self, ctx: UiContext, prompt_id: str, chosen: str | None = None, page: int = 0) -> None:
        self.prompt = ctx.services.projects.get_prompt(prompt_id)
        super().__init__(ctx, f"Versions: {self.prompt.text}")
        listing = ctx.services.drafts.version_page(prompt_id, page, PAGE_SIZE, chosen)
        self.page = listing.page
        self.entries = listing.entries
        self.chosen = listing.chosen.version if listing.chosen is not None else None
        tiles = []
        for entry in self.entries:
            label = entry_label(entry)
            tiles.append(Tile(label, self._choose(entry), speech=label.replace("\n", ". ")))
        paging = [
            *([action("◀ Newer versions", lambda: self._page(self.page - 1))] if listing.has_newer else []),
            *([action("Older versions ▶", lambda: self._page(self.page + 1))] if listing.has_older else []),
        ]
        if listing.chosen is not None:
            self.add_text(f"{version_label(listing.chosen.number, listing.chosen.version)}:")
            self.add_text(listing.chosen.version.text)
            self.set_actions([
                action("Speak it", lambda: ctx.speak(self.chosen.text if self.chosen else "")),
                action("Open this version", self._open_chosen),
                *paging,
                action("Back", ctx.nav.back),
            ], first=True)
        else:
            self.set_actions([*paging, action("Back", ctx.nav.back)], first=True)
        if listing.total > PAGE_SIZE:
            last = listing.total - self.page * PAGE_SIZE
            first = max(1, last - PAGE_SIZE + 1)
            self.add_text(f"Versions {last} to {first} of {listing.total}, newest first.", muted=True)
        holder, groups = tile_rows("versions", "Versions", tiles, per_row=1)
        self.body.addWidget(holder)
        self.body.addStretch(1)
        self.groups.extend(groups)

    def _choose(self, entry: VersionEntry) -> Callable[[], None]:
        def choose() -> None:
            self.ctx.nav.show_versions(self.prompt.id, entry.version.id, replace=True, page=self.page)
            self.ctx.speak(entry.version.text)

        return choose

    def _page(self, page: int) -> None:
        chosen = self.chosen.id if self.chosen is not None else None
        self.ctx.nav.show_versions(self.prompt.id, chosen, replace=True, page=page)

    def _open_chosen(self) -> None:
        if self.chosen is not None:
            self.ctx.nav.show_definition(self.prompt.id, self.chosen.id)
