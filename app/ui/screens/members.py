"""'Who is taking part?': one large tile per member of the open project.

On a participant's computer only the members it was invited for are listed: what anyone else
wrote there could never reach the facilitator (their records never leave it)."""

from __future__ import annotations

from collections.abc import Callable

from app.services.dto import MemberInfo
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.widgets import Tile, action, tile_rows


class MemberScreen(Screen):
    """The first screen: pick who is taking part; their access profile then loads."""

    key = "members"

    def __init__(
        self, ctx: UiContext, on_pick: Callable[[MemberInfo], None], on_quit: Callable[[], None],
        members: list[MemberInfo] | None = None, projects: int = 1,
    ) -> None:
        """`members` (and the number of `projects`) are given at start-up, read before the
        services have loaded."""
        super().__init__(ctx, "Who is taking part?")
        if members is None:
            members = ctx.services.projects.list_members(ctx.state.project_id)
            mine = ctx.services.projects.login_member()  # a member's own login: only them
            members = [m for m in members if m.id == mine] if mine else members
            here = ctx.services.exchange.members_here(ctx.state.project_id)
            members = [m for m in members if m.id in here] if here is not None else members
            projects = len(ctx.services.projects.list_projects())
        self.tiles: list[Tile] = []
        for m in members:
            self.tiles.append(Tile(m.display_name, self._picker(m, on_pick)))
        holder, groups = tile_rows("members-row", "Members", self.tiles, per_row=3)
        self.body.addWidget(holder)
        self.body.addStretch(1)
        self.groups.extend(groups)
        others = [action("Other projects", ctx.nav.show_projects)] if projects > 1 else []
        self.set_actions([action("Switch test", ctx.nav.show_switch_test),
                          action("Import a bundle", ctx.nav.show_inbox), *others,
                          action("Facilitator", ctx.nav.show_facilitator_entry), action("Quit", on_quit)])

    @staticmethod
    def _picker(member: MemberInfo, on_pick: Callable[[MemberInfo], None]) -> Callable[[], None]:
        return lambda: on_pick(member)
