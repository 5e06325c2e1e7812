"""Fixtures for the service tests: a store in tmp_path holding the demo project."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.services.container import Services
from app.services.demo import FACILITATOR, PARTICIPANTS, create_demo
from app.services.dto import MemberInfo, PromptInfo
from app.store.database import Store, sqlite_url
from app.store.models import Base, Event, Meeting


@dataclass(frozen=True)
class Project:
    """Handles to one project's members and prompts."""

    id: str
    members: dict[str, MemberInfo]
    prompts: list[PromptInfo]
    meeting: str

    def member(self, name: str) -> str:
        return self.members[name].id

    @property
    def participants(self) -> list[str]:
        return [m.id for m in self.members.values() if m.role == "participant"]

    @property
    def facilitator(self) -> str:
        return self.members[FACILITATOR].id

    @property
    def now(self) -> str:
        return next(p.id for p in self.prompts if p.pair_role == "now")

    @property
    def future(self) -> str:
        return next(p.id for p in self.prompts if p.pair_role == "future")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty store migrated to head once per run; each test starts from a copy of it."""
    path = tmp_path_factory.mktemp("template") / "canvas.db"
    Store.open(sqlite_url(path)).close()
    return path


@pytest.fixture
def store(tmp_path: Path, migrated_template: Path) -> Iterator[Store]:
    path = tmp_path / "canvas.db"
    shutil.copyfile(migrated_template, path)
    opened = Store.open(sqlite_url(path))
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def services(store: Store) -> Services:
    return Services.build(store)


def _project(store: Store, services: Services, project_id: str) -> Project:
    members = {m.display_name: m for m in services.projects.list_members(project_id)}
    with store.read() as s:
        meeting = s.scalar(select(Meeting.id).where(Meeting.project_id == project_id))
    return Project(project_id, members, services.projects.list_prompts(project_id), meeting)


@pytest.fixture
def demo(store: Store, services: Services) -> Project:
    """The demo project: Alex, Sam, Jordan, Priya, Kai and the facilitator; now/future prompts."""
    project = _project(store, services, create_demo(store))
    assert list(project.members)[: len(PARTICIPANTS)] == list(PARTICIPANTS)
    return project


@pytest.fixture
def other(store: Store, services: Services, demo: Project) -> Project:
    """A second project, built like the demo, whose records must never mix with the demo's."""
    return _project(store, services, create_demo(store, name="Another project"))


@pytest.fixture
def counts(store: Store) -> Callable[[], dict[str, int]]:
    """A function returning the number of rows in every table of the schema."""

    def count_all() -> dict[str, int]:
        with store.read() as s:
            return {
                table.name: s.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables
            }

    return count_all


@pytest.fixture
def event_ids(store: Store) -> Callable[[], set[str]]:
    """A function returning the ids of every Event row."""

    def ids() -> set[str]:
        with store.read() as s:
            return set(s.scalars(select(Event.id)))

    return ids
