"""The group's definition for one prompt: sentences, stances, keyword coverage, new versions."""

from __future__ import annotations

from collections.abc import Callable

from app.services.dto import Outcome, VersionInfo
from app.services.group.text_tools import join_sentences, keyword_coverage, split_sentences
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.write import WriteRequest
from app.ui.widgets import Tile, action

STANCE_NAMES = (("agree", "Agree"), ("unsure", "Unsure"), ("disagree", "Disagree"))


def version_label(index: int, version: VersionInfo) -> str:
    """E.g. "Version 3 by Alex: Added a sentence"."""
    note = f": {version.note}" if version.note else ""
    return f"Version {index} by {version.author or 'someone'}{note}"


def sentence_request(
    ctx: UiContext,
    prompt_id: str,
    version: VersionInfo | None,
    index: int | None,
    start: str = "",
    keywords: list[str] | None = None,
    back_steps: int = 1,
) -> WriteRequest:
    """Writing that changes sentence `index` of `version` (or adds one when None)."""
    member = ctx.state.member
    assert member is not None
    sentences = split_sentences(version.text) if version else []
    parent = version.id if version else None
    if index is None:
        title, note, initial = "Add a sentence", "Added a sentence", start
    else:
        title, note, initial = (f"Change sentence {index + 1}", f"Changed sentence {index + 1}",
                                sentences[index])

    def submit(text: str, _options: dict[str, str]) -> Outcome:
        new = list(sentences)
        if index is None:
            new.append(text)
        else:
            new[index] = text
        return ctx.services.drafts.save_version(member.id, prompt_id, join_sentences(new), parent, note)

    return WriteRequest(
        title=title, target=f"definition:{prompt_id}:{parent}:{index}", submit=submit,
        multiline=True, off_thread=True, initial=initial, keywords=keywords or [], back_steps=back_steps,
    )


