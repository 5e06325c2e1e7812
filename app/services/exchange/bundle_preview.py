"""What importing a bundle does (or did): the preview shown before an import and returned after."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.services.exchange.bundle_format import BY_NAME


@dataclass(frozen=True)
class BundlePreview:
    """What importing a bundle does (or did): new records by kind, and whose they are."""

    bundle_id: str
    project_id: str
    project_name: str
    project_is_new: bool
    source_machine: str
    created_at: datetime
    scope: str  # "whole" or "changes"
    since: datetime | None
    new: dict[str, int]  # kind -> records added
    updated: dict[str, int]  # kind -> "me too"s / stances replaced by a newer one
    already_here: int
    withheld: int  # records of members who have withdrawn (here, or on that machine), left out
    authors: dict[str, int]  # display name ("anonymous" for unnamed contributions) -> records
    new_members: list[str]
    matched_members: list[str]  # incoming members taken to be the member here of that name
    already_imported: bool
    withdrawn_there: list[str] = field(default_factory=list)  # members here withdrawn on that machine

    @property
    def total_new(self) -> int:
        """Records added plus records replaced by a newer one."""
        return sum(self.new.values()) + sum(self.updated.values())

    def lines(self) -> list[str]:
        """The preview as short lines to show or speak."""
        made = self.created_at.strftime("%Y-%m-%d %H:%M UTC")
        scope = "the whole project" if self.scope == "whole" else "changes since " + (
            self.since.strftime("%Y-%m-%d %H:%M UTC") if self.since else "the last bundle")
        out = [
            f"Project: {self.project_name} ({'new here' if self.project_is_new else 'already here'})",
            f"From machine {self.source_machine}, made {made}: {scope}.",
        ]
        new = [BY_NAME[k].count(n) for k, n in self.new.items() if n]
        out.append("New: " + ", ".join(new) + "." if new else "Nothing new: all of it is already here.")
        updated = [BY_NAME[k].count(n) for k, n in self.updated.items() if n]
        if updated:
            out.append("Newer on the other machine: " + ", ".join(updated) + ".")
        if self.authors:
            out.append("From: " + ", ".join(f"{name} ({n})" for name, n in self.authors.items()) + ".")
        if self.new_members:
            out.append("New members: " + ", ".join(self.new_members) + ".")
        if self.matched_members:
            out.append("Same person as here: " + ", ".join(self.matched_members) + ".")
        if self.withdrawn_there:
            out.append("Withdrawn on the other machine, so withdrawn here too: "
                       + ", ".join(self.withdrawn_there) + ".")
        if self.withheld:
            out.append(f"Left out: {self.withheld} records of members who have withdrawn.")
        if self.already_imported:
            out.append("This bundle was imported here before.")
        return out
