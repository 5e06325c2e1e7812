"""The "now" and "future" definitions side by side, each with its keywords, each speakable."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.services.dto import PromptInfo
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.widgets import GroupFrame, ScanGroup, Tile, action


class PairScreen(Screen):
    """Two columns; each column is a scan group with Speak definition and Speak keywords."""

    key = "pair"

    def __init__(self, ctx: UiContext, prompt_id: str) -> None:
        super().__init__(ctx, "Now and future, side by side")
        first = ctx.services.projects.get_prompt(prompt_id)
        other = ctx.services.projects.get_prompt(first.paired_with_id) if first.paired_with_id else None
        pair = [p for p in (first, other) if p is not None]
        pair.sort(key=lambda p: 0 if p.pair_role == "now" else 1)
        columns = QHBoxLayout()
        columns.setSpacing(24)
        for prompt in pair:
            columns.addLayout(self._column(prompt), 1)
        holder = QWidget()
        holder.setLayout(columns)
        self.body.addWidget(holder)
        self.body.addStretch(1)
        self.set_actions([action("Speak both", self._speak_both), action("Back", ctx.nav.back)])
        self.pair = pair

    def _column(self, prompt: PromptInfo) -> QVBoxLayout:
        services = self.ctx.services
        role = (prompt.pair_role or "").upper()
        version = services.drafts.current_version(prompt.id)
        definition = version.text if version else "No definition yet."
        viewer = self.ctx.state.member.id if self.ctx.state.member else None
        keywords = services.words.prompt_keywords(prompt.id, viewer_id=viewer)
        column = QVBoxLayout()
        for text, name in ((f"{role}: {prompt.text}", "title"), (definition, ""),
                           (f"Keywords: {', '.join(keywords) or 'none yet'}", "muted")):
            label = QLabel(text)
            label.setWordWrap(True)
            label.setAccessibleName(text)
            if name:
                label.setObjectName(name)
            column.addWidget(label)
        frame = GroupFrame(f"{role.capitalize()} definition")
        tiles = [
            Tile("Speak definition", lambda: self.ctx.speak(f"{role}. {definition}"),
                 speech=f"Speak the {role.lower()} definition"),
            Tile("Speak keywords", lambda: self.ctx.speak(", ".join(keywords) or "No keywords yet."),
                 speech=f"Speak the {role.lower()} keywords"),
        ]
        for tile in tiles:
            frame.row.addWidget(tile, 1)
        column.addWidget(frame)
        column.addStretch(1)
        self.groups.append(ScanGroup(f"pair-{prompt.id}", frame.accessibleName(), frame, tiles))
        return column

    def _speak_both(self) -> None:
        parts = []
        for prompt in self.pair:
            version = self.ctx.services.drafts.current_version(prompt.id)
            parts.append(f"{prompt.pair_role or ''}: {version.text if version else 'no definition yet'}")
        self.ctx.speak(". ".join(parts))