class DefinitionScreen(Screen):
    """Stances first (cheapest), then the sentences, unused keywords and the actions."""

    key = "definition"

    def __init__(self, ctx: UiContext, prompt_id: str, version_id: str | None = None) -> None:
        services = ctx.services
        self.prompt = services.projects.get_prompt(prompt_id)
        super().__init__(ctx, f"Our definition: {self.prompt.text}")
        self.versions = services.drafts.list_versions(prompt_id)
        chosen = [v for v in self.versions if v.id == version_id]
        self.version = chosen[0] if chosen else (self.versions[-1] if self.versions else None)
        self.sentences = split_sentences(self.version.text) if self.version else []
        viewer = ctx.state.member.id if ctx.state.member else None
        self.keywords = services.words.prompt_keywords(prompt_id, viewer_id=viewer)
        self.coverage = keyword_coverage(self.version.text if self.version else "", self.keywords)
        self.selected: int | None = None
        if self.version is None:
            self.add_text("No definition yet. Start one from the group's keywords.", muted=True)
        else:
            self._version_line()
            self._stance_row()
            self._sentence_rows()
        self._coverage_row()
        self.body.addStretch(1)
        self.set_actions([
            action("Speak", self.speak_all), action("✚ Sentence", lambda: self.write_sentence(None)),
            action("Rewrite all", self.rewrite_all), action("Versions", self._versions),
            action("Comment", self._comment), action("Read comments", self._read_comments),
            self.undo_tile(), action("Back", ctx.nav.back),
        ])

    # -------------------------------------------------------------- layout
    def _version_line(self) -> None:
        assert self.version is not None
        index = self.versions.index(self.version) + 1
        summary = self.ctx.services.drafts.stance_summary(self.version.id)
        waiting = f" Still to say: {', '.join(summary.waiting)}." if summary.waiting else ""
        comments = len(self.ctx.services.drafts.list_comments(self.version.id))
        said = f" {comments} comment{'s' if comments != 1 else ''}." if comments else ""
        self.add_text(f"{version_label(index, self.version)}. {summary.text}.{waiting}{said}", muted=True)
        siblings = self.ctx.services.drafts.siblings(self.version.id)
        if siblings:
            names = ", ".join(s.author or "someone" for s in siblings)
            self.add_text(
                f"Written at the same time as another version (by {names}). "
                "Open Versions to compare; a new version from either joins them.",
                muted=True,
            )

    def _stance_row(self) -> None:
        assert self.version is not None
        member = self.ctx.state.member
        mine = next(
            (s for s in self.ctx.services.drafts.list_stances(self.version.id)
             if member is not None and s.member_id == member.id),
            None,
        )
        tiles = []
        for position, name in STANCE_NAMES:
            tile = Tile(name, self._stance(position))
            tile.mark_chosen(name, mine is not None and mine.position == position)
            tiles.append(tile)
        tiles.append(Tile("Add a reason", self._reason, speech="Add a reason"))
        self._add_group("stance", "Where I stand", tiles)

    def _sentence_rows(self) -> None:
        tiles = [
            Tile(sentence, self._select_sentence(i), speech=f"Sentence {i + 1}: {sentence}")
            for i, sentence in enumerate(self.sentences)
        ]
        for tile in tiles:
            tile.set_style("text-align: left;")
        self._add_group("sentences", "Sentences", tiles, vertical=True)

    def _coverage_row(self) -> None:
        if self.coverage.used:
            self.add_text(f"Keywords used: {', '.join(self.coverage.used)}.", muted=True)
        if self.coverage.unused:
            self.add_text("Not used yet (choose one to start a sentence from it):", muted=True)
            tiles = [
                Tile(k, self._from_keyword(k), speech=f"Start from {k}") for k in self.coverage.unused
            ]
            self._add_group("unused", "Keywords not used yet", tiles)

    def _add_group(self, key: str, label: str, tiles: list[Tile], vertical: bool = False) -> None:
        self.add_row(f"{self.key}-{key}", label, tiles, vertical=vertical)

    # ------------------------------------------------------------- actions
    def speak_all(self) -> None:
        """Read the definition aloud."""
        text = self.version.text if self.version else "No definition yet."
        self.ctx.speak(text)

    def _stance(self, position: str) -> Callable[[], None]:
        def take() -> None:
            member = self.ctx.state.member
            if member is None or self.version is None:
                return
            drafts, version_id = self.ctx.services.drafts, self.version.id
            self.ctx.act(f"stance:{version_id}", lambda: drafts.set_stance(member.id, version_id, position),
                         self._done)

        return take

    def _reason(self) -> None:
        member = self.ctx.state.member
        if member is None or self.version is None:
            return
        version = self.version
        mine = [s for s in self.ctx.services.drafts.list_stances(version.id) if s.member_id == member.id]
        position = mine[0].position if mine else "unsure"
        self.ctx.nav.show_write(WriteRequest(
            title=f"Why I am {position}",
            target=f"reason:{version.id}",
            submit=lambda text, _o: self.ctx.services.drafts.set_stance(
                member.id, version.id, position, text),
            multiline=True, off_thread=True,
        ))

    def _select_sentence(self, index: int) -> Callable[[], None]:
        version_id = self.version.id if self.version else ""
        return lambda: self.ctx.nav.show_sentence(self.prompt.id, version_id, index)

    def _from_keyword(self, keyword: str) -> Callable[[], None]:
        return lambda: self.write_sentence(None, start=keyword[:1].upper() + keyword[1:] + " ")

    def write_sentence(self, index: int | None, start: str = "") -> None:
        """Add a new sentence as a new version (starting from `start`, e.g. a keyword)."""
        if self.ctx.state.member is not None:
            self.ctx.nav.show_write(sentence_request(
                self.ctx, self.prompt.id, self.version, index, start, self.keywords))

    def rewrite_all(self) -> None:
        """Rewrite the whole text as a new version."""
        member = self.ctx.state.member
        if member is None:
            return
        parent = self.version.id if self.version else None
        self.ctx.nav.show_write(WriteRequest(
            title="Rewrite the whole definition", target=f"definition:{self.prompt.id}:{parent}:all",
            submit=lambda text, _o: self.ctx.services.drafts.save_version(
                member.id, self.prompt.id, text, parent, "Rewrote the whole text"),
            multiline=True, off_thread=True, initial=self.version.text if self.version else "",
            keywords=self.keywords,
        ))

    def _comment(self) -> None:
        member = self.ctx.state.member
        if member is None or self.version is None:
            self.ctx.announce("There is no version to comment on yet.")
            return
        version = self.version
        self.ctx.nav.show_write(WriteRequest(
            title="Comment on this version", target=f"comment:{version.id}",
            submit=lambda text, _o: self.ctx.services.drafts.comment(member.id, version.id, text),
            multiline=True, off_thread=True,
        ))

    def _read_comments(self) -> None:
        comments = self.ctx.services.drafts.list_comments(self.version.id) if self.version else []
        if not comments:
            self.ctx.speak("No comments on this version yet.")
            return
        self.ctx.speak(". ".join(f"{c.author or 'Someone'} said: {c.text}" for c in comments))

    def _versions(self) -> None:
        self.ctx.nav.show_versions(self.prompt.id)

    def _done(self, outcome: Outcome) -> None:
        if outcome.undo_token:
            self.ctx.state.undo_tokens.append(outcome.undo_token)
        self.ctx.announce(outcome.message)
        self.ctx.nav.refresh()
