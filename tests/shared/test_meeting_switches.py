"""The issue's switch-only meeting with three members on a shared PostgreSQL database, each
member at their own window on their own login, the facilitator on theirs: the facilitator starts
it and hides keywords, each member's window follows and adds one keyword by switch (seeing how
many have added), the vote reveals them, each spends three dots, the results are revealed, one
member asks for a break and the facilitator answers; then the stored attendance, votes and asks
and the exports are checked by the same helper as on one computer (tests/ui/meeting_record.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from app.services.container import Services
from app.services.group.demo import DEMO_NAME
from app.store import shared_admin
from app.store.database import Store
from app.ui.screens.prompt import PromptScreen
from app.ui.screens.write import WriteScreen
from tests.meeting_setup import plan_meeting
from tests.shared.conftest import Shared
from tests.shared.member_window import member_window, take_the_switch
from tests.ui.conftest import App, choose_key
from tests.ui.meeting_record import check_meeting_record

MEMBERS = ("Alex", "Sam", "Jordan")


@pytest.fixture
def logins(shared: Shared, tmp_path: Path) -> Iterator[dict[str, Services]]:
    urls = {**shared.logins, "Jordan": shared_admin.add_member(shared.admin, DEMO_NAME, "Jordan").url}
    stores = {}
    for who in ("facilitator", *MEMBERS):
        stores[who] = Store.open(urls[who])
        stores[who].data_path = tmp_path / who
    yield {who: Services.build(store) for who, store in stores.items()}
    for store in stores.values():
        store.close()


def _texts(app: App) -> str:
    return " ".join(label.text() for label in app.window.current.findChildren(QLabel))


def _on_prompt(app: App, ready) -> bool:  # noqa: ANN001 - a test of the screen
    screen = app.window.current
    return isinstance(screen, PromptScreen) and ready(screen)


def test_a_switch_only_meeting_with_three_members_on_a_shared_database(qtbot, logins, tmp_path: Path):
    f = logins["facilitator"]
    project = f.projects.list_projects()[0].id
    people = {m.display_name: m.id for m in f.projects.list_members(project)}
    planned = plan_meeting(f, project, "Switch meeting",
                           ("keywords", "Keywords for NOW", {"think_first": True}),
                           ("vote", "Vote", {"dots": 3}), start=False)
    fs, meeting, (keywords, vote) = planned.session, planned.meeting, planned.steps
    apps = {name: member_window(qtbot, logins[name], project, name, tmp_path) for name in MEMBERS}
    f.meetings.start(fs, meeting)
    f.meetings.move_to(fs, keywords)

    for before, name in enumerate(MEMBERS):
        app = apps[name]
        qtbot.waitUntil(lambda app=app: _on_prompt(app, lambda s: s.added is not None), timeout=2500)
        qtbot.waitUntil(lambda app=app, n=before: f"{n} of 5" in _texts(app), timeout=2500)
        take_the_switch(app)
        choose_key(app, "✚ Add keyword")
        assert isinstance(app.window.current, WriteScreen)
        for ch in f"idea {name.lower()}"[:7]:
            choose_key(app, "space" if ch == " " else ch)
        choose_key(app, "done")
        qtbot.waitUntil(lambda app=app, n=before: f"{n + 1} of 5" in _texts(app), timeout=2500)
        f.meetings.set_attendance(fs, meeting, people[name])
    assert f.meetings.keywords_added(fs, keywords) == (3, 3)
    f.meetings.move_to(fs, vote)  # reveals the keywords too

    for name in MEMBERS:
        app = apps[name]
        qtbot.waitUntil(lambda app=app: _on_prompt(app, lambda s: s.dots is not None and len(s.tiles) >= 3),
                        timeout=2500)  # each window followed the group to the vote
        take_the_switch(app)
        for _ in range(3):
            tile = next(t.accessibleName() for t in app.window.tiles()
                        if t.accessibleName().lower().startswith("idea a"))
            choose_key(app, tile)  # two activations a dot
        assert app.window.current.dots.left == 0
        assert app.window.status.text().endswith("0 dots left.")
    choose_key(apps["Jordan"], "I need a break")  # Jordan asks: two activations
    [ask] = f.meetings.waiting_asks(fs, meeting)
    assert ask.spoken() == "Jordan: I need a break"  # the facilitator's login sees it
    f.meetings.reveal(fs, vote)
    f.meetings.answer(fs, ask.id)
    qtbot.waitUntil(lambda: _on_prompt(apps["Sam"], lambda s: s.dots is None), timeout=2500)
    [top] = logins["Sam"].live.results(people["Sam"], vote)
    assert top.dots == 9 and top.text.lower().startswith("idea a")
    assert f"9  {top.text}" in _texts(apps["Sam"])  # the results, on Sam's screen by Sam's login
    f.meetings.end(fs, meeting)
    check_meeting_record(f, fs, f.projects.store, meeting, "Switch meeting", MEMBERS, top.text, "Jordan",
                         tmp_path)
    for app in apps.values():
        app.window.close()
    QApplication.processEvents()
