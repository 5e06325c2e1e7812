"""A member's home: the project's prompts and the member's own actions."""

from __future__ import annotations

from collections.abc import Callable

from app.services.dto import PromptInfo
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.widgets import Tile, action, tile_rows


class HomeScreen(Screen):
    """Lists the prompts; the action bar holds settings, switch test, undo and change member."""

    key = "home"

    def __init__(self, ctx: UiContext) -> None:
        name = ctx.state.member.display_name if ctx.state.member else ""
        super().__init__(ctx, f"Hello, {name}. Choose a question.")
        self.prompts = ctx.services.projects.list_prompts(ctx.state.project_id)
        self.tiles = [
            Tile(self._caption(p), self._opener(p), speech=p.text) for p in self.prompts
        ]
        holder, groups = tile_rows("prompts", "Questions", self.tiles, per_row=1)
        self.body.addWidget(holder)
        self.groups.extend(groups)
        # "What happened to my words" is the action bar's last tile: a row of its own would cost a
        # switch user one more step to every other action; its meeting is named under the questions.
        words = []
        if ctx.state.member is not None and ctx.state.member.role == "participant":
            summary = ctx.services.summaries.for_member(ctx.state.member.id)
            # Under the list, not in it: at 1366 x 768 in a meeting its second line lay below the
            # list's edge, where no highlight ever scrolled (seen under Xvfb).
            self.add_under_list(f"{summary.title}: choose “What happened to my words”.").setObjectName(
                "easyread")
            words = [action("What happened to my words", ctx.nav.show_summary,
                            speech=f"What happened to my words, {summary.meeting}")]
        self.body.addStretch(1)
        paired = next((p for p in self.prompts if p.paired_with_id), None)
        pair_action = [action("Now and future", lambda: ctx.nav.show_pair(paired.id))] if paired else []
        # Only a participant's computer sends its members' work (the facilitator's has it all).
        here = ctx.services.exchange.members_here(ctx.state.project_id)
        mine = here is not None and ctx.state.member is not None and ctx.state.member.id in here
        send = [action("Send my work", ctx.nav.send_work)] if mine else []
        self.set_actions([
            action("Settings", ctx.nav.show_settings),
            *pair_action,
            action("Switch test", ctx.nav.show_switch_test),
            self.undo_tile(),
            *send,
            action("Change member", ctx.nav.show_members),
            *words,
        ])

    @staticmethod
    def _caption(prompt: PromptInfo) -> str:
        tag = {"now": "NOW", "future": "FUTURE"}.get(prompt.pair_role or "", "")
        return f"{tag}: {prompt.text}" if tag else prompt.text

    def _opener(self, prompt: PromptInfo) -> Callable[[], None]:
        return lambda: self.ctx.nav.show_prompt(prompt.id)
