"""Each member's saved phrases, reused when writing (kept beside their access profile)."""

from __future__ import annotations

from app.services.base import ServiceBase
from app.services.dto import Outcome
from app.services.errors import DomainError
from app.services.validation import clean_text
from app.store.models import MAX_CONTRIBUTION

PHRASES_KEY = "phrases"
MAX_PHRASES = 30


class PhraseService(ServiceBase):
    """Save, list and remove a member's phrases; newest first."""

    def list(self, member_id: str) -> list[str]:
        """The member's phrases, newest first."""
        with self.store.read() as s:
            member = self._member(s, member_id)
            return list((member.access_profile or {}).get(PHRASES_KEY, []))

    def save(self, member_id: str, text: str) -> Outcome:
        """Keep `text` as a phrase (moved to the front if it is there already)."""
        text = clean_text(text, "The phrase", MAX_CONTRIBUTION)
        with self.store.transaction() as s:
            member = self._member(s, member_id)
            profile = dict(member.access_profile or {})
            phrases = [p for p in profile.get(PHRASES_KEY, []) if p != text]
            if len(phrases) >= MAX_PHRASES:
                raise DomainError(f"You have {MAX_PHRASES} phrases. Remove one first.")
            profile[PHRASES_KEY] = [text, *phrases]
            member.access_profile = profile
            self._event(s, member.project_id, member.id, "phrase_saved", "member", member.id)
            return Outcome(f"Phrase saved: {text}")

    def remove(self, member_id: str, text: str) -> Outcome:
        """Forget a phrase."""
        with self.store.transaction() as s:
            member = self._member(s, member_id)
            profile = dict(member.access_profile or {})
            phrases = list(profile.get(PHRASES_KEY, []))
            if text not in phrases:
                raise DomainError("That phrase is not saved.")
            profile[PHRASES_KEY] = [p for p in phrases if p != text]
            member.access_profile = profile
            self._event(s, member.project_id, member.id, "phrase_removed", "member", member.id)
            return Outcome(f"Phrase removed: {text}")
