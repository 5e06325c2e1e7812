"""The words the keyboard learns from: the prompt's keywords (capped) and texts since a time."""

from __future__ import annotations

from app.services.container import Services

from .conftest import Project


def test_texts_since_a_time_are_only_the_newer_ones(services: Services, demo: Project) -> None:
    everything, newest = services.words.project_texts_since(demo.id, None)
    assert sorted(everything) == sorted(services.words.project_texts(demo.id))
    assert services.words.project_texts_since(demo.id, newest) == ([], newest)
    services.contributions.add(demo.member("Alex"), demo.now, "zebracrossing")
    later, newer = services.words.project_texts_since(demo.id, newest)
    assert later == ["zebracrossing"] and newer is not None and newer > newest


def test_a_prompt_s_keywords_are_capped_at_the_most_agreed_oldest_first(services: Services,
                                                                        demo: Project) -> None:
    everything = services.words.prompt_keywords(demo.now)
    assert len(everything) == len(set(everything)) > 3
    added = [services.contributions.add(demo.member("Sam"), demo.now, f"word{n}") for n in range(3)]
    services.contributions.endorse(demo.member("Alex"), added[2].record_id, on=True)
    services.contributions.endorse(demo.member("Priya"), added[2].record_id, on=True)
    top = services.words.prompt_keywords(demo.now, limit=2)
    assert "word2" in top and len(top) == 2
    first = services.words.prompt_keywords(demo.now, limit=len(everything) + 3)
    assert first[: len(everything)] == everything and first[-3:] == ["word0", "word1", "word2"]
