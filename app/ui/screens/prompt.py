"""A prompt: the question, and the group's contributions as tiles with their "me too"s."""

from __future__ import annotations

from collections.abc import Callable

from app.services.dto import ContributionInfo, Outcome
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.write import Option, WriteRequest
from app.ui.widgets import Tile, action, tile_rows

PER_ROW = 4
# Drawing is limited to a page of tiles so the screen stays quick however many there are.
PAGE_SIZE = 40


def tile_caption(c: ContributionInfo) -> tuple[str, str]:
    """What a contribution tile shows and what it says."""
    who = c.author or "anonymous"
    mine = " ✔ you" if c.endorsed_by_viewer else ""
    shown = f"{c.text}\nme too: {c.endorsements}{mine} · {who}"
    spoken = f"{c.text}, {c.endorsements} me too, by {who}"
    return shown, spoken


class PromptScreen(Screen):
    """The prompt's contributions, oldest first; choosing a tile says or takes back "me too"."""

    key = "prompt"

    def __init__(self, ctx: UiContext, prompt_id: str, page: int = 0) -> None:
        self.prompt = ctx.services.projects.get_prompt(prompt_id)
        super().__init__(ctx, self.prompt.text)
        self._viewer = ctx.state.member.id if ctx.state.member else None
        self._all: list[ContributionInfo] | None = None
        self.page = page
        # Only the page on show is read: the screen stays quick however many keywords there are.
        listing = ctx.services.contributions.page_for_prompt(prompt_id, self._viewer, page * PAGE_SIZE,
                                                             PAGE_SIZE)
        self.total = listing.total
        shown = listing.items
        self.tiles: list[Tile] = []
        sections: dict[str | None, list[Tile]] = {}
        for c in shown:
            caption, spoken = tile_caption(c)
            tile = Tile(caption, self._toggler(c), speech=spoken)
            tile.setProperty("selected", "true" if c.endorsed_by_viewer else "false")
            self.tiles.append(tile)
            sections.setdefault(c.theme, []).append(tile)
        if self.tiles:
            self.add_text("Choose a tile to say “me too”; choose it again to take it back.", True)
            self._sections(sections)
        else:
            self.add_text("No keywords yet.", muted=True)
        self.body.addStretch(1)
        pages = [
            *([action("◀ Earlier keywords", lambda: self._page(page - 1))] if page > 0 else []),
            *([action("More keywords ▶", lambda: self._page(page + 1))]
              if (page + 1) * PAGE_SIZE < self.total else []),
        ]
        self.set_actions(
            [action("＋ Add keyword", self.add_keyword), action("Our definition", self._definition),
             action("Read all", self._read_all), self.undo_tile(), *pages,
             action("Back", ctx.nav.back)],
            first=True,
        )

    @property
    def contributions(self) -> list[ContributionInfo]:
        """Every visible contribution of the prompt, read when first needed (never to draw a page)."""
        if self._all is None:
            self._all = self.ctx.services.contributions.list_for_prompt(self.prompt.id, self._viewer)
        return self._all

    def _sections(self, sections: dict[str | None, list[Tile]]) -> None:
        """The facilitator's themes as sections, when there are any; the rest after them."""
        if list(sections) == [None]:
            holder, groups = tile_rows("keywords", "Keywords", sections[None], per_row=PER_ROW)
            self.body.addWidget(holder)
            self.groups.extend(groups)
            return
        named = [name for name in sections if name is not None]
        for i, name in enumerate([*named, *([None] if None in sections else [])]):
            title = f"Theme: {name}" if name else "Not in a theme yet"
            self.add_text(title)
            holder, groups = tile_rows(f"theme{i}-", title, sections[name], per_row=PER_ROW)
            self.body.addWidget(holder)
            self.groups.extend(groups)

    def _page(self, page: int) -> None:
        self.ctx.nav.show_prompt(self.prompt.id, page, replace=True)

    def spoken_title(self) -> str:
        """The prompt is read aloud on entry."""
        return self.prompt.text

    def _toggler(self, c: ContributionInfo) -> Callable[[], None]:
        def toggle() -> None:
            member = self.ctx.state.member
            if member is None:
                return
            contributions = self.ctx.services.contributions
            self.ctx.act(f"me-too:{c.id}", lambda: contributions.toggle_endorsement(member.id, c.id),
                         self._toggled)

        return toggle

    def _toggled(self, outcome: Outcome) -> None:
        if outcome.undo_token:
            self.ctx.state.undo_tokens.append(outcome.undo_token)
        self.ctx.announce(outcome.message)
        self.ctx.nav.refresh()

    def add_keyword(self) -> None:
        """Open the keyboard to add a keyword, phrase or experience to this prompt."""
        member = self.ctx.state.member
        if member is None:
            return
        prompt = self.prompt
        kinds = [("keyword", "Keyword"), ("phrase", "Phrase"), ("experience", "Experience")]
        credit = [("named", f"Named: {member.display_name}"), ("anonymous", "Anonymous")]
        self.ctx.nav.show_write(WriteRequest(
            title=f"Add to: {prompt.text}",
            target=f"contribution:{prompt.id}",
            submit=lambda text, options: self.ctx.services.contributions.add(
                member.id, prompt.id, text, options["kind"], options["credit"] == "anonymous"
            ),
            options=[
                Option("kind", "Kind", kinds, "keyword"),
                Option("credit", "Credit", credit,
                       "anonymous" if member.anonymous_default else "named"),
            ],
            keywords=self.ctx.services.words.prompt_keywords(prompt.id),
            off_thread=True,
        ))

    def _definition(self) -> None:
        self.ctx.nav.show_definition(self.prompt.id)

    def _read_all(self) -> None:
        words = "; ".join(f"{c.text}, {c.endorsements} me too" for c in self.contributions)
        self.ctx.status.show_status(f"Reading {len(self.contributions)} keywords aloud.")
        self.ctx.speak(f"{self.prompt.text} {words}" if words else "No keywords yet.")
