"""How many switch activations and scan steps common tasks cost, on the real screens.

    python -m bench.journey_cost [--json]

A simulated one-switch user (auto-scan, default timings) starts on the prompt screen of
the demo project's "now" question each time and waits for the highlight to reach what
it wants, then presses. Steps are the automatic highlight moves it waits through;
activations are its switch presses. Time runs on a manual clock, so the figures do not
depend on the machine. Writing picks a prediction as soon as the wanted word shows.

Tasks: add the keyword "tickbox"; "me too" on the third tile; agree with the current
definition; add a sentence that starts from an unused keyword; in a running meeting on a vote
step, one dot on the third tile (`vote`) and "I need a break" (`ask_break`). Targets: agree and
"me too" in at most 4 activations each, vote and ask_break in at most 3.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.access.clock import ManualClock  # noqa: E402
from app.access.prediction import Predictor, SymspellPairs, WordfreqSource  # noqa: E402
from app.services.container import Services  # noqa: E402
from app.services.group.demo import create_demo  # noqa: E402
from app.speech.speaker import NullSpeaker  # noqa: E402
from app.store.database import Store, sqlite_url  # noqa: E402
from app.store.local_drafts import LocalDrafts  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.screens.write import WriteScreen  # noqa: E402

TARGETS = {"agree": 4, "me_too": 4, "vote": 3, "ask_break": 3}
MEETING_TASKS = ("vote", "ask_break")


class User:
    """Watches the highlight and presses switch 1 (Space) when it reaches the target."""

    def __init__(self, window: MainWindow, clock: ManualClock) -> None:
        self.window, self.clock = window, clock
        self.steps = 0
        self.activations = 0

    def focus(self) -> str:
        widget = QApplication.focusWidget()
        return widget.accessibleName() if widget is not None else ""

    def press(self) -> None:
        self.clock.advance(0.15)  # a human press takes a moment after the highlight arrives
        target = QApplication.focusWidget() or self.window
        QTest.keyPress(target, Qt.Key.Key_Space)
        QTest.keyRelease(target, Qt.Key.Key_Space)
        self.activations += 1

    def choose(self, name: str, limit: int = 500) -> None:
        for _ in range(limit):
            if self.focus() == name:
                self.press()
                return
            self.clock.run_until_next()
            self.steps += 1
        raise RuntimeError(f"the scan never reached {name!r}")

    def choose_tile(self, accept: Callable[[str], bool]) -> None:
        """Choose the first tile whose spoken name passes `accept`: its row, then the tile."""
        for group in self.window.current.scan_groups():
            for tile in group.items:
                if accept(tile.accessibleName()):
                    self.choose(group.label)
                    self.choose(tile.accessibleName())
                    return
        raise RuntimeError("no such tile")

    def write(self, word: str) -> None:
        """Type `word`, taking a prediction as soon as it shows; then done."""
        screen = self.window.current
        assert isinstance(screen, WriteScreen)
        while not screen.panel.text.lower().rstrip().endswith(word):
            predictions = [p.strip().lower() for p in screen.model.predictions]
            typed = screen.panel.text.lower().split()[-1:] or [""]
            if word in predictions:
                spoken = next(p for p in screen.model.predictions if p.strip().lower() == word)
                self.choose_tile(lambda name, s=spoken: name == s)
                continue
            letter = word[len(typed[0].rstrip())]
            self.choose_tile(lambda name, ch=letter: name == ch)
        self.choose_tile(lambda name: name == "done")


@dataclass
class Session:
    """Alex, in a fresh demo project, on the prompt screen of its "now" question."""

    window: MainWindow
    clock: ManualClock
    services: Services
    store: Store
    prompt_id: str


def open_session(folder: Path, predictor: Predictor, profile: dict[str, object]) -> Session:
    """A window over a new demo project in `folder`, Alex picked with `profile` (also the
    dwell bench's start)."""
    store = Store.open(sqlite_url(folder / "journey.db"))
    project_id = create_demo(store)
    services = Services.build(store)
    alex = next(m for m in services.projects.list_members(project_id) if m.display_name == "Alex")
    services.projects.save_profile(alex.id, profile)
    services.projects.start_session(alex.id)
    clock = ManualClock()
    window = MainWindow(services, NullSpeaker(), project_id, predictor, clock=clock,
                        local_drafts=LocalDrafts(folder / "unsaved.json"))
    window.resize(1280, 860)
    window.show()
    window.activateWindow()
    QApplication.processEvents()
    window.pick_member(services.projects.get_member(alex.id))
    now = next(p for p in services.projects.list_prompts(project_id) if p.pair_role == "now")
    window.show_prompt(now.id)
    return Session(window, clock, services, store, now.id)


def _session(folder: Path, predictor: Predictor, meeting: bool = False
             ) -> tuple[MainWindow, User, Services, Store]:
    session = open_session(folder, predictor, {"scan_mode": "auto"})
    if meeting:
        _vote_running(session)
    return session.window, User(session.window, session.clock), session.services, session.store


def _vote_running(session: Session) -> None:
    """The facilitator has started a meeting and moved the group to a vote on the question."""
    services, project_id = session.services, session.window.state.project_id
    facilitator = services.facilitator.set_passphrase(project_id, "bench passphrase, long enough").session
    meeting = services.meetings.plan(facilitator, date.today(), "Bench meeting").record_id
    step = services.meetings.add_step(facilitator, meeting, "vote", "Vote", session.prompt_id).record_id
    services.meetings.start(facilitator, meeting)
    services.meetings.move_to(facilitator, step)
    session.window.start_turn_in_meeting()  # what the poll does within a second


def _vote_third(u: User) -> None:
    """One dot on the third keyword tile of the vote."""
    from app.ui.screens.prompt import PromptScreen

    screen = u.window.current
    if not isinstance(screen, PromptScreen) or screen.dots is None:
        raise RuntimeError("the member's screen is not on the vote")
    third = screen.tiles[2].accessibleName()
    u.choose_tile(lambda n: n == third)
    if u.window.current.dots.left != screen.dots.left - 1:  # type: ignore[attr-defined]
        raise RuntimeError("no dot was put")


def measure(predictor: Predictor) -> dict[str, dict[str, int]]:
    """Run every task in a fresh demo project; activations and steps for each."""
    tasks: dict[str, Callable[[User], None]] = {
        "add_keyword": lambda u: (u.choose("Actions"), u.choose("✚ Add keyword"), u.write("tickbox")),
        "me_too": lambda u: u.choose_tile(lambda n: n.startswith("tickbox,")),
        "agree": lambda u: (u.choose("Actions"), u.choose("Our definition"),
                            u.choose("Where I stand"), u.choose("Agree")),
        "vote": _vote_third,
        "ask_break": lambda u: u.choose_tile(lambda n: n == "I need a break"),
        "add_sentence_from_keyword": lambda u: (
            u.choose("Actions"), u.choose("Our definition"),
            u.choose_tile(lambda n: n.startswith("Start from ")), u.choose_tile(lambda n: n == "done")),
    }
    results = {}
    for name, task in tasks.items():
        with tempfile.TemporaryDirectory() as folder:
            window, user, _services, store = _session(Path(folder), predictor, name in MEETING_TASKS)
            task(user)
            results[name] = {"activations": user.activations, "steps": user.steps}
            window.close()
            store.close()
    return results


def main(argv: list[str] | None = None) -> int:
    """Print the table (or JSON); exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args(argv)
    QApplication.instance() or QApplication([])
    results = measure(Predictor(WordfreqSource(), bigrams=SymspellPairs()))
    if args.json:
        print(json.dumps(results))
    else:
        print(f"{'task':28} {'activations':>12} {'steps':>7}  target")
        for name, r in results.items():
            target = f"<= {TARGETS[name]} activations" if name in TARGETS else ""
            print(f"{name:28} {r['activations']:>12} {r['steps']:>7}  {target}")
    missed = [n for n, limit in TARGETS.items() if results[n]["activations"] > limit]
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
