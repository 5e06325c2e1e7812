"""The audit log: who did what, when; filtered by member or action, a page at a time."""

from __future__ import annotations

from collections.abc import Callable

from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.widgets import GroupFrame, ScanGroup, Tile, action

PAGE = 30


class AuditScreen(Screen):
    """Filters are scan rows; the entries are text, newest first."""

    key = "audit"

    def __init__(self, ctx: UiContext, action_filter: str | None = None,
                 member_filter: str | None = None, page: int = 0) -> None:
        super().__init__(ctx, "Audit log")
        session = ctx.state.facilitator
        self.filters = (action_filter, member_filter)
        self.page = page
        rows = ctx.services.facilitator.audit_log(
            session, member_id=member_filter, action=action_filter, limit=PAGE + 1, offset=page * PAGE)
        actions = ctx.services.facilitator.audit_actions(session)
        members = ctx.services.participants.list_members(session, include_withdrawn=True)
        self._filter_row("Action", [("All", None), *[(a.replace("_", " "), a) for a in actions[:8]]],
                         action_filter, lambda v: self._go(v, member_filter, 0))
        self._filter_row("Member", [("All", None), *[(m.display_name, m.id) for m in members[:8]]],
                         member_filter, lambda v: self._go(action_filter, v, 0))
        shown = rows[:PAGE]
        lines = [f"{r.created_at:%Y-%m-%d %H:%M} · {r.member or 'no one'} · "
                 f"{r.action.replace('_', ' ')} · {r.target_kind}" for r in shown]
        self.text = "\n".join(lines) or "No entries."
        self.add_text(self.text)
        self.body.addStretch(1)
        paging = []
        if page > 0:
            paging.append(action("◀ Newer", lambda: self._go(action_filter, member_filter, page - 1)))
        if len(rows) > PAGE:
            paging.append(action("Older ▶", lambda: self._go(action_filter, member_filter, page + 1)))
        self.set_actions([action("Speak this page", lambda: ctx.speak(self.text)), *paging,
                          action("Back", ctx.nav.back)], first=True)

    def _filter_row(self, label: str, options: list[tuple[str, str | None]], current: str | None,
                    go: Callable[[str | None], None]) -> None:
        frame = GroupFrame(f"Filter by {label.lower()}")
        tiles = []
        for name, value in options:
            tile = Tile(name, lambda v=value: go(v))
            tile.mark_chosen(name, value == current, f"{label}: ")
            tile.setProperty("role", "key")
            tiles.append(tile)
            frame.row.addWidget(tile, 1)
        self.body.addWidget(frame)
        self.groups.append(ScanGroup(f"filter-{label}", frame.accessibleName(), frame, tiles))

    def _go(self, action_filter: str | None, member_filter: str | None, page: int) -> None:
        self.ctx.nav.show_audit(action_filter, member_filter, page, replace=True)
