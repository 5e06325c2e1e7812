"""The facilitator's home: the review tools, and locking again."""

from __future__ import annotations

from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.confirm import question
from app.ui.widgets import Tile, action, tile_rows


class FacilitatorHome(Screen):
    """Each tool is one tile; "Lock and leave" ends facilitator mode (once confirmed)."""

    key = "facilitator"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx, "Facilitator: review and records")
        nav = ctx.nav
        prompts = ctx.services.projects.list_prompts(ctx.state.project_id)
        # Asks waiting show on the way in: back in facilitator mode on one computer after a
        # member's turn, nothing here said that Alex had asked for a break (tried under Xvfb).
        asks = ctx.services.live.waiting_asks(ctx.state.project_id)
        self.waiting = (f"{len(asks)} {'ask' if len(asks) == 1 else 'asks'} waiting, oldest first: "
                        + "; ".join(a.spoken() for a in asks)) if asks else ""
        meeting = "The meeting: run it, asks, votes"
        tiles = [
            Tile(f"{meeting}\n{self.waiting}" if asks else meeting, nav.show_meeting,
                 speech=f"{meeting}. {self.waiting}" if asks else meeting),
            *[Tile(f"Keywords and themes: {p.text}", lambda p=p: nav.show_dashboard(p.id),
                   speech=f"Keywords and themes for {p.text}") for p in prompts],
            *[Tile(f"Definition history: {p.text}", lambda p=p: nav.show_history(p.id),
                   speech=f"Definition history for {p.text}") for p in prompts],
            Tile("Participants and consent", nav.show_participants),
            Tile("Involvement: time and expenses", nav.show_involvement),
            Tile("Audit log", nav.show_audit),
            Tile("Export for the research", nav.show_exports),
            Tile("Bundles from other machines", nav.show_bundles),
        ]
        holder, groups = tile_rows("tools", "Tools", tiles, per_row=2)
        self.body.addWidget(holder)
        self.body.addStretch(1)
        self.groups.extend(groups)
        self.set_actions([action("Lock and leave", self._ask_lock)], first=True)

    def spoken_title(self) -> str:
        """The title, and the asks waiting."""
        return f"{self.title}. {self.waiting}" if self.waiting else self.title

    def _ask_lock(self) -> None:
        self.ctx.nav.ask_first(question("lock"), self._lock)

    def _lock(self) -> None:
        session = self.ctx.state.facilitator
        if session is not None:
            self.ctx.services.facilitator.lock(session)
        self.ctx.nav.facilitator_locked()
        self.ctx.nav.show_members()
        self.ctx.announce("Facilitator mode locked.")
