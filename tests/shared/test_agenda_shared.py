"""A meeting's custom agenda and its time record on a shared PostgreSQL database, each person with
their own login: the facilitator's login renames, sets a vote's dots, moves and removes steps and
keeps preparation time in the involvement record; a member's login follows the custom steps but
the engine refuses it any change to the agenda and any sight of the time record (raw SQL, as an
attacker would)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from psycopg import errors

from app.services.container import Services
from app.services.errors import DomainError
from app.store.database import Store
from tests.shared.conftest import Shared


@pytest.fixture(scope="module")
def logins(shared: Shared, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Services]]:
    stores = {}
    for who in ("facilitator", "Alex"):
        stores[who] = Store.open(shared.logins[who])
        stores[who].data_path = tmp_path_factory.mktemp(who)
    yield {who: Services.build(store) for who, store in stores.items()}
    for store in stores.values():
        store.close()


def test_a_custom_agenda_with_each_login(shared: Shared, logins: dict[str, Services]):
    f, alex_app = logins["facilitator"], logins["Alex"]
    project = f.projects.list_projects()[0].id
    result = f.facilitator.set_passphrase(project, "a long enough passphrase")
    if not result.ok:
        result = f.facilitator.unlock(project, "a long enough passphrase")
    session = result.session
    prompt = next(p.id for p in f.projects.list_prompts(project) if p.pair_role == "now")
    alex = {m.display_name: m.id for m in f.projects.list_members(project)}["Alex"]
    meeting = f.meetings.plan(session, date(2026, 12, 3), "Agenda meeting").record_id
    talk = f.meetings.add_step(session, meeting, "talk", "Introductions").record_id
    pause = f.meetings.add_step(session, meeting, "break", "Break").record_id
    vote = f.meetings.add_step(session, meeting, "vote", "Vote", prompt).record_id
    f.meetings.rename_step(session, vote, "Which words matter most")
    f.meetings.set_vote(session, vote, 5, several_on_one=False)
    f.meetings.move_step(session, vote, -1)
    f.meetings.remove_step(session, pause)
    assert [(s.position, s.title) for s in f.meetings.meeting(session, meeting).steps] == [
        (1, "Introductions"), (2, "Which words matter most")]
    f.meetings.start(session, meeting)
    f.meetings.move_to(session, vote)
    live = alex_app.live.running(project)  # the member's screen follows the custom step
    assert (live.current.title, live.current.dots, live.current.several_on_one) == (
        "Which words matter most", 5, False)
    assert alex_app.live.dots(alex, vote).left == 5

    with psycopg.connect(shared.psycopg("Alex"), autocommit=True) as conn:
        for sql, args in [
            ("UPDATE agenda_step SET dots = 20 WHERE id = %s RETURNING id", (vote,)),
            ("UPDATE agenda_step SET position = 9 WHERE id = %s RETURNING id", (talk,)),
            ("DELETE FROM agenda_step WHERE id = %s RETURNING id", (talk,)),
        ]:
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(sql, args)
    assert [s.dots for s in f.meetings.meeting(session, meeting).steps] == [3, 5]

    f.meetings.set_attendance(session, meeting, alex, minutes=50)
    f.involvement.set_preparation(session, alex, meeting, 90)
    f.involvement.set_preparation(session, alex, meeting, 45)  # the same entry, changed
    assert f.involvement.meeting_preparation(session, meeting) == {alex: 45}
    with psycopg.connect(shared.psycopg("Alex"), autocommit=True) as conn:
        for table in ("involvement", "attendance"):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(f"SELECT * FROM {table}")  # noqa: S608 - a fixed table name
    f.meetings.end(session, meeting)
    with pytest.raises(DomainError, match="has ended"):
        f.meetings.rename_step(session, vote, "Later")
