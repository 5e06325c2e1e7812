"""Pages of keywords, versions and history give exactly the matching part of the whole lists."""

from __future__ import annotations

import pytest

from app.services.container import Services
from app.services.errors import DomainError, NotFound
from app.services.review.review_dto import FacilitatorSession

from .conftest import Project


@pytest.fixture
def versions(services: Services, demo: Project) -> list[str]:
    """Eleven versions of the "now" definition, oldest first; 4 and 5 are siblings (both from 3)."""
    alex, sam = demo.member("Alex"), demo.member("Sam")
    ids = [services.drafts.list_versions(demo.now)[0].id]
    for i in range(2, 12):
        parent = ids[2] if i == 5 else ids[-1]
        ids.append(services.drafts.save_version(alex if i % 2 else sam, demo.now, f"Version {i} text.",
                                                parent, f"note {i}").record_id)
    services.drafts.set_stance(sam, ids[3], "agree")
    services.drafts.comment(alex, ids[9], "Nearly there.")
    return ids


def test_a_page_of_keywords_is_a_slice_of_the_whole_list(services: Services, demo: Project):
    alex, sam = demo.member("Alex"), demo.member("Sam")
    for i in range(12):
        services.contributions.add(alex, demo.now, f"word {i}")
    whole = services.contributions.list_for_prompt(demo.now, sam)
    for offset in (0, 5, 15, len(whole), len(whole) + 3):
        page = services.contributions.page_for_prompt(demo.now, sam, offset, 5)
        assert list(page.items) == whole[offset:offset + 5]
        assert page.total == len(whole) and page.offset == offset
    for offset, limit in ((-1, 5), (0, 0), (True, 5), (0, "5")):
        with pytest.raises(DomainError):
            services.contributions.page_for_prompt(demo.now, sam, offset, limit)


def test_a_page_of_versions_is_newest_first_with_numbers_siblings_and_stances(
        services: Services, demo: Project, versions: list[str]):
    first = services.drafts.version_page(demo.now, 0, 4)
    assert [e.version.id for e in first.entries] == versions[::-1][:4]
    assert [e.number for e in first.entries] == [11, 10, 9, 8]
    assert first.total == 11 and not first.has_newer and first.has_older
    whole = {v.id: v for v in services.drafts.list_versions(demo.now)}
    second = services.drafts.version_page(demo.now, 1, 4)
    assert [e.number for e in second.entries] == [7, 6, 5, 4]
    assert all(e.version == whole[e.version.id] for e in second.entries)
    by_number = {e.number: e for e in second.entries}
    assert by_number[5].sibling_numbers == (4,) and by_number[4].sibling_numbers == (5,)
    assert by_number[6].sibling_numbers == ()
    stances = services.drafts.version_page(demo.now, 2, 4)
    assert [e.number for e in stances.entries] == [3, 2, 1] and not stances.has_older and stances.has_newer
    assert by_number[4].stances.counts["agree"] == 1
    for entry in (*first.entries, *second.entries, *stances.entries):
        assert entry.stances == services.drafts.stance_summary(entry.version.id)


def test_the_chosen_version_comes_whatever_the_page_and_past_the_end_is_the_last_page(
        services: Services, demo: Project, versions: list[str]):
    page = services.drafts.version_page(demo.now, 0, 4, chosen=versions[0])
    assert page.chosen is not None and page.chosen.number == 1 and page.chosen.version.id == versions[0]
    assert services.drafts.version_page(demo.now, 0, 4, chosen=versions[-1]).chosen.number == 11
    assert services.drafts.version_page(demo.now, 0, 4, chosen="not-a-version").chosen is None
    late = services.drafts.version_page(demo.now, 99, 4)
    assert late.page == 2 and [e.number for e in late.entries] == [3, 2, 1]
    assert services.drafts.version_page(demo.future).entries == ()
    with pytest.raises(DomainError):
        services.drafts.version_page(demo.now, -1)
    assert services.drafts.current_version(demo.now).id == versions[-1]
    assert services.drafts.current_version(demo.future) is None


def test_a_page_of_history_holds_the_same_nodes_as_the_whole_history(
        services: Services, demo: Project, versions: list[str], fs: FacilitatorSession):
    services.review.set_decision(fs, versions[4], "agreed")
    services.review.set_note(fs, versions[7], "Check the wording.")
    whole = services.review.history(fs, demo.now)
    nodes = {v.id: v for v in whole.versions}
    pages = [services.review.history_page(fs, demo.now, p, 4) for p in range(3)]
    numbers = [[v.number for v in p.history.versions] for p in pages]
    assert numbers == [[8, 9, 10, 11], [4, 5, 6, 7], [1, 2, 3]]
    for page in pages:
        assert page.total == 11
        assert all(v == nodes[v.id] for v in page.history.versions)
        assert (page.history.current_id, page.history.chosen_id, page.history.chosen_kind) == (
            whole.current_id, whole.chosen_id, whole.chosen_kind)
    assert pages[0].has_older and not pages[0].has_newer and pages[2].has_newer and not pages[2].has_older
    assert services.review.history_page(fs, demo.now, 50, 4).page == 2
    assert services.review.history_page(fs, demo.future).history.versions == ()


def test_one_version_and_the_list_to_compare_with(services: Services, demo: Project, versions: list[str],
                                                  fs: FacilitatorSession, other: Project):
    whole = {v.id: v for v in services.review.history(fs, demo.now).versions}
    assert services.review.version_node(fs, demo.now, versions[9]) == whole[versions[9]]
    refs = services.review.version_refs(fs, demo.now)
    assert [r.id for r in refs] == versions and [r.number for r in refs] == list(range(1, 12))
    assert [r.author for r in refs] == [whole[v].author for v in versions]
    with pytest.raises(NotFound):
        services.review.version_node(fs, demo.future, versions[9])
    with pytest.raises(NotFound):
        services.review.version_refs(fs, other.now)
