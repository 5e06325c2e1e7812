"""The review dashboard a page at a time: a prompt's keywords with their counts, "me too"s and themes.

A prompt may hold tens of thousands of keywords. A page reads only its own rows (and their
"me too"s, comments and meetings), and every count comes from one grouped query. Both run
along an index (ix_contribution_listing, ix_contribution_theme), so neither sorts the
prompt's keywords nor reads the table to count them.

The order is the dashboard's: oldest first, hidden keywords in their place (marked). A
filter shows one theme's keywords, or those in no theme (NO_THEME). Rows are the same
KeywordRow values `ReviewService.prompt_review` gives for the whole prompt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, union_all
from sqlalchemy.orm import Session

from app.services.dto import CommentInfo, PromptInfo
from app.services.errors import DomainError, NotFound
from app.services.group.projects import prompt_info
from app.services.review.review_dto import KeywordRow, ThemeInfo
from app.services.validation import check_id
from app.store.models import Comment, Contribution, Endorsement, Meeting, Member, Prompt, Theme

NO_THEME = "none"  # the filter for keywords in no theme
PER_PAGE = 40
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class KeywordPage:
    """One page of a prompt's keywords for the dashboard, with the counts of the whole prompt.

    `theme` is the filter: None for every keyword, NO_THEME, or a theme's id. `total` and
    `hidden` count the keywords the filter lets through (hidden ones included in `total`);
    `all_keywords` counts the prompt's keywords whatever the filter. Each theme's `count`
    is its visible keywords, as the group's screens show them.
    """

    prompt: PromptInfo
    keywords: tuple[KeywordRow, ...]
    themes: tuple[ThemeInfo, ...]
    theme: str | None
    total: int
    hidden: int
    all_keywords: int
    page: int
    per_page: int

    @property
    def first(self) -> int:
        """The number (from 1, oldest first) of the page's first keyword; 0 on an empty page."""
        return self.page * self.per_page + 1 if self.keywords else 0

    @property
    def last(self) -> int:
        """The number of the page's last keyword; 0 on an empty page."""
        return self.page * self.per_page + len(self.keywords)

    @property
    def has_earlier(self) -> bool:
        """True when a page of older keywords comes before this one."""
        return self.page > 0

    @property
    def has_later(self) -> bool:
        """True when a page of newer keywords comes after this one."""
        return (self.page + 1) * self.per_page < self.total

    @property
    def theme_name(self) -> str | None:
        """The name of the theme the filter shows (None when it shows every keyword or no theme)."""
        return next((t.name for t in self.themes if t.id == self.theme), None)


def check_page(page: object, per_page: object, what: str) -> tuple[int, int]:
    """`page` (from 0) and `per_page` (at least 1) as ints, else DomainError."""
    if (isinstance(page, bool) or not isinstance(page, int) or page < 0
            or isinstance(per_page, bool) or not isinstance(per_page, int) or per_page < 1):
        raise DomainError(f"That page of {what} is out of range.")
    return page, per_page


