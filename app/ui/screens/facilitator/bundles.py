"""Bundles: send the project (or what changed) to another machine; import with a preview."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from app.services.errors import DomainError
from app.services.exchange.exchange import UnsignedBundle
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.confirm import question
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


def waiting_bundles(screen: Screen, folder: Path, preview: Callable[[Path], Callable[[], None]]) -> None:
    """One "Import <file>" tile per bundle in the folder, newest first (not an invitation made
    here for another computer)."""
    waiting = screen.ctx.services.exchange.waiting_bundles(folder) if folder.is_dir() else []
    tiles = [Tile(f"Import {p.name}", preview(p), speech=f"Import {p.name}") for p in waiting]
    if tiles:
        holder, groups = tile_rows("inbox", "Bundles to import", tiles, per_row=1)
        screen.body.addWidget(holder)
        screen.groups.extend(groups)
    else:
        screen.add_text("No bundles in the folder yet.", muted=True)


_SAYS_NOTHING = re.compile(r"\bnothing (?:was|is|has been) (?:written|changed|saved)\b", re.IGNORECASE)


def _nothing_written(message: str) -> str:
    """A refusal, saying once that nothing was written (the service's message may say it already,
    in any case: "…; nothing was written. Try again.")."""
    return message if _SAYS_NOTHING.search(message) else f"{message} Nothing was written."


class InboxScreen(Screen):
    """Any computer: the bundles waiting in the folder (an invitation, the facilitator's bundle),
    each to preview and import; no facilitator mode needed, as a participant's computer has none."""

    key = "inbox"

    def __init__(self, ctx: UiContext, folder: Path) -> None:
        super().__init__(ctx, "Import a bundle")
        self.add_text(f"Bundles are read from {folder}.", muted=True)
        waiting_bundles(self, folder, self._preview)
        self.body.addStretch(1)
        self.set_actions([action("Back", ctx.nav.back)])

    def _preview(self, path: Path) -> Callable[[], None]:
        return lambda: self.ctx.nav.show_inbox_preview(str(path))


class BundlesScreen(Screen):
    """Export tiles first; then each bundle waiting in the folder, to preview and import."""

    key = "bundles"

    def __init__(self, ctx: UiContext, folder: Path) -> None:
        super().__init__(ctx, "Bundles: work from other machines")
        self.folder = folder
        exchange = ctx.services.exchange
        self.add_text(f"Bundles are read from and written to {folder}. This machine is "
                      f"{exchange.machine_id()}.", muted=True)
        waiting_bundles(self, folder, self._preview)
        self._computers(ctx, folder)
        machines = exchange.known_machines(ctx.state.project_id)[:3]
        sends = [Tile(f"Changes for machine {m.machine_id[:8]}", self._export(m.machine_id),
                      speech=f"Export the changes for machine {m.machine_id[:8]}") for m in machines]
        holder, groups = tile_rows("send", "Export", [Tile("Export the whole project", self._export(None)),
                                                      *sends], per_row=2)
        self.body.addWidget(holder)
        self.groups.extend(groups)
        self.body.addStretch(1)
        self.set_actions([action("Back", ctx.nav.back)])

    def _computers(self, ctx: UiContext, folder: Path) -> None:
        """Invite a computer for a participant; revoke one (a lost laptop)."""
        project_id = ctx.state.project_id
        computers = ctx.services.exchange.computers(project_id)
        for c in computers:
            state = f"revoked on {c.revoked_at:%Y-%m-%d}" if c.revoked_at else "its bundles are accepted"
            self.add_text(f"Invited: {c.label} ({state}).", muted=True)
        members = [m for m in ctx.services.projects.list_members(project_id) if m.role == "participant"]
        tiles = [Tile(f"Invite a computer for {m.display_name}", self._invite(m.id, m.display_name))
                 for m in members]
        tiles += [Tile(f"Revoke {c.label}", self._revoke(c.machine_id, c.label))
                  for c in computers if c.revoked_at is None]
        holder, groups = tile_rows("computers", "Computers", tiles, per_row=2)
        self.body.addWidget(holder)
        self.groups.extend(groups)

    def _invite(self, member_id: str, name: str) -> Callable[[], None]:
        def invite() -> None:
            project = next(p for p in self.ctx.services.projects.list_projects()
                           if p.id == self.ctx.state.project_id)
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = self.folder / bundle_name(project.name, f"invitation-{name}")
            try:
                computer, _ = self.ctx.services.exchange.invite_computer(
                    project.id, f"{name}'s computer", [member_id], path)
            except DomainError as exc:
                self.ctx.announce(exc.message)
                return
            self.ctx.announce(f"Invitation for {computer.label} saved: {path.name}. Give it to that "
                              "computer only.")
            self.ctx.nav.refresh()

        return invite

    def _revoke(self, machine_id: str, label: str) -> Callable[[], None]:
        asked = question("revoke", label=label)
        return lambda: self.ctx.nav.ask_first(asked, self._revoker(machine_id, label))

    def _revoker(self, machine_id: str, label: str) -> Callable[[], None]:
        def revoke() -> None:
            try:
                self.ctx.services.exchange.revoke_computer(self.ctx.state.project_id, machine_id)
            except DomainError as exc:
                self.ctx.announce(exc.message)
                return
            self.ctx.announce(f"Revoked {label}: its bundles are refused from now on.")
            self.ctx.nav.refresh()

        return revoke

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
        self.preview = None
        try:
            try:
                self.preview = ctx.services.exchange.preview_import(path)
            except UnsignedBundle:  # format 1: shown with its warning, imported once if confirmed
                self.preview = ctx.services.exchange.preview_import(path, allow_unsigned=True)
            self.lines = self.preview.lines()
        except DomainError as exc:
            said = _nothing_written(exc.message)
            self.lines = [f"This bundle cannot be imported: {said}"]
        for line in self.lines:
            self.add_text(line)
        self.body.addStretch(1)
        label = "Import it"
        if self.preview is not None and self.preview.unsigned:
            label = "Import it once, unsigned"
        elif self.preview is not None and self.preview.withdrawn_there:
            label = "Withdraw them and import"
        tiles = [action(label, self._import)] if self.preview is not None else []
        self.set_actions([*tiles, action("Back", ctx.nav.back)], first=True)

    def spoken_title(self) -> str:
        """The preview is read out."""
        return " ".join([self.title, *self.lines])  # (the title ends with "?")

    def _import(self) -> None:
        try:
            preview = self.preview
            done = self.ctx.services.exchange.import_bundle(
                self.path, local_drafts=self.ctx.local_drafts,
                allow_unsigned=bool(preview and preview.unsigned),
                confirm_withdrawals=bool(preview and preview.withdrawn_there))
        except DomainError as exc:
            said = _nothing_written(exc.message)
            self.ctx.announce(f"Not imported: {said}")
            return
        added = done.total_new
        said = f"Imported: {added} new records." if added else "Nothing new: all of it was here."
        if done.joins:  # open the joined project straight away: its members screen
            self.ctx.nav.open_project(done.project_id)
            self.ctx.announce(f"{said} This computer has joined {done.project_name}. Who is taking part?")
            return
        self.ctx.nav.back()
        self.ctx.announce(said)
