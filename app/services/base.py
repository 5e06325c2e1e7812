"""What every service shares: the store, lookups that raise clear errors, the audit log."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from app.services.errors import NotFound
from app.services.validation import check_id
from app.store.database import Store
from app.store.models import Base, Event, Member, Prompt, new_id

T = TypeVar("T", bound=Base)


class ServiceBase:
    """Holds the store; each public method of a subclass is one transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @staticmethod
    def _get(session: Session, model: type[T], record_id: object, what: str) -> T:
        record = session.get(model, check_id(record_id, what))
        if record is None:
            raise NotFound(f"Unknown {what}.")
        return record

    def _member(self, session: Session, member_id: object) -> Member:
        member = self._get(session, Member, member_id, "member")
        if member.withdrawn_at is not None:
            raise NotFound("This member has withdrawn from the project.")
        return member

    def _prompt_for(self, session: Session, prompt_id: object, member: Member) -> Prompt:
        prompt = self._get(session, Prompt, prompt_id, "prompt")
        if prompt.project_id != member.project_id:
            raise NotFound("That prompt belongs to another project.")
        return prompt

    @staticmethod
    def _event(
        session: Session,
        project_id: str,
        member_id: str | None,
        action: str,
        target_kind: str = "",
        target_id: str | None = None,
        **detail: Any,
    ) -> Event:
        # The id is given now and nothing is flushed here: a caller may still set the entry's
        # time before it is written, and the audit log is insert-only on a shared database.
        event = Event(
            id=new_id(),
            project_id=project_id,
            member_id=member_id,
            action=action,
            target_kind=target_kind,
            target_id=target_id,
            detail=detail,
        )
        session.add(event)
        return event
