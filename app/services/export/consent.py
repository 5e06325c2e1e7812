"""What a member's consent record lets an export show: their name, and their words.

Names (`public_name`): anonymous for no member (an anonymous contribution), a withdrawn
member, and a member whose credit is "anonymous"; with "export real names", the real
name of a member whose credit is "named" and who has one recorded; otherwise the
pseudonym (display name).

Words (`QuotePolicy`): the DOCX and Markdown reports are what gets published, so a
participant's own words (keywords, phrases, experiences, comments, version notes) appear
there only when they agreed to being quoted; otherwise `NOT_QUOTED` stands in their
place and the report says how many. Definitions are the group's shared text and always
appear. Words with no recorded writer (given anonymously, or kept anonymised after a
withdrawal) could be anyone's, so they are quoted only while every participant agrees
and no one has withdrawn. The facilitator's own words are the research team's and are
quoted. The CSV files (analysis data, covered by consent to take part) keep every text
and say in a column whether it may be quoted.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.store.models import Member

NOT_QUOTED = "[not quoted: no consent]"


def public_name(member: Member | None, real_names: bool = False) -> str | None:
    """How an export names a member (see the module docstring); None means "anonymous"."""
    if member is None or member.withdrawn_at is not None or member.credit == "anonymous":
        return None
    if real_names and member.credit == "named" and member.real_name:
        return member.real_name
    return member.display_name


class QuotePolicy:
    """Whose words a published report may quote, worked out once for a project's members."""

    def __init__(self, members: Iterable[Member]) -> None:
        participants = [m for m in members if m.role == "participant"]
        self.unknown_writer = all(m.consent_quote and m.withdrawn_at is None for m in participants)
        self.withheld = 0

    def may_quote(self, member: Member | None) -> bool:
        """True when the words of `member` (None: no recorded writer) may be quoted."""
        if member is None:
            return self.unknown_writer
        if member.withdrawn_at is not None:
            return False
        return member.role != "participant" or member.consent_quote

    def quote(self, member: Member | None, text: str) -> str:
        """`text`, or NOT_QUOTED when its writer has not agreed (counted in `withheld`)."""
        if not text or self.may_quote(member):
            return text
        self.withheld += 1
        return NOT_QUOTED


def quote_all(member: Member | None, text: str) -> str:
    """The facilitator's screens show everyone's words as written."""
    return text
