"""Pages of the review dashboard and the audit log are exact slices of the whole lists, and their
queries run along an index (no sort, no table scan) on SQLite."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from app.services.container import Services
from app.services.errors import DomainError, NotFound
from app.services.review.review_dto import FacilitatorSession
from app.services.review.review_pages import NO_THEME
from app.store.database import Store
from app.store.models import Comment, Contribution

from .conftest import Project


@pytest.fixture
def themed(services: Services, demo: Project, fs: FacilitatorSession, store: Store) -> dict[str, str]:
    """Twenty more keywords on "now": every third in "Rushed", one hidden, one commented, one withdrawn."""
    alex, sam = demo.member("Alex"), demo.member("Sam")
    ids = [services.contributions.add(alex if i % 2 else sam, demo.now, f"word {i}", anonymous=i == 4,
                                      meeting_id=demo.meeting if i % 5 == 0 else None).record_id
           for i in range(20)]
    rushed = services.review.create_theme(fs, demo.now, "Rushed").record_id
    other = services.review.create_theme(fs, demo.now, "Other").record_id
    services.review.move_to_theme(fs, ids[::3], rushed)
    services.review.move_to_theme(fs, ids[1:3], other)
    services.review.hide(fs, ids[3], "Names a carer")
    services.review.hide(fs, ids[5], "Off topic")
    services.contributions.endorse(alex, ids[6])
    services.contributions.endorse(demo.member("Kai"), ids[6])
    with store.transaction() as s:  # no screen comments on a keyword yet; a bundle may bring one
        s.add(Comment(contribution_id=ids[7], member_id=sam, text="Me as well"))
    return {"rushed": rushed, "other": other, "hidden": ids[3], "first": ids[0]}


def test_a_page_of_the_dashboard_is_a_slice_of_the_whole_review(
        services: Services, demo: Project, fs: FacilitatorSession, themed: dict[str, str]):
    whole = services.review.prompt_review(fs, demo.now)
    rushed = themed["rushed"]
    for theme, accept in ((None, lambda k: True), (rushed, lambda k: k.theme_id == rushed),
                          (NO_THEME, lambda k: k.theme_id is None)):
        wanted = [k for k in whole.keywords if accept(k)]
        seen = []
        for page in range(max(1, -(-len(wanted) // 7))):
            listing = services.review.keyword_page(fs, demo.now, page, 7, theme)
            assert list(listing.keywords) == wanted[page * 7:(page + 1) * 7]
            assert listing.total == len(wanted) and listing.hidden == sum(k.hidden for k in wanted)
            assert listing.all_keywords == len(whole.keywords) and listing.themes == whole.themes
            assert (listing.first, listing.last) == (page * 7 + 1, page * 7 + len(listing.keywords))
            assert listing.has_earlier == (page > 0) and listing.has_later == ((page + 1) * 7 < len(wanted))
            seen.extend(listing.keywords)
        assert seen == wanted  # every keyword is on one page, none twice
    assert services.review.keyword_page(fs, demo.now, 0, 7, themed["rushed"]).theme_name == "Rushed"
    assert services.review.keyword_page(fs, demo.now, 99, 7).page == (len(whole.keywords) - 1) // 7
    commented = next(k for k in whole.keywords if k.comments)
    assert [c.text for c in commented.comments] == ["Me as well"] and commented.comments[0].author == "Sam"
    assert any(len(k.endorsers) == 2 for k in whole.keywords) and any(k.meeting for k in whole.keywords)


def test_one_keyword_and_the_themes_are_read_alone(services: Services, demo: Project, fs: FacilitatorSession,
                                                   themed: dict[str, str], store: Store, other: Project):
    whole = {k.id: k for k in services.review.prompt_review(fs, demo.now).keywords}
    hidden = services.review.keyword(fs, demo.now, themed["hidden"])
    assert hidden == whole[themed["hidden"]] and hidden.hidden and hidden.hidden_reason == "Names a carer"
    assert all(services.review.keyword(fs, demo.now, cid) == row for cid, row in whole.items())
    assert services.review.themes(fs, demo.now) == services.review.prompt_review(fs, demo.now).themes
    with store.transaction() as s:
        s.get(Contribution, themed["first"]).withdrawn = True
    with pytest.raises(NotFound):
        services.review.keyword(fs, demo.now, themed["first"])
    with pytest.raises(NotFound):
        services.review.keyword(fs, demo.future, themed["hidden"])
    with pytest.raises(NotFound):
        services.review.keyword_page(fs, demo.future, 0, 7, themed["rushed"])  # another question's theme
    with pytest.raises(NotFound):
        services.review.themes(fs, other.now)
    for page, per_page in ((-1, 5), (0, 0), (True, 5), (0, "5")):
        with pytest.raises(DomainError):
            services.review.keyword_page(fs, demo.now, page, per_page)
    empty = services.review.keyword_page(fs, demo.future, 0, 7, NO_THEME)
    assert empty.total == len(services.review.prompt_review(fs, demo.future).keywords)


def test_a_page_of_the_audit_log_is_a_slice_of_the_whole_log(services: Services, demo: Project,
                                                             fs: FacilitatorSession, themed: dict[str, str]):
    alex = demo.member("Alex")
    for member_id, action in ((None, None), (alex, None), (None, "contribution_added"),
                              (alex, "contribution_added"), (None, "no_such_action")):
        whole = services.facilitator.audit_log(fs, member_id=member_id, action=action)
        seen = []
        for page in range(max(1, -(-len(whole) // 6))):
            listing = services.facilitator.audit_page(fs, action, member_id, page, 6)
            assert list(listing.rows) == list(whole[page * 6:(page + 1) * 6])
            assert listing.total == len(whole) and (listing.action, listing.member_id) == (action, member_id)
            assert listing.has_newer == (page > 0) and listing.has_older == ((page + 1) * 6 < len(whole))
            seen.extend(listing.rows)
        assert seen == list(whole)  # the filters hold on every page
    log = services.facilitator.audit_log(fs)
    assert [(r.created_at, r.id) for r in log] == sorted(((r.created_at, r.id) for r in log), reverse=True)
    assert services.facilitator.audit_page(fs, page=999, per_page=6).page == (len(log) - 1) // 6
    assert services.facilitator.audit_actions(fs) == tuple(sorted({r.action for r in log}))
    for kwargs in ({"page": -1}, {"per_page": 0}, {"page": "2"}, {"member_id": 5}, {"action": ""}):
        with pytest.raises(DomainError):
            services.facilitator.audit_page(fs, **kwargs)


@contextmanager
def _statements(store: Store) -> Iterator[list[tuple[str, object]]]:
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def _plans(store: Store, call: Callable[[], object], table: str) -> list[str]:
    """The query plans of the statements `call` runs that read `table`."""
    with _statements(store) as seen:
        call()
    plans = []
    with store.engine.connect() as conn:
        for statement, parameters in seen:
            if f"FROM {table}" in statement and statement.lstrip().upper().startswith(("SELECT", "WITH")):
                rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
                plans.append(" | ".join(row[3] for row in rows))
    return plans


def test_pages_and_counts_read_along_an_index(services: Services, demo: Project, fs: FacilitatorSession,
                                              themed: dict[str, str], store: Store):
    if store.engine.dialect.name != "sqlite":
        pytest.skip("query plans are read from SQLite")
    with store.engine.connect() as conn:
        conn.execute(text("ANALYZE"))  # as a file in use for months would have been: plans must hold anyway
    calls = {
        "contribution": [lambda: services.review.keyword_page(fs, demo.now, 1, 5),
                         lambda: services.review.keyword_page(fs, demo.now, 1, 5, themed["rushed"]),
                         lambda: services.review.keyword_page(fs, demo.now, 0, 5, NO_THEME)],
        "event": [lambda: services.facilitator.audit_page(fs, page=1, per_page=5),
                  lambda: services.facilitator.audit_page(fs, "contribution_added", page=1, per_page=5),
                  lambda: services.facilitator.audit_page(fs, None, demo.member("Alex"), 0, 5),
                  lambda: services.facilitator.audit_actions(fs)],
    }
    for table, table_calls in calls.items():
        for call in table_calls:
            plans = _plans(store, call, table)
            assert plans
            for plan in plans:
                assert "TEMP B-TREE" not in plan, plan
                assert f"SCAN {table}" not in plan, plan
