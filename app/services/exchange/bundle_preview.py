"""What importing a bundle does (or did): the preview shown before an import and returned after."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.services.exchange.bundle_format import BY_NAME

UNSIGNED_WARNING = ("Warning: this bundle is not signed. It was made by an earlier version of the app, so "
                    "anyone could have made or changed it. Import it only if you know where it came from; "
                    "it can be imported once, on the facilitator's computer.")


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
    same_name: list[tuple[str, str]]  # (a name already here, the name a new member with it is kept as)
    already_imported: bool
    withdrawn_there: list[str] = field(default_factory=list)  # members here withdrawn on that machine
    sender: str = ""  # whom it comes from: "the facilitator", "Sam's laptop", "an unsigned bundle"
    unsigned: bool = False  # format 1: imported only after the facilitator confirms a warning
    withdrawal_changes: list[str] = field(default_factory=list)  # what each withdrawal changes here
    joins: bool = False  # an invitation: importing it joins this computer to the project
    renamed: list[str] = field(default_factory=list)  # a project here that gives its name up to it

    @property
    def needs_confirmation(self) -> bool:
        """True when importing must be confirmed after reading the preview (a withdrawal, unsigned)."""
        return bool(self.withdrawn_there) or self.unsigned

    @property
    def total_new(self) -> int:
        """Records added plus records replaced by a newer one."""
        return sum(self.new.values()) + sum(self.updated.values())

    def lines(self) -> list[str]:
        """The preview as short lines to show or speak."""
        made = self.created_at.strftime("%Y-%m-%d %H:%M UTC")
        scope = "the whole project" if self.scope == "whole" else "changes since " + (
            self.since.strftime("%Y-%m-%d %H:%M UTC") if self.since else "the last bundle")
        out = []
        if self.unsigned:
            out.append(UNSIGNED_WARNING)
        out += [
            f"Project: {self.project_name} ({'new here' if self.project_is_new else 'already here'})",
            f"From {self.sender or 'machine ' + self.source_machine}, made {made}: {scope}.",
        ]
        if self.joins:
            out.append("This is an invitation: importing it joins this computer to the project.")
        out += self.renamed
        new = [BY_NAME[k].count(n) for k, n in self.new.items() if n]
        out.append("New: " + ", ".join(new) + "." if new else "Nothing new: all of it is already here.")
        updated = [BY_NAME[k].count(n) for k, n in self.updated.items() if n]
        if updated:
            out.append("Newer on the other machine: " + ", ".join(updated) + ".")
        if self.authors:
            out.append("From: " + ", ".join(f"{name} ({n})" for name, n in self.authors.items()) + ".")
        if self.new_members:
            out.append("New members: " + ", ".join(self.new_members) + ".")
        for here, kept in self.same_name:
            out.append(f"Two members called {here}: the new one is kept apart as {kept!r}, "
                       "for the facilitator to merge or rename.")
        if self.withdrawn_there:
            out.append("Withdrawn by the facilitator, so withdrawn here too once you confirm: "
                       + ", ".join(self.withdrawn_there) + ".")
            out += self.withdrawal_changes
        if self.withheld:
            out.append(f"Left out: {self.withheld} records of members who have withdrawn.")
        if self.already_imported:
            out.append("This bundle was imported here before.")
        return out
