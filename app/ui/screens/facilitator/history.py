"""Definition history: a timeline with branches, one version's review, and word diffs."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QWidget

from app.services.review.diff import WordDiff
from app.services.review.review_dto import DefinitionHistory, VersionNode
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.write import WriteRequest
from app.ui.theme import load_theme, luminance
from app.ui.widgets import ScanGroup, Tile, action, tile_rows

if TYPE_CHECKING:
    from app.services.review.review import VersionRef

# Drawing is limited to a page of versions so the screens stay quick however many there are.
PAGE_SIZE = 30
DECISION_NAMES = {"agreed": "AGREED BY THE GROUP", "final": "FINAL"}


def node_line(v: VersionNode) -> str:
    """One timeline entry: branch, number, author, note, stances, comments, decision."""
    branch = "  " * v.lane + ("↳ " if v.parent_number else "")
    parent = f" from version {v.parent_number}" if v.parent_number else ""
    twins = f" · sibling of {len(v.sibling_ids)} other" if v.sibling_ids else ""
    mark = f" · {DECISION_NAMES[v.decision]}" if v.decision else ""
    current = " · current" if v.is_current else ""
    comments = f" · {len(v.comments)} comments" if v.comments else ""
    note = f": {v.note}" if v.note else ""
    return (f"{branch}Version {v.number}{parent} by {v.author or 'someone'}{note} · "
            f"{v.stances.text}{comments}{twins}{mark}{current}")


class HistoryScreen(Screen):
    """Choose a version to review it; choose two to compare them. Newest first, a page at a time."""

    key = "history"

    def __init__(self, ctx: UiContext, prompt_id: str, page: int = 0) -> None:
        session = ctx.state.facilitator
        assert session is not None
        listing = ctx.services.review.history_page(session, prompt_id, page, PAGE_SIZE)
        self.history: DefinitionHistory = listing.history
        self.page = listing.page
        prompt = ctx.services.projects.get_prompt(prompt_id)
        super().__init__(ctx, f"Definition history: {prompt.text}")
        if not self.history.versions:
            self.add_text("No versions yet.", muted=True)
        elif listing.total > PAGE_SIZE:
            numbers = [v.number for v in self.history.versions]
            self.add_text(f"Versions {max(numbers)} to {min(numbers)} of {listing.total}, newest first.",
                          muted=True)
        tiles = [Tile(node_line(v), self._open(v)) for v in reversed(self.history.versions)]
        holder, groups = tile_rows("timeline", "Versions", tiles, per_row=1)
        self.body.addWidget(holder)
        self.body.addStretch(1)
        self.groups.extend(groups)
        paging = [
            *([action("◀ Newer versions", lambda: self._page(self.page - 1))] if listing.has_newer else []),
            *([action("Older versions ▶", lambda: self._page(self.page + 1))] if listing.has_older else []),
        ]
        self.set_actions([*paging, action("Back", ctx.nav.back)], first=True)

    def _open(self, version: VersionNode) -> Callable[[], None]:
        return lambda: self.ctx.nav.show_version_review(self.history.prompt_id, version.id)

    def _page(self, page: int) -> None:
        self.ctx.nav.show_history(self.history.prompt_id, page, replace=True)


class VersionReviewScreen(Screen):
    """One version: text, stances, comments; mark it; keep a private note; compare it."""

    key = "version-review"

    def __init__(self, ctx: UiContext, prompt_id: str, version_id: str) -> None:
        session = ctx.state.facilitator
        assert session is not None
        self.prompt_id = prompt_id
        self.version = ctx.services.review.version_node(session, prompt_id, version_id)
        super().__init__(ctx, f"Version {self.version.number}")
        self.add_text(node_line(self.version), muted=True)
        self.add_text(self.version.text)
        for c in self.version.comments:
            self.add_text(f"Comment by {c.author or 'someone'}: {c.text}", muted=True)
        if self.version.review_note:
            self.add_text(f"My private note: {self.version.review_note}", muted=True)
        self.others = [v for v in ctx.services.review.version_refs(session, prompt_id) if v.id != version_id]
        # The choices to compare with come a page at a time, starting with this version's neighbours.
        self._compare_at = self.body.count()
        self._compare: tuple[QWidget, list[ScanGroup]] | None = None
        self._show_compare((self.version.number - 1) // PAGE_SIZE if self.others else 0)
        self.body.addStretch(1)
        self.set_actions([
            action("Speak it", lambda: ctx.speak(self.version.text)),
            action("Mark agreed", lambda: self._decide("agreed")),
            action("Mark final", lambda: self._decide("final")),
            action("Clear mark", lambda: self._decide(None)),
            action("Private note", self._note), action("Back", ctx.nav.back),
        ], first=True)

    def _show_compare(self, page: int) -> None:
        """Put one page of "Compare with version N" tiles (and the way to the others) in place."""
        page = min(max(page, 0), max(0, (len(self.others) - 1) // PAGE_SIZE))
        shown = self.others[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        tiles = [Tile(f"Compare with version {v.number}", self._compare_with(v),
                      speech=f"Compare with version {v.number} by {v.author or 'someone'}") for v in shown]
        if page > 0:
            tiles.insert(0, Tile("◀ Earlier versions", lambda: self._turn_compare(page - 1),
                                 speech="Earlier versions to compare"))
        if (page + 1) * PAGE_SIZE < len(self.others):
            tiles.append(Tile("Later versions ▶", lambda: self._turn_compare(page + 1),
                              speech="Later versions to compare"))
        index = len(self.groups)
        if self._compare is not None:
            holder, groups = self._compare
            index = next((i for i, g in enumerate(self.groups) if g is groups[0]), index)
            self.groups = [g for g in self.groups if all(g is not x for x in groups)]
            self.body.removeWidget(holder)
            holder.deleteLater()
            self._compare = None
        if tiles:
            holder, groups = tile_rows("compare", "Compare", tiles, per_row=3)
            self.body.insertWidget(self._compare_at, holder)
            self.groups[index:index] = groups
            self._compare = (holder, groups)

    def _turn_compare(self, page: int) -> None:
        self._show_compare(page)
        self.ctx.nav.rescan()
        if self._compare is not None:  # the tile chosen has gone: keyboard focus goes to the new page
            self._compare[1][0].items[0].setFocus()

    def _compare_with(self, other: VersionRef) -> Callable[[], None]:
        mine = self.version.id
        older, newer = (other.id, mine) if other.number < self.version.number else (mine, other.id)
        return lambda: self.ctx.nav.show_compare(self.prompt_id, older, newer)

    def _decide(self, decision: str | None) -> None:
        session = self.ctx.state.facilitator
        outcome = self.ctx.services.review.set_decision(session, self.version.id, decision)
        self.ctx.announce(outcome.message)
        self.ctx.nav.refresh()

    def _note(self) -> None:
        session = self.ctx.state.facilitator
        vid = self.version.id
        self.ctx.nav.show_write(WriteRequest(
            title=f"Private note on version {self.version.number}", target=f"review-note:{vid}",
            initial=self.version.review_note, multiline=True,
            submit=lambda text, _o: self.ctx.services.review.set_note(session, vid, text),
        ))


def diff_html(diff: WordDiff, inserted: str, deleted: str) -> str:
    """The diff as rich text: signs and words mark changes, colour only adds to them."""
    parts = []
    for seg in diff.segments:
        text = escape(seg.text)
        if seg.kind == "insert":
            parts.append(f'<b style="color:{inserted}"><u>[+ {text} +]</u></b>')
        elif seg.kind == "delete":
            parts.append(f'<span style="color:{deleted}"><s>[- {text} -]</s></span>')
        else:
            parts.append(text)
    return " ".join(p.strip() for p in parts)


class CompareScreen(Screen):
    """Two versions word by word: [+ added +] and [- removed -], readable aloud."""

    key = "compare"

    def __init__(self, ctx: UiContext, prompt_id: str, older_id: str, newer_id: str) -> None:
        numbers = {v.id: v.number for v in ctx.services.review.version_refs(ctx.state.facilitator, prompt_id)}
        self.diff = ctx.services.review.compare(older_id, newer_id)
        super().__init__(ctx, f"Version {numbers[older_id]} compared with version {numbers[newer_id]}")
        summary = (f"{self.diff.words_added} words added, {self.diff.words_removed} removed."
                   if self.diff.changed else "The two versions have the same words.")
        self.add_text(summary, muted=True)
        dark = luminance(load_theme(ctx.state.profile.theme).window) < 0.2
        inserted, deleted = ("#7CFC00", "#FF8C8C") if dark else ("#006400", "#8B0000")
        label = QLabel(diff_html(self.diff, inserted, deleted))
        label.setWordWrap(True)
        label.setAccessibleName(self.diff.marked)
        self.body.addWidget(label)
        self.body.addStretch(1)
        self.set_actions([action("Read the changes aloud", self._read), action("Back", ctx.nav.back)],
                         first=True)

    def _read(self) -> None:
        self.ctx.speak(self.diff.spoken or "No changes.")
