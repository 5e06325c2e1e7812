"""Searching contributions: case ignored, substring, what the group sees only, a page at a time."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import update

from app.services.container import Services
from app.services.errors import DomainError
from app.services.group.demo import NOW_KEYWORDS
from app.services.group.search import MAX_LIMIT, SearchPage
from app.store.database import Store
from app.store.models import MAX_CONTRIBUTION, Contribution

from .conftest import Project


def texts(page: SearchPage) -> list[str]:
    return [c.text for c in page.results]


def test_a_search_finds_a_piece_of_the_text_whatever_its_case(services: Services, demo: Project):
    assert texts(services.search.search(demo.id, "HEALTH")) == ["health before social"]
    assert texts(services.search.search(demo.id, "ick")) == ["tickbox"]
    assert texts(services.search.search(demo.id, "  Fight  ")) == ["fighting for care"]  # ends trimmed
    assert texts(services.search.search(demo.id, "nothing like this")) == []


def test_results_are_oldest_first_with_what_a_tile_shows(services: Services, demo: Project):
    alex, sam = demo.member("Alex"), demo.member("Sam")
    services.contributions.add(sam, demo.future, "caring neighbours", anonymous=True)
    mine = services.contributions.add(alex, demo.now, "care homes").record_id
    services.contributions.toggle_endorsement(sam, mine)
    page = services.search.search(demo.id, "car", viewer_id=sam)
    assert texts(page) == ["fighting for care", "caring neighbours", "care homes"]
    found = {c.text: c for c in page.results}
    assert found["caring neighbours"].author is None and found["caring neighbours"].prompt_id == demo.future
    assert found["care homes"].author == "Alex" and found["care homes"].endorsements == 1
    assert found["care homes"].endorsed_by_viewer and not found["fighting for care"].endorsed_by_viewer
    tiles = {c.id: c for c in services.contributions.list_for_prompt(demo.now, sam)}
    assert found["care homes"] == tiles[mine]
    assert found["fighting for care"] == tiles[found["fighting for care"].id]


def test_only_what_the_group_sees_and_only_this_project(store: Store, services: Services, demo: Project,
                                                        other: Project):
    session = services.facilitator.set_passphrase(demo.id, "a long passphrase").session
    hidden = next(c for c in services.contributions.list_for_prompt(demo.now) if c.text == "tickbox")
    services.review.hide(session, hidden.id, "names a person")
    with store.transaction() as s:
        s.execute(update(Contribution).where(Contribution.text == "patronising").values(withdrawn=True))
    assert texts(services.search.search(demo.id, "tickbox")) == []
    assert texts(services.search.search(demo.id, "patronising")) == []
    assert texts(services.search.search(other.id, "unheard")) == ["unheard"]  # the other project's own
    assert [c.prompt_id for c in services.search.search(demo.id, "unheard").results] == [demo.now]


def test_one_question_only(services: Services, demo: Project):
    services.contributions.add(demo.member("Alex"), demo.future, "unheard no more")
    assert texts(services.search.search(demo.id, "unheard")) == ["unheard", "unheard no more"]
    assert texts(services.search.search(demo.id, "unheard", prompt_id=demo.future)) == ["unheard no more"]


def test_pages(services: Services, demo: Project):
    alex = demo.member("Alex")
    for i in range(7):
        services.contributions.add(alex, demo.now, f"page word {i}")
    first = services.search.search(demo.id, "page word", limit=3)
    assert texts(first) == ["page word 0", "page word 1", "page word 2"]
    assert first.has_more and first.next_offset == 3
    last = services.search.search(demo.id, "page word", limit=3, offset=6)
    assert texts(last) == ["page word 6"] and not last.has_more and last.next_offset is None
    assert services.search.search(demo.id, "page word", limit=3, offset=50).results == ()
    every = services.search.search(demo.id, "page word", limit=MAX_LIMIT)
    assert len(every.results) == 7 and not every.has_more


def test_wildcards_are_plain_characters(services: Services, demo: Project):
    alex = demo.member("Alex")
    for text in ("100% heard", "1000 heard", "snake_case", "snakeXcase", "either/or"):
        services.contributions.add(alex, demo.now, text)
    assert texts(services.search.search(demo.id, "0%")) == ["100% heard"]
    assert texts(services.search.search(demo.id, "e_c")) == ["snake_case"]
    assert texts(services.search.search(demo.id, "r/o")) == ["either/or"]


def test_letters_beyond_ascii_ignore_case_too(services: Services, demo: Project):
    alex = demo.member("Alex")
    for text in ("Café culture", "CAFÉ TIME", "cafe plain", "GROSSE Sorge", "naïve"):
        services.contributions.add(alex, demo.now, text)
    assert texts(services.search.search(demo.id, "café")) == ["Café culture", "CAFÉ TIME"]
    assert texts(services.search.search(demo.id, "cafe")) == ["cafe plain"]
    assert texts(services.search.search(demo.id, "große")) == ["GROSSE Sorge"]  # ß folds to ss
    assert texts(services.search.search(demo.id, "NAÏ")) == ["naïve"]
    page = services.search.search(demo.id, "É", limit=1, offset=1)
    assert texts(page) == ["CAFÉ TIME"] and not page.has_more


def test_a_blank_search_finds_nothing(services: Services, demo: Project):
    page = services.search.search(demo.id, "   ")
    assert page.results == () and not page.has_more


@pytest.mark.parametrize("call", [
    lambda sv, p: sv.search.search(p.id, "care", limit=0),
    lambda sv, p: sv.search.search(p.id, "care", limit=MAX_LIMIT + 1),
    lambda sv, p: sv.search.search(p.id, "care", limit=True),
    lambda sv, p: sv.search.search(p.id, "care", offset=-1),
    lambda sv, p: sv.search.search(p.id, "care", offset=1.5),
    lambda sv, p: sv.search.search(p.id, None),
    lambda sv, p: sv.search.search(p.id, "x" * (MAX_CONTRIBUTION + 1)),
    lambda sv, p: sv.search.search(p.id, "care\x00"),
    lambda sv, p: sv.search.search("not an id\n", "care"),
    lambda sv, p: sv.search.search(p.id, "care", prompt_id=["a list"]),
])
def test_bad_requests_are_refused_plainly(services: Services, demo: Project, call):
    with pytest.raises(DomainError):
        call(services, demo)


def test_an_unknown_project_finds_nothing(services: Services, demo: Project):
    assert services.search.search(str(uuid.uuid4()), "care").results == ()
    everything = services.search.search(demo.id, "e", limit=MAX_LIMIT, prompt_id=demo.now)
    assert texts(everything) == [k for k in NOW_KEYWORDS if "e" in k]