def keyword_page(s: Session, prompt: Prompt, page: int = 0, per_page: int = PER_PAGE,
                 theme: str | None = None) -> KeywordPage:
    """The `page`th page of the prompt's keywords the `theme` filter lets through (past the end: the last)."""
    page, per_page = check_page(page, per_page, "keywords")
    themes_rows = s.execute(select(Theme.id, Theme.name, Theme.position).where(Theme.prompt_id == prompt.id)
                            .order_by(Theme.position, Theme.created_at)).all()
    if theme is not None and theme != NO_THEME and theme not in {t.id for t in themes_rows}:
        raise NotFound("That theme belongs to another question.")
    visible: dict[str | None, int] = defaultdict(int)
    hidden: dict[str | None, int] = defaultdict(int)
    c = Contribution
    for theme_id, is_hidden, n in s.execute(  # every count at once, along ix_contribution_theme
        select(c.theme_id, c.hidden, func.count())
        .where(c.prompt_id == prompt.id, c.withdrawn.is_(False)).group_by(c.theme_id, c.hidden)
    ):
        (hidden if is_hidden else visible)[theme_id] += n
    themes = tuple(ThemeInfo(tid, prompt.id, name, position, visible[tid])
                   for tid, name, position in themes_rows)
    if theme is None:
        total, n_hidden = sum(visible.values()) + sum(hidden.values()), sum(hidden.values())
    else:
        key = None if theme == NO_THEME else theme
        total, n_hidden = visible[key] + hidden[key], hidden[key]
    page = min(page, max(0, (total - 1) // per_page))
    ids = _page_ids(s, prompt.id, theme, page * per_page, per_page)
    return KeywordPage(prompt_info(prompt), keyword_rows(s, prompt, ids), themes, theme, total, n_hidden,
                       sum(visible.values()) + sum(hidden.values()), page, per_page)


def _page_ids(s: Session, prompt_id: str, theme: str | None, offset: int, limit: int) -> list[str]:
    """The ids of one page, oldest first: visible and hidden keywords each come in index order and
    are merged (one ORDER BY over both would sort every keyword of the prompt first)."""
    c = Contribution
    where: list[ColumnElement[bool]] = [c.prompt_id == prompt_id, c.withdrawn.is_(False)]
    if theme is not None:
        where.append(c.theme_id.is_(None) if theme == NO_THEME else c.theme_id == theme)
    parts = [select(c.id, c.created_at).where(*where, c.hidden.is_(flag)) for flag in (False, True)]
    merged = union_all(*parts)
    columns = merged.selected_columns
    return list(s.scalars(merged.order_by(columns.created_at, columns.id).limit(limit).offset(offset)))


def keyword_rows(s: Session, prompt: Prompt, ids: Sequence[str]) -> tuple[KeywordRow, ...]:
    """The prompt's keywords with these ids, in this order, as the dashboard shows them."""
    if not ids:
        return ()
    c = Contribution
    # By id alone: given the prompt too, SQLite would walk the prompt's index instead of the few ids.
    rows = {row[0]: row[:-2] for row in s.execute(
        select(c.id, c.text, c.kind, c.member_id, c.meeting_id, c.theme_id, c.hidden, c.hidden_reason,
               c.created_at, c.prompt_id, c.withdrawn).where(c.id.in_(ids)))
        if row[-2] == prompt.id and not row[-1]}
    names = dict(s.execute(select(Member.id, Member.display_name)
                           .where(Member.project_id == prompt.project_id)).all())
    themes = dict(s.execute(select(Theme.id, Theme.name).where(Theme.prompt_id == prompt.id)).all())
    meeting_ids = {row[4] for row in rows.values() if row[4] is not None}
    meetings = {m.id: f"{m.title or 'Meeting'} ({m.held_on})"
                for m in s.scalars(select(Meeting).where(Meeting.id.in_(meeting_ids)))} if meeting_ids else {}
    endorsers: dict[str, list[str]] = defaultdict(list)
    for cid, name in s.execute(
        select(Endorsement.contribution_id, Member.display_name)
        .join(Member, Member.id == Endorsement.member_id)
        .where(Endorsement.contribution_id.in_(list(rows)), Endorsement.active.is_(True))
        .order_by(Member.position, Member.display_name)
    ):
        endorsers[cid].append(name or ANONYMOUS)
    comments: dict[str, list[CommentInfo]] = defaultdict(list)
    for comment_id, cid, member_id, text, created_at in s.execute(
        select(Comment.id, Comment.contribution_id, Comment.member_id, Comment.text, Comment.created_at)
        .where(Comment.contribution_id.in_(list(rows))).order_by(Comment.created_at, Comment.id)
    ):
        comments[cid].append(CommentInfo(comment_id, names.get(member_id) if member_id else None, text,
                                         created_at))
    out = []
    for cid in ids:
        if cid not in rows:
            continue
        _id, text, kind, member_id, meeting_id, theme_id, is_hidden, reason, created_at = rows[cid]
        who = tuple(endorsers[cid])
        out.append(KeywordRow(
            id=cid, prompt_id=prompt.id, text=text, kind=kind,
            author=names.get(member_id) if member_id is not None else None,
            endorsements=len(who), endorsers=who, meeting_id=meeting_id,
            meeting=meetings.get(meeting_id) if meeting_id is not None else None,
            theme_id=theme_id, theme=themes.get(theme_id) if theme_id is not None else None,
            hidden=is_hidden, hidden_reason=reason, created_at=created_at, comments=tuple(comments[cid]),
        ))
    return tuple(out)


def prompt_themes(s: Session, prompt_id: str) -> tuple[ThemeInfo, ...]:
    """The prompt's themes in order, each with its visible keywords counted (one grouped query)."""
    c = Contribution
    counts = dict(s.execute(
        select(c.theme_id, func.count())
        .where(c.prompt_id == prompt_id, c.withdrawn.is_(False), c.theme_id.is_not(None), c.hidden.is_(False))
        .group_by(c.theme_id)).all())
    return tuple(ThemeInfo(t.id, t.prompt_id, t.name, t.position, counts.get(t.id, 0))
                 for t in s.scalars(select(Theme).where(Theme.prompt_id == prompt_id)
                                    .order_by(Theme.position, Theme.created_at)))


def find_keyword(s: Session, prompt: Prompt, contribution_id: object) -> KeywordRow:
    """One of the prompt's keywords (hidden or not; never a withdrawn one), else NotFound."""
    rows = keyword_rows(s, prompt, [check_id(contribution_id, "contribution")])
    if not rows:
        raise NotFound("That keyword is not one of this question's.")
    return rows[0]
