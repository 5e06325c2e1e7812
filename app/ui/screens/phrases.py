"""The member's saved phrases, to delete the ones no longer wanted (each asks first)."""

from __future__ import annotations

from app.services.errors import DomainError
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.confirm import question
from app.ui.widgets import Tile, action, tile_rows


class PhrasesScreen(Screen):
    """One tile per phrase: choosing it asks "Delete the phrase …?"; Back first."""

    key = "phrases"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx, "My phrases: choose one to delete it")
        member = ctx.state.member
        self.phrases = ctx.services.phrases.list(member.id) if member else []
        self.set_actions([action("Back", ctx.nav.back)], first=True)
        if not self.phrases:
            self.add_text("No phrases are saved. Save one from the keyboard with “Save as a phrase”.")
        self.tiles = [Tile(p, lambda p=p: self._ask(p), speech=f"Delete {p}") for p in self.phrases]
        holder, groups = tile_rows("phrase-list", "Phrases", self.tiles, per_row=2)
        self.body.addWidget(holder)
        self.body.addStretch(1)
        self.groups.extend(groups)

    def _ask(self, phrase: str) -> None:
        self.ctx.nav.ask_first(question("delete-phrase", phrase=phrase), lambda: self._delete(phrase))

    def _delete(self, phrase: str) -> None:
        member = self.ctx.state.member
        if member is None:
            return
        try:
            outcome = self.ctx.services.phrases.remove(member.id, phrase)
        except DomainError as exc:
            self.ctx.announce(exc.message)
            return
        self.ctx.nav.refresh()
        self.ctx.announce(outcome.message)
