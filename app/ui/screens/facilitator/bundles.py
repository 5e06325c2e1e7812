"""Bundles: send the project (or what changed) to another machine; import with a preview."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from app.services.errors import DomainError
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.widgets import Tile, action, tile_rows


def bundle_name(project: str, who: str) -> str:
    """A file name that says what and when: `<project>-<who>-<UTC time>.canvas`."""
    safe = "".join(ch if ch.isalnum() else "-" for ch in f"{project}-{who}").strip("-")[:60]
    return f"{safe}-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}.canvas"


def send_work(ctx: UiContext, folder: Path) -> None:
    """A participant's "Send my work": the whole project into the bundles folder."""
    project = next(p for p in ctx.services.projects.list_projects() if p.id == ctx.state.project_id)
    who = ctx.state.member.display_name if ctx.state.member else "canvas"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        result = ctx.services.exchange.export_bundle(project.id, folder / bundle_name(project.name, who))
    except DomainError as exc:
        ctx.announce(exc.message)
        return
    ctx.announce(f"{result.message} It is in {folder}; give that file to the facilitator.")


class BundlesScreen(Screen):
    """Export tiles first; then each bundle waiting in the folder, to preview and import."""

    key = "bundles"

    def __init__(self, ctx: UiContext, folder: Path) -> None:
        super().__init__(ctx, "Bundles: work from other machines")
        self.folder = folder
        exchange = ctx.services.exchange
        self.add_text(f"Bundles are read from and written to {folder}. This machine is "
                      f"{exchange.machine_id()}.", muted=True)
        waiting = sorted(folder.glob("*.canvas"), key=lambda p: p.stat().st_mtime, reverse=True)
        tiles = [Tile(f"Import {p.name}", self._preview(p), speech=f"Import {p.name}") for p in waiting]
        if tiles:
            holder, groups = tile_rows("inbox", "Bundles to import", tiles, per_row=1)
            self.body.addWidget(holder)
            self.groups.extend(groups)
        else:
            self.add_text("No bundles in the folder yet.", muted=True)
        machines = exchange.known_machines(ctx.state.project_id)[:3]
        sends = [Tile(f"Changes for machine {m.machine_id[:8]}", self._export(m.machine_id),
                      speech=f"Export the changes for machine {m.machine_id[:8]}") for m in machines]
        holder, groups = tile_rows("send", "Export", [Tile("Export the whole project", self._export(None)),
                                                      *sends], per_row=2)
        self.body.addWidget(holder)
        self.groups.extend(groups)
        self.body.addStretch(1)
        self.set_actions([action("Back", ctx.nav.back)])

    def _export(self, machine: str | None) -> Callable[[], None]:
        def export() -> None:
            project = next(p for p in self.ctx.services.projects.list_projects()
                           if p.id == self.ctx.state.project_id)
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = self.folder / bundle_name(project.name, "facilitator")
            try:
                result = self.ctx.services.exchange.export_bundle(project.id, path, machine)
            except DomainError as exc:
                self.ctx.announce(exc.message)
                return
            self.ctx.announce(result.message)
            self.ctx.nav.refresh()

        return export

    def _preview(self, path: Path) -> Callable[[], None]:
        return lambda: self.ctx.nav.show_bundle_preview(str(path))


class BundlePreviewScreen(Screen):
    """What a bundle would add, and from whom, before anything is written."""

    key = "bundle-preview"

    def __init__(self, ctx: UiContext, path: str) -> None:
        super().__init__(ctx, f"Import {Path(path).name}?")
        self.path = path
        try:
            self.preview = ctx.services.exchange.preview_import(path)
            self.lines = self.preview.lines()
        except DomainError as exc:
            self.preview = None
            self.lines = [f"This bundle cannot be imported: {exc.message}", "Nothing was changed."]
        for line in self.lines:
            self.add_text(line)
        self.body.addStretch(1)
        tiles = [action("Import it", self._import)] if self.preview is not None else []
        self.set_actions([*tiles, action("Back", ctx.nav.back)], first=True)

    def spoken_title(self) -> str:
        """The preview is read out."""
        return ". ".join([self.title, *self.lines])

    def _import(self) -> None:
        try:
            done = self.ctx.services.exchange.import_bundle(self.path, local_drafts=self.ctx.local_drafts)
        except DomainError as exc:
            self.ctx.announce(f"Not imported: {exc.message} Nothing was changed.")
            return
        self.ctx.nav.back()
        added = done.total_new
        self.ctx.announce(f"Imported: {added} new records." if added else "Nothing new: all of it was here.")
