"""The review dashboard for one prompt: keywords with counts, authors, meetings, themes, a page at a time."""

from __future__ import annotations

from collections.abc import Callable

from app.services.errors import NotFound
from app.services.review.review_dto import KeywordRow
from app.services.review.review_pages import NO_THEME, KeywordPage
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.facilitator.filters import FilterRow
from app.ui.screens.write import WriteRequest
from app.ui.widgets import Tile, action, tile_rows

# Drawing is limited to a page of keywords so the screen stays quick however many there are.
PAGE_SIZE = 40


def keyword_line(k: KeywordRow) -> str:
    """Everything the facilitator needs about one keyword, in words (not colour)."""
    who = k.author or "anonymous"
    endorsers = f" ({', '.join(k.endorsers)})" if k.endorsers else ""
    parts = [k.text, f"{k.kind}", f"{k.endorsements} me too{endorsers}", f"by {who}"]
    if k.meeting:
        parts.append(k.meeting)
    parts.append(f"theme: {k.theme}" if k.theme else "no theme")
    if k.hidden:
        parts.append(f"HIDDEN: {k.hidden_reason or 'no reason'}")
    return " · ".join(parts)


class DashboardScreen(Screen):
    """A page of a prompt's keywords, all or one theme's: choose one to move it or hide it; make and
    rename themes. Only the page on show is read, so it stays quick however many keywords there are."""

    key = "dashboard"

    def __init__(self, ctx: UiContext, prompt_id: str, page: int = 0, theme: str | None = None) -> None:
        session = ctx.state.facilitator
        assert session is not None
        try:
            self.listing: KeywordPage = ctx.services.review.keyword_page(session, prompt_id, page, PAGE_SIZE,
                                                                         theme)
        except NotFound:  # the theme shown has gone (a refresh after a change elsewhere): show them all
            theme = None
            self.listing = ctx.services.review.keyword_page(session, prompt_id, page, PAGE_SIZE)
        self.prompt = self.listing.prompt
        self.page = self.listing.page
        super().__init__(ctx, f"Keywords and themes: {self.prompt.text}")
        self.add_text(self._summary(), muted=True)
        options = [("All keywords", None), ("Not in a theme", NO_THEME),
                   *[(f"{t.name} ({t.count})", t.id) for t in self.listing.themes]]
        FilterRow(self, "Show", options, theme, lambda value: self._go(0, value), name="Show keywords")
        tiles = [Tile(keyword_line(k), self._open(k)) for k in self.listing.keywords]
        holder, groups = tile_rows("review", "Keywords", tiles, per_row=1)
        self.body.addWidget(holder)
        self.body.addStretch(1)
        self.groups.extend(groups)
        shown = self.listing.theme_name
        rename = [action(f"Rename “{shown}”", self._rename(theme, shown))] if theme and shown else []
        paging = [
            *([action("◀ Earlier keywords", lambda: self._go(self.page - 1, theme))]
              if self.listing.has_earlier else []),
            *([action("Later keywords ▶", lambda: self._go(self.page + 1, theme))]
              if self.listing.has_later else []),
        ]
        self.set_actions([action("New theme", self._new_theme), *rename, *paging,
                          action("Back", ctx.nav.back)], first=True)

    def _summary(self) -> str:
        page = self.listing
        which = {None: "Keywords", NO_THEME: "Keywords in no theme"}.get(
            page.theme, f"Keywords in “{page.theme_name}”")
        if not page.total:
            counted = f"{which}: none."
        else:
            hidden = f", {page.hidden:,} of them hidden" if page.hidden else ""
            counted = f"{which} {page.first:,} to {page.last:,} of {page.total:,}, oldest first{hidden}."
        if not page.themes:
            return f"{counted} No themes yet."
        themes = ", ".join(f"{t.name} ({t.count:,})" for t in page.themes)
        return (f"{counted} Themes: {themes}. "
                "Choose a theme under “Show keywords” to see only its keywords and rename it.")

    def _go(self, page: int, theme: str | None) -> None:
        self.ctx.nav.show_dashboard(self.prompt.id, page, replace=True, theme=theme)

    def _open(self, keyword: KeywordRow) -> Callable[[], None]:
        return lambda: self.ctx.nav.show_keyword_review(self.prompt.id, keyword.id)

    def _new_theme(self) -> None:
        session = self.ctx.state.facilitator
        prompt_id = self.prompt.id
        self.ctx.nav.show_write(WriteRequest(
            title="Name the new theme", target=f"theme:{prompt_id}",
            submit=lambda text, _o: self.ctx.services.review.create_theme(session, prompt_id, text),
        ))

    def _rename(self, theme_id: str, name: str) -> Callable[[], None]:
        def rename() -> None:
            session = self.ctx.state.facilitator
            self.ctx.nav.show_write(WriteRequest(
                title=f"New name for “{name}”", target=f"theme-name:{theme_id}", initial=name,
                submit=lambda text, _o: self.ctx.services.review.rename_theme(session, theme_id, text),
            ))

        return rename


class KeywordReviewScreen(Screen):
    """One keyword: move it to a theme (or none), hide it with a reason, or show it again."""

    key = "keyword-review"

    def __init__(self, ctx: UiContext, prompt_id: str, contribution_id: str) -> None:
        session = ctx.state.facilitator
        assert session is not None
        self.keyword = ctx.services.review.keyword(session, prompt_id, contribution_id)
        themes = ctx.services.review.themes(session, prompt_id)
        super().__init__(ctx, f"Keyword: {self.keyword.text}")
        self.add_text(keyword_line(self.keyword))
        for comment in self.keyword.comments:
            self.add_text(f"{comment.author or 'Someone'}: {comment.text}", muted=True)
        targets = [Tile(f"Into “{t.name}”", self._move(t.id), speech=f"Move into {t.name}")
                   for t in themes if t.id != self.keyword.theme_id]
        if self.keyword.theme_id is not None:
            targets.append(Tile("Out of its theme", self._move(None)))
        if targets:
            holder, groups = tile_rows("themes", "Move to a theme", targets, per_row=3)
            self.body.addWidget(holder)
            self.groups.extend(groups)
        self.body.addStretch(1)
        hide = (action("Show it to the group again", self._unhide) if self.keyword.hidden
                else action("Hide with a reason", self._hide))
        self.set_actions([hide, action("Back", ctx.nav.back)], first=True)

    def _done(self, message: str) -> None:
        self.ctx.nav.back()
        self.ctx.announce(message)

    def _move(self, theme_id: str | None) -> Callable[[], None]:
        def move() -> None:
            session = self.ctx.state.facilitator
            outcome = self.ctx.services.review.move_to_theme(session, [self.keyword.id], theme_id)
            self._done(outcome.message)

        return move

    def _hide(self) -> None:
        session = self.ctx.state.facilitator
        cid = self.keyword.id
        self.ctx.nav.show_write(WriteRequest(
            title=f"Why hide “{self.keyword.text}”?", target=f"hide:{cid}", multiline=True,
            submit=lambda text, _o: self.ctx.services.review.hide(session, cid, text), back_steps=2,
        ))

    def _unhide(self) -> None:
        session = self.ctx.state.facilitator
        self._done(self.ctx.services.review.unhide(session, self.keyword.id).message)
