"""Each member's word predictor, built off the GUI thread and kept up to date cheaply.

Learning a large project's words takes seconds (about 6 s at 100,000 texts), so it is never
done while a member waits for the keyboard: picking a member starts building their
predictor (general English, the project's words, their own history) in a background thread,
and each keyboard then only adds what was written since the last one. A keyboard opened
before the build is done gets general English and the prompt's keywords at once; the next
one gets the full predictor. Records from another machine keep their original times, so
a bundle's words join at the next member pick. No Qt here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from app.access.prediction import Predictor


class WordSource(Protocol):
    """What the predictors read (the services' WordService)."""

    def member_texts(self, member_id: str) -> list[str]: ...
    def project_texts_since(
        self, project_id: str, since: datetime | None
    ) -> tuple[list[str], datetime | None]: ...


@dataclass
class _Build:
    member_id: str | None
    done: threading.Event = field(default_factory=threading.Event)
    predictor: Predictor | None = None
    until: datetime | None = None


class MemberPredictors:
    """The predictor for whoever is taking part (see the module's docstring)."""

    def __init__(self, base: Predictor, words: Callable[[], WordSource], project_id: str,
                 wait_s: float = 0.15) -> None:
        self.base = base
        self._words = words
        self.project_id = project_id
        self.wait_s = wait_s  # how long a keyboard may wait for a build still running
        self._build: _Build | None = None

    def switch(self, project_id: str) -> None:
        """Another project is open: its words, from the next build on."""
        self.project_id = project_id
        self._build = None

    def prepare(self, member_id: str | None) -> None:
        """Start building this member's predictor in the background (when they are picked)."""
        build = _Build(member_id)
        self._build = build
        threading.Thread(target=self._run, args=(build,), name="predictor-build", daemon=True).start()

    def _run(self, build: _Build) -> None:
        try:
            words = self._words()
            predictor = self.base.fresh()
            if build.member_id is not None:
                for index, text in enumerate(words.member_texts(build.member_id)):
                    if index % 64 == 63:
                        time.sleep(0)
                    predictor.learn(text)
            texts, build.until = words.project_texts_since(self.project_id, None)
            # sleep(0) hands the interpreter to the window's thread whenever it is waiting, so
            # screens stay quick while a large project's words are learned.
            predictor.set_project_words(texts, pause=lambda: time.sleep(0))
            build.predictor = predictor
        except Exception:  # noqa: BLE001 - the keyboard then uses general English; never crash
            build.predictor = None
        finally:
            build.done.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the build in progress (for tests and benchmarks); True when it is done."""
        return self._build is None or self._build.done.wait(timeout)

    def current(self, member_id: str | None) -> Predictor:
        """The member's predictor with the words written since the last keyboard, or, if it is
        still being built after `wait_s`, a quick one (general English; the keyboard adds the
        prompt's keywords)."""
        build = self._build
        if build is None or build.member_id != member_id:
            self.prepare(member_id)
            build = self._build
        assert build is not None
        if not build.done.wait(self.wait_s) or build.predictor is None:
            # Never wait for the general word list either (about a second after start-up).
            return self.base.fresh() if self.base.loaded else Predictor(**self.base.settings)
        texts, build.until = self._words().project_texts_since(self.project_id, build.until)
        if texts:
            build.predictor.add_corpus(texts, build.predictor.settings["project_weight"])
        return build.predictor
