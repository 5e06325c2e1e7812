"""The words prediction learns from: the project's own, the prompt's keywords, a member's."""

from __future__ import annotations

from sqlalchemy import select

from app.services.base import ServiceBase
from app.services.validation import check_id
from app.store.models import Contribution, Definition, DraftVersion, Prompt


class WordService(ServiceBase):
    """Read-only text sources for the keyboard's predictions."""

    def project_texts(self, project_id: str) -> list[str]:
        """Every visible contribution and every draft version of the project."""
        project_id = check_id(project_id, "project")
        with self.store.read() as s:
            contributions = s.scalars(
                select(Contribution.text)
                .join(Prompt, Prompt.id == Contribution.prompt_id)
                .where(Prompt.project_id == project_id, Contribution.withdrawn.is_(False))
            ).all()
            drafts = s.scalars(
                select(DraftVersion.text)
                .join(Definition, Definition.id == DraftVersion.definition_id)
                .join(Prompt, Prompt.id == Definition.prompt_id)
                .where(Prompt.project_id == project_id)
            ).all()
            return [*contributions, *drafts]

    def prompt_keywords(self, prompt_id: str) -> list[str]:
        """The prompt's visible contributions, oldest first: quick-picks when writing."""
        with self.store.read() as s:
            return list(
                s.scalars(
                    select(Contribution.text)
                    .where(
                        Contribution.prompt_id == check_id(prompt_id, "prompt"),
                        Contribution.hidden.is_(False),
                        Contribution.withdrawn.is_(False),
                    )
                    .order_by(Contribution.created_at)
                )
            )

    def member_texts(self, member_id: str) -> list[str]:
        """What this member has written under their name: their history."""
        member_id = check_id(member_id, "member")
        with self.store.read() as s:
            contributions = s.scalars(
                select(Contribution.text).where(Contribution.member_id == member_id)
            ).all()
            drafts = s.scalars(select(DraftVersion.text).where(DraftVersion.author_id == member_id)).all()
            return [*contributions, *drafts]
