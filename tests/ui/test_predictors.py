"""Each member's predictor: built in the background, caught up with new words at each keyboard,
and never waited for long."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from app.access.prediction import Predictor, WordfreqSource
from app.services.container import Services
from app.services.group.demo import create_demo
from app.store.database import Store, sqlite_url
from app.ui.predictors import MemberPredictors

from .conftest import SMALL_ENGLISH


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Services, str, str]]:
    store = Store.open(sqlite_url(tmp_path / "canvas.db"))
    project_id = create_demo(store)
    services = Services.build(store)
    alex = next(m.id for m in services.projects.list_members(project_id) if m.display_name == "Alex")
    try:
        yield services, project_id, alex
    finally:
        store.close()


def test_the_project_s_words_and_what_is_written_later_are_predicted(demo) -> None:
    services, project_id, alex = demo
    predictors = MemberPredictors(Predictor(SMALL_ENGLISH), lambda: services.words, project_id, wait_s=30)
    predictors.prepare(alex)
    assert predictors.wait(30)
    assert "tickbox" in predictors.current(alex).predict("tick")
    now = next(p.id for p in services.projects.list_prompts(project_id) if p.pair_role == "now")
    services.contributions.add(alex, now, "zebracrossing care")
    predictor = predictors.current(alex)
    assert predictor is predictors.current(alex)  # kept, not rebuilt
    assert "zebracrossing" in predictor.predict("zebra")


class SlowWords:
    """The project's words take as long as the test says."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.release = threading.Event()

    def member_texts(self, member_id: str) -> list[str]:
        return self.services.words.member_texts(member_id)

    def project_texts_since(self, project_id: str, since: datetime | None
                            ) -> tuple[list[str], datetime | None]:
        self.release.wait(30)
        return self.services.words.project_texts_since(project_id, since)


def test_a_keyboard_does_not_wait_for_a_slow_build(demo) -> None:
    services, project_id, alex = demo
    slow = SlowWords(services)
    predictors = MemberPredictors(Predictor(SMALL_ENGLISH), lambda: slow, project_id, wait_s=0.01)
    predictors.prepare(alex)
    quick = predictors.current(alex)
    assert "tickbox" not in quick.predict("tick")  # general English only, at once
    assert "care" in quick.predict("car")
    slow.release.set()
    assert predictors.wait(30)
    assert "tickbox" in predictors.current(alex).predict("tick")


def test_another_member_gets_their_own_predictor(demo) -> None:
    services, project_id, alex = demo
    sam = next(m.id for m in services.projects.list_members(project_id) if m.display_name == "Sam")
    predictors = MemberPredictors(Predictor(SMALL_ENGLISH), lambda: services.words, project_id, wait_s=30)
    predictors.prepare(alex)
    alexs = predictors.current(alex)
    sams = predictors.current(sam)
    assert sams is not alexs and predictors.current(sam) is sams


class SlowEnglish(WordfreqSource):
    """General English that takes as long as the test says to load."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def load(self) -> list[tuple[str, float]]:
        self.release.wait(30)
        return [("the", 0.05), ("care", 0.001), ("people", 0.001)]


def test_a_keyboard_does_not_wait_for_the_general_word_list_either(demo) -> None:
    services, project_id, alex = demo
    english = SlowEnglish()
    base = Predictor(english)
    loading = threading.Thread(target=base.load, daemon=True)
    loading.start()  # as main.py loads it once the first screen is drawn
    predictors = MemberPredictors(base, lambda: services.words, project_id, wait_s=0.01)
    predictors.prepare(alex)
    quick = predictors.current(alex)  # returns at once: nothing to wait for
    assert not base.loaded and quick.predict("peo") == []
    english.release.set()
    loading.join(30)
    assert predictors.wait(30)
    full = predictors.current(alex)
    assert "people" in full.predict("peo") and "tickbox" in full.predict("tick")
