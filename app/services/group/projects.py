"""Projects, prompts and members: what the first screens list, and access profiles."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, text

from app.services.base import ServiceBase
from app.services.dto import MemberInfo, Outcome, ProjectInfo, PromptInfo
from app.services.errors import DomainError, NotFound
from app.services.group.phrases import PHRASES_KEY
from app.services.validation import check_id, clean_text
from app.store.models import BundleLog, Event, Member, Project, Prompt

CHANGE_WINDOW = timedelta(days=1)


def member_info(member: Member) -> MemberInfo:
    """A Member row as a plain value."""
    return MemberInfo(
        id=member.id,
        project_id=member.project_id,
        display_name=member.display_name,
        role=member.role,
        anonymous_default=member.anonymous_default,
        profile=dict(member.access_profile or {}),
    )


def prompt_info(prompt: Prompt) -> PromptInfo:
    """A Prompt row as a plain value."""
    return PromptInfo(
        id=prompt.id,
        project_id=prompt.project_id,
        position=prompt.position,
        text=prompt.text,
        pair_role=prompt.pair_role,
        paired_with_id=prompt.paired_with_id,
    )


class ProjectService(ServiceBase):
    """Listing projects, prompts and members; saving a member's access profile."""

    def list_projects(self) -> list[ProjectInfo]:
        """Every project, by name."""
        with self.store.read() as s:
            rows = s.scalars(select(Project).order_by(Project.name)).all()
            return [ProjectInfo(p.id, p.name) for p in rows]

    def find_project(self, name: str) -> ProjectInfo:
        """The project with this exact name."""
        name = clean_text(name, "The project name", 200)
        with self.store.read() as s:
            project = s.scalar(select(Project).where(Project.name == name))
            if project is None:
                raise NotFound(f"No project is called {name!r}.")
            return ProjectInfo(project.id, project.name)

    def list_members(self, project_id: str) -> list[MemberInfo]:
        """The project's current members: participants first, then the facilitator."""
        project_id = check_id(project_id, "project")
        with self.store.read() as s:
            rows = s.scalars(
                select(Member)
                .where(Member.project_id == project_id, Member.withdrawn_at.is_(None))
                .order_by(Member.role.desc(), Member.position, Member.display_name)
            ).all()
            return [member_info(m) for m in rows]

    def login_member(self) -> str | None:
        """The member this computer's login belongs to, on a shared database with a member's
        login (None elsewhere: an SQLite file, the facilitator's login, the owner). The window
        then offers only them on "Who is taking part?": the database would refuse the others."""
        if self.store.engine.dialect.name != "postgresql":
            return None
        with self.store.read() as s:
            row = s.execute(text("SELECT canvas_kind(), canvas_member()")).one()
        return row[1] if row[0] == "member" else None

    def get_member(self, member_id: str) -> MemberInfo:
        """One member by id."""
        with self.store.read() as s:
            return member_info(self._member(s, member_id))

    def list_prompts(self, project_id: str) -> list[PromptInfo]:
        """The project's prompts in order."""
        project_id = check_id(project_id, "project")
        with self.store.read() as s:
            rows = s.scalars(
                select(Prompt).where(Prompt.project_id == project_id).order_by(Prompt.position)
            ).all()
            return [prompt_info(p) for p in rows]

    def get_prompt(self, prompt_id: str) -> PromptInfo:
        """One prompt by id."""
        with self.store.read() as s:
            return prompt_info(self._get(s, Prompt, prompt_id, "prompt"))

    def save_profile(self, member_id: str, profile: dict[str, Any]) -> Outcome:
        """Replace a member's access profile; the old one is kept in the event for undo."""
        if not isinstance(profile, dict):
            raise DomainError("An access profile must be a set of named settings.")
        try:
            # Stored as JSON: what would come back different (a tuple, a number as a key) is refused.
            same = json.loads(json.dumps(profile, allow_nan=False)) == profile
        except (TypeError, ValueError, RecursionError) as exc:
            raise DomainError("An access profile may hold only text, numbers and yes/no values.") from exc
        phrases = profile.get(PHRASES_KEY, [])
        if not same or not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise DomainError("An access profile may hold only named settings and a list of phrases.")
        with self.store.transaction() as s:
            member = self._member(s, member_id)
            before = dict(member.access_profile or {})
            profile = dict(profile)
            if PHRASES_KEY in before and PHRASES_KEY not in profile:
                profile[PHRASES_KEY] = before[PHRASES_KEY]  # phrases live beside the settings
            if before == profile:
                return Outcome("Settings unchanged.")
            member.access_profile = dict(profile)
            changed = sorted(k for k in set(before) | set(profile) if before.get(k) != profile.get(k))
            event = self._event(
                s, member.project_id, member.id, "profile_changed", "member", member.id,
                before=before, changed=changed,
            )
            return Outcome("Settings saved.", undo_token=event.id, record_id=member.id)

    def start_session(self, member_id: str) -> None:
        """Record that this member has started taking part on this machine."""
        with self.store.transaction() as s:
            member = self._member(s, member_id)
            self._event(s, member.project_id, member.id, "session_started", "member", member.id)

    def last_session_member(self, project_id: str) -> MemberInfo | None:
        """The member who last started taking part: their profile scans the member screen."""
        project_id = check_id(project_id, "project")
        with self.store.read() as s:
            member = s.scalar(
                select(Member)
                .join(Event, Event.member_id == Member.id)
                .where(
                    Event.project_id == project_id,
                    Event.action == "session_started",
                    Member.withdrawn_at.is_(None),
                )
                .order_by(Event.created_at.desc())
                .limit(1)
            )
            return None if member is None else member_info(member)

    def change_marker(self, project_id: str) -> tuple[int, str]:
        """Something that changes whenever anything is recorded in the project (for polling).

        Every action records an Event, and every import that writes anything a BundleLog row
        (its records keep the times they were made elsewhere, however old). So: the newest
        event's time, and the number of events from the CHANGE_WINDOW before it (an event
        written by a copy of the app whose clock is a little behind, on a shared database, is
        seen too) plus the number of the project's bundles. Three lookups on indexes, each
        reading a few entries whatever the size of the project."""
        project_id = check_id(project_id, "project")
        if self.store.engine.dialect.name == "postgresql":
            return self._shared_change_marker(project_id)
        with self.store.read() as s:
            newest = s.scalar(select(func.max(Event.created_at)).where(Event.project_id == project_id))
            recent = 0 if newest is None else s.scalar(
                select(func.count()).select_from(Event)
                .where(Event.project_id == project_id, Event.created_at >= newest - CHANGE_WINDOW))
            bundles = s.scalar(select(func.count()).select_from(BundleLog)
                               .where(BundleLog.project_id == project_id))
            # With the same newest time, both counts only grow: their sum changes when either does.
            return int(recent or 0) + int(bundles or 0), str(newest or "")

    def _shared_change_marker(self, project_id: str) -> tuple[int, str]:
        """On a shared database a member may read only their own audit entries, so the same
        marker comes from a function of the schema's owner (migration 0008) that tells the
        asker's project's newest time and counts, and nothing of what was done."""
        with self.store.read() as s:
            row = s.execute(text("SELECT newest, recent, bundles FROM canvas_change_marker(:p, :w)"),
                            {"p": project_id, "w": CHANGE_WINDOW}).one()
            return int(row.recent or 0) + int(row.bundles or 0), str(row.newest or "")
