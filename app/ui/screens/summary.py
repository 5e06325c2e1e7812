""""What happened to your words": a member's easy-read summary of the last meeting.

Large type, one short sentence to a tile, so the scan speaks each as it reaches it (and a
pointer's dwell or a click reads it again); a page holds a few sentences and the member turns
pages instead of scrolling; "Read this page" reads it all aloud.
"""

from __future__ import annotations

from collections.abc import Callable

from app.services.group.summary import WordsSummary
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.widgets import Tile, action

PER_PAGE = 4


def pages_of(summary: WordsSummary, per_page: int = PER_PAGE) -> list[list[tuple[str, str]]]:
    """The summary's (heading, sentence) pairs in pages of at most `per_page`; a part never
    starts at the foot of a page with a single sentence when the next page could hold it whole."""
    pages: list[list[tuple[str, str]]] = [[]]
    for part in summary.parts:
        items = [(part.heading, s) for s in part.sentences]
        if pages[-1] and len(pages[-1]) + len(items) > per_page and len(items) <= per_page:
            pages.append([])
        for item in items:
            if len(pages[-1]) == per_page:
                pages.append([])
            pages[-1].append(item)
    return pages


class SummaryScreen(Screen):
    """One page of the summary: each part's heading, then its sentences as large tiles."""

    key = "summary"

    def __init__(self, ctx: UiContext, page: int = 0) -> None:
        member = ctx.state.member
        self.summary = ctx.services.summaries.for_member(member.id if member else "")
        self.pages = pages_of(self.summary)
        self.page = max(0, min(page, len(self.pages) - 1))
        many = len(self.pages) > 1
        title = self.summary.title + (f" (page {self.page + 1} of {len(self.pages)})" if many else "")
        super().__init__(ctx, title)
        shown = self.pages[self.page]
        for heading in dict.fromkeys(h for h, _s in shown):
            self.add_text(heading).setObjectName("easyread")
            tiles = []
            for _h, sentence in (x for x in shown if x[0] == heading):
                tile = Tile(sentence, self._say(sentence))
                tile.setProperty("easyread", "true")
                tiles.append(tile)
            self.add_row(f"part-{heading}", heading, tiles, vertical=True)
        self.body.addStretch(1)
        actions = [action("Read this page", self._read)]
        if self.page + 1 < len(self.pages):
            actions.append(action("Next page", lambda: ctx.nav.show_summary(self.page + 1, replace=True)))
        if self.page > 0:
            actions.append(action("Previous page", lambda: ctx.nav.show_summary(self.page - 1, replace=True)))
        actions.append(action("Back", ctx.nav.back))
        self.set_actions(actions, first=True)

    def spoken_title(self) -> str:
        return self.title

    def _say(self, sentence: str) -> Callable[[], None]:
        return lambda: self.ctx.speak(sentence)

    def _read(self) -> None:
        parts: dict[str, list[str]] = {}
        for heading, sentence in self.pages[self.page]:
            parts.setdefault(heading, []).append(sentence)
        self.ctx.speak(" ".join(f"{h}. {' '.join(s)}" for h, s in parts.items()))
