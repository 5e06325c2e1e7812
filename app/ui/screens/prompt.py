"""A prompt: the question, and the group's contributions as tiles with their "me too"s."""

from __future__ import annotations

from collections.abc import Callable

from app.services.dto import ContributionInfo, Outcome
from app.services.errors import DomainError
from app.services.meeting.dto import AddedInfo
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
        meeting = ctx.state.meeting
        step = meeting.current if meeting is not None and meeting.running else None
        self.step = step if step is not None and step.prompt_id == prompt_id else None
        voting = self.step is not None and self.step.kind == "vote" and self._viewer is not None
        try:
            self.dots = ctx.services.live.dots(self._viewer, self.step.id) if voting and self.step else None
        except DomainError:  # the meeting ended since the window last looked: no vote here now
            self.step, self.dots = None, None
        self.added: AddedInfo | None = None  # a think-first step's count, while it hides
        if self.dots is not None and self.step is not None and self.step.revealed_at is not None:
            self._results(self.step.id)
            self.dots = None
        elif self.dots is not None:
            self.add_text(f"Vote: choose a keyword to put a dot on it. Your dots left: {self.dots.left} "
                          f"of {self.dots.dots}. The results stay hidden until the facilitator reveals them.")
        elif self.step is not None and self.step.hides:
            # how many have added, never who or what (the count follows others' additions: the
            # window rebuilds this screen when the database changes, and says a new count)
            self.added = ctx.services.live.added(self.step.id)
            self.add_text(f"Think first: {self.added.text()}. Only your own keywords show until "
                          "the facilitator reveals everyone's.")
        self.total = listing.total
        shown = listing.items
        self.tiles: list[Tile] = []
        sections: dict[str | None, list[Tile]] = {}
        for c in shown:
            caption, spoken = tile_caption(c)
            if self.dots is not None:
                mine = self.dots.mine.get(c.id, 0)
                dots = f"{'● ' * mine}your dots: {mine}" if mine else "no dots from you"
                caption = f"{c.text}\n{dots}"
                spoken = f"{c.text}, {mine} of your dots" if mine else c.text
            tile = Tile(caption, self._voter(c) if self.dots is not None else self._toggler(c), speech=spoken)
            tile.setProperty("selected", "true" if c.endorsed_by_viewer else "false")
            self.tiles.append(tile)
            sections.setdefault(c.theme, []).append(tile)
        if self.tiles:
            if self.dots is None:
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
        take_back = [action("Take back a dot", self._take_back)] if self.dots is not None else []
        self.set_actions(
            [*take_back, action("✚ Add keyword", self.add_keyword),
             action("Our definition", self._definition),
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
        """The prompt is read aloud on entry (and a revealed vote's results, most dots first)."""
        results = getattr(self, "results_spoken", "")
        if results:
            return f"{self.prompt.text}. Results: {results}"
        return f"{self.prompt.text}. Think first: {self.added.text()}" if self.added else self.prompt.text

    def news_since(self, before: Screen) -> str:
        """Rebuilt after others' changes: a think-first step's new count, to be said."""
        earlier = getattr(before, "added", None) if isinstance(before, PromptScreen) else None
        return self.added.text() if self.added is not None and earlier != self.added else ""

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

    def _results(self, step_id: str) -> None:
        """A revealed vote: dots per keyword as counts and a bar picture."""
        rows = self.ctx.services.live.results(self._viewer or "", step_id)
        most = max((r.dots for r in rows), default=0)
        self.add_text("The vote's results:" if rows else "The vote's results: no dots were put.")
        for r in rows[:10]:
            label = self.add_text(f"{r.bar(most)}  {r.dots}  {r.text}")
            label.setAccessibleName(r.spoken())
        self.results_spoken = "; ".join(r.spoken() for r in rows)

    def _voter(self, c: ContributionInfo) -> Callable[[], None]:
        def vote() -> None:
            if self._viewer is None or self.step is None:
                return
            self.ctx.announce(self.ctx.services.live.vote(self._viewer, self.step.id, c.id).message)
            self.ctx.nav.refresh()

        return vote

    def _take_back(self) -> None:
        if self._viewer is not None and self.step is not None:
            self.ctx.announce(self.ctx.services.live.take_back(self._viewer, self.step.id).message)
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
            keywords=self.ctx.services.words.prompt_keywords(prompt.id, viewer_id=member.id),
            off_thread=True,
        ))

    def _definition(self) -> None:
        self.ctx.nav.show_definition(self.prompt.id)

    def _read_all(self) -> None:
        words = "; ".join(f"{c.text}, {c.endorsements} me too" for c in self.contributions)
        self.ctx.status.show_status(f"Reading {len(self.contributions)} keywords aloud.")
        self.ctx.speak(f"{self.prompt.text} {words}" if words else "No keywords yet.")
