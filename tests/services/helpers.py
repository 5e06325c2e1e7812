"""Plain helper functions shared by the service tests."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select

from app.services.container import Services
from app.services.dto import ContributionInfo
from app.store.database import Store
from app.store.models import Base, Event


def assert_plain(value: Any) -> None:
    """A dataclass (or list of them) holding plain values: never an ORM object."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        assert dataclasses.is_dataclass(item) and not isinstance(item, type), item
        assert not isinstance(item, Base)
        for field in dataclasses.fields(item):
            assert not isinstance(getattr(item, field.name), Base), field.name


def new_events(store: Store, before: set[str]) -> list[Event]:
    with store.read() as s:
        return [e for e in s.scalars(select(Event)) if e.id not in before]


def one_event(store: Store, before: set[str]) -> Event:
    events = new_events(store, before)
    assert len(events) == 1, [e.action for e in events]
    return events[0]


def tile(services: Services, prompt_id: str, text: str, viewer: str | None = None) -> ContributionInfo:
    return next(c for c in services.contributions.list_for_prompt(prompt_id, viewer) if c.text == text)


def first_version(services: Services, prompt_id: str) -> str:
    version = services.drafts.current_version(prompt_id)
    assert version is not None
    return version.id



def machine_of(store: Store, project_id: str) -> str:
    """The id a computer's bundles for the project carry: an invited computer's own, else the database's."""
    from app.services.exchange.exchange import ExchangeService

    exchange = ExchangeService(store)
    keys = exchange.keyring.get(project_id)
    return keys.machine_id if keys is not None and keys.machine_id else exchange.machine_id()


def join(facilitator: Store, participant: Store, project_id: str, path, members=None, label="Laptop"):
    """Invite the participant's computer (used by `members`, by default every member) and import the
    invitation there; returns what the import added."""
    from app.services.exchange.exchange import ExchangeService
    from app.store.models import Member

    if members is None:
        with facilitator.read() as s:
            members = list(s.scalars(select(Member.id).where(Member.project_id == project_id,
                                                             Member.withdrawn_at.is_(None))))
    ExchangeService(facilitator).invite_computer(project_id, label, members, path)
    return ExchangeService(participant).import_bundle(path)
