"""One sentence of a definition: change it, remove it, or hear it."""

from __future__ import annotations

from app.services.group.text_tools import join_sentences, split_sentences
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.definition import sentence_request
from app.ui.widgets import Tile, action, tile_rows


class SentenceScreen(Screen):
    """Each choice saves a new version with a short note; nothing is overwritten."""

    key = "sentence"

    def __init__(self, ctx: UiContext, prompt_id: str, version_id: str, index: int) -> None:
        versions = {v.id: v for v in ctx.services.drafts.list_versions(prompt_id)}
        self.version = versions[version_id]
        self.prompt_id = prompt_id
        self.sentences = split_sentences(self.version.text)
        self.index = index
        self.sentence = self.sentences[index]
        super().__init__(ctx, f"Sentence {index + 1}")
        self.add_text(self.sentence)
        tiles = [
            Tile("Change it", self._change),
            Tile("Remove it", self._remove),
            Tile("Speak it", lambda: ctx.speak(self.sentence)),
        ]
        holder, groups = tile_rows("sentence-actions", "This sentence", tiles, per_row=3)
        self.body.addWidget(holder)
        self.body.addStretch(1)
        self.groups.extend(groups)
        self.set_actions([action("Back", ctx.nav.back)])

    def spoken_title(self) -> str:
        """The sentence is read on entry."""
        return f"{self.title}: {self.sentence}"

    def _change(self) -> None:
        if self.ctx.state.member is None:
            return
        keywords = self.ctx.services.words.prompt_keywords(self.prompt_id,
                                                            viewer_id=self.ctx.state.member.id)
        self.ctx.nav.show_write(sentence_request(
            self.ctx, self.prompt_id, self.version, self.index, keywords=keywords, back_steps=2))

    def _remove(self) -> None:
        member = self.ctx.state.member
        if member is None:
            return
        if len(self.sentences) == 1:
            self.ctx.announce("This is the only sentence. Rewrite it instead of removing it.")
            return
        rest = self.sentences[: self.index] + self.sentences[self.index + 1 :]
        outcome = self.ctx.services.drafts.save_version(
            member.id, self.prompt_id, join_sentences(rest), self.version.id,
            f"Removed sentence {self.index + 1}",
        )
        self.ctx.nav.back()
        self.ctx.announce(f"Sentence removed. {outcome.message}")
