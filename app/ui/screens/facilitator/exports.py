"""Exports for the research team: DOCX report, Markdown, CSV files; written atomically.

"Names" chooses pseudonyms (the default, every time the screen opens) or real names, which
are used only for members whose consent says named credit and whose real name is recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.services.errors import DomainError
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.widgets import Tile, action


class ExportScreen(Screen):
    """Choose a format; the file goes to the exports folder, and its path is said."""

    key = "exports"

    def __init__(self, ctx: UiContext, folder: Path) -> None:
        super().__init__(ctx, "Export for the research")
        self.folder = folder
        self.add_text(f"Files go to {folder}. Withdrawn data and private notes are never exported. "
                      "The report quotes only those who agreed to being quoted; the CSV files say "
                      "whether each text may be quoted.", muted=True)
        self.name_tiles = [Tile("Pseudonyms", self._names(False)),
                           Tile("Real names where agreed", self._names(True))]
        self._mark_names()
        self.add_row("names", "Names", self.name_tiles, caption="Names")
        tiles = [Tile("Word report (DOCX)", self._run("docx")), Tile("Markdown", self._run("md")),
                 Tile("CSV files for analysis", self._run("csv")),
                 Tile("What happened to your words: each member's easy-read summary (Word)", self._summaries,
                      speech="Easy-read summaries for each member")]
        self.add_row("formats", "Formats", tiles, caption="Export")
        self.body.addStretch(1)
        self.set_actions([action("Back", ctx.nav.back)])

    def _names(self, real: bool) -> Callable[[], None]:
        def choose() -> None:
            self.ctx.state.export_real_names = real  # kept when the screen is rebuilt
            self._mark_names()
            self.ctx.announce("Names: real names where the person agreed to named credit" if real
                              else "Names: pseudonyms")
            self.ctx.nav.rescan()

        return choose

    def _mark_names(self) -> None:
        chosen = self.ctx.state.export_real_names
        for tile, real in zip(self.name_tiles, (False, True), strict=True):
            tile.mark_chosen(("Real names where agreed" if real else "Pseudonyms"), real == chosen, "Names: ")

    def _run(self, fmt: str) -> Callable[[], None]:
        def run() -> None:
            session = self.ctx.state.facilitator
            stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            exports = self.ctx.services.exports
            targets = {"docx": (exports.docx, f"canvas-{stamp}.docx"),
                       "md": (exports.markdown, f"canvas-{stamp}.md"),
                       "csv": (exports.csv, f"canvas-{stamp}-csv")}
            write, name = targets[fmt]
            try:
                result = write(session, self.folder / name, real_names=self.ctx.state.export_real_names,
                               progress=self._progress)
            except DomainError as exc:  # a full disk or a read-only folder: the guard says so
                self.ctx.announce(exc.message)
                return
            self.ctx.announce(result.message)  # (it names the folder: once is enough)

        return run

    def _summaries(self) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            result = self.ctx.services.exports.summaries(self.ctx.state.facilitator,
                                                         self.folder / f"summaries-{stamp}")
        except (DomainError, OSError) as exc:
            self.ctx.announce(getattr(exc, "message", str(exc)))
            return
        self.ctx.announce(result.message)

    def _progress(self, done: int, total: int) -> None:
        self.ctx.status.show_status(f"Exporting: {done} of {total}")
        QApplication.processEvents()
