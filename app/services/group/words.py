"""The words prediction learns from: the project's own, the prompt's keywords, a member's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.services.base import ServiceBase
from app.services.group.contributions import thinking, thinking_prompts
from app.services.validation import check_id
from app.store.models import Contribution, Definition, DraftVersion, Endorsement, Prompt

KEYWORD_PICKS = 300  # a prompt's keywords offered when writing: the most agreed, then the oldest


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

    def prompt_keywords(self, prompt_id: str, limit: int = KEYWORD_PICKS,
                        viewer_id: str | None = None) -> list[str]:
        """The prompt's visible contributions, oldest first: quick-picks when writing. A prompt
        with more than `limit` gives those with the most "me too"s (then the oldest). For
        `viewer_id` during a think-first step, the viewer's own alone, as their screen shows:
        the others' offered as predictions gave away what the step keeps back."""
        agreed = (select(func.count(Endorsement.id))
                  .where(Endorsement.contribution_id == Contribution.id, Endorsement.active.is_(True))
                  .correlate(Contribution).scalar_subquery())
        prompt_id = check_id(prompt_id, "prompt")
        viewer_id = check_id(viewer_id, "member") if viewer_id else None
        with self.store.read() as s:
            only = [Contribution.member_id == viewer_id] if viewer_id and thinking(s, prompt_id) else []
            rows = s.execute(
                select(Contribution.text, Contribution.created_at, Contribution.id)
                .where(
                    Contribution.prompt_id == prompt_id,
                    Contribution.hidden.is_(False),
                    Contribution.withdrawn.is_(False),
                    *only,
                )
                .order_by(agreed.desc(), Contribution.created_at, Contribution.id)
                .limit(limit)
            ).all()
            return [text for text, _at, _id in sorted(rows, key=lambda r: (r[1], r[2]))]

    def project_texts_since(
        self, project_id: str, since: datetime | None
    ) -> tuple[list[str], datetime | None]:
        """The project's texts (as :meth:`project_texts`) recorded after `since` (all for None),
        and the newest time among them (or `since` when there are none): the keyboard's
        predictions catch up with these instead of reading the whole project again."""
        project_id = check_id(project_id, "project")
        prompts = select(Prompt.id).where(Prompt.project_id == project_id)
        definitions = select(Definition.id).join(Prompt, Prompt.id == Definition.prompt_id).where(
            Prompt.project_id == project_id)
        contributions = select(Contribution.text, Contribution.created_at, Contribution.prompt_id).where(
            Contribution.withdrawn.is_(False))
        drafts = select(DraftVersion.text, DraftVersion.created_at, DraftVersion.definition_id)
        newest, texts = since, []
        with self.store.read() as s:
            if since is None:
                contributions = contributions.where(Contribution.prompt_id.in_(prompts))
                drafts = drafts.where(DraftVersion.definition_id.in_(definitions))
                mine: tuple[set[str], set[str]] | None = None
            else:
                # Read along the time indexes alone (a project's prompts and definitions are few,
                # so they are matched here): a join lets SQLite walk the whole prompt instead.
                contributions = contributions.where(Contribution.created_at > since)
                drafts = drafts.where(DraftVersion.created_at > since)
                mine = (set(s.scalars(prompts)), set(s.scalars(definitions)))
            # A think-first step keeps the others' keywords back from the predictions too (the
            # member's own reach the predictor as their history); they join at the next pick
            # after the reveal, as a bundle's words do.
            held_back = thinking_prompts(s, s.scalars(prompts))
            for index, query in enumerate((contributions, drafts)):
                for text, at, owner in s.execute(query):
                    if index == 0 and owner in held_back:
                        continue
                    if mine is None or owner in mine[index]:
                        texts.append(text)
                        newest = at if newest is None or at > newest else newest
        return texts, newest

    def member_texts(self, member_id: str) -> list[str]:
        """What this member has written under their name: their history."""
        member_id = check_id(member_id, "member")
        with self.store.read() as s:
            contributions = s.scalars(
                select(Contribution.text).where(Contribution.member_id == member_id)
            ).all()
            drafts = s.scalars(select(DraftVersion.text).where(DraftVersion.author_id == member_id)).all()
            return [*contributions, *drafts]
