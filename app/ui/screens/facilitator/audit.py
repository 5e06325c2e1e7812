"""The audit log: who did what, when; filtered by member or action, a page at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.facilitator.filters import FilterRow
from app.ui.widgets import action

if TYPE_CHECKING:
    from app.services.review.audit_log import AuditPage

# Only the page on show is read and drawn, so the log stays quick however long it grows.
PAGE = 40


class AuditScreen(Screen):
    """Filters are scan rows (every action and member is among their choices); entries are text,
    newest first. A filter holds across pages; choosing another starts again at the newest."""

    key = "audit"

    def __init__(self, ctx: UiContext, action_filter: str | None = None,
                 member_filter: str | None = None, page: int = 0) -> None:
        super().__init__(ctx, "Audit log")
        session = ctx.state.facilitator
        self.filters = (action_filter, member_filter)
        self.listing: AuditPage = ctx.services.facilitator.audit_page(session, action_filter, member_filter,
                                                                      page, PAGE)
        self.page = self.listing.page
        actions = ctx.services.facilitator.audit_actions(session)
        members = ctx.services.participants.list_members(session, include_withdrawn=True)
        FilterRow(self, "Action", [("All", None), *[(a.replace("_", " "), a) for a in actions]],
                  action_filter, lambda v: self._go(v, member_filter, 0))
        FilterRow(self, "Member", [("All", None), *[(m.display_name, m.id) for m in members]],
                  member_filter, lambda v: self._go(action_filter, v, 0))
        listing = self.listing
        if listing.total:
            self.add_text(f"Entries {listing.first:,} to {listing.last:,} of {listing.total:,}, "
                          "newest first.", muted=True)
        lines = [f"{r.created_at:%Y-%m-%d %H:%M} · {r.member or 'no one'} · "
                 f"{r.action.replace('_', ' ')} · {r.target_kind}" for r in listing.rows]
        self.text = "\n".join(lines) or "No entries."
        self.add_text(self.text)
        self.body.addStretch(1)
        paging = [
            *([action("◀ Newer", lambda: self._go(action_filter, member_filter, self.page - 1))]
              if listing.has_newer else []),
            *([action("Older ▶", lambda: self._go(action_filter, member_filter, self.page + 1))]
              if listing.has_older else []),
        ]
        self.set_actions([action("Speak this page", lambda: ctx.speak(self.text)), *paging,
                          action("Back", ctx.nav.back)], first=True)

    def _go(self, action_filter: str | None, member_filter: str | None, page: int) -> None:
        self.ctx.nav.show_audit(action_filter, member_filter, page, replace=True)
