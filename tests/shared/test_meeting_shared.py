"""The live meeting on a shared PostgreSQL database, each person with their own login: the
services work, and the engine itself keeps dots secret until the reveal, others' keywords back
during a think-first step, asks to their askers and attendance to the facilitator (raw SQL under
a member's login, as an attacker would)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from psycopg import errors

from app.services.container import Services
from app.store.database import Store
from tests.shared.conftest import Shared

DENIED = (errors.InsufficientPrivilege,)


@pytest.fixture(scope="module")
def logins(shared: Shared, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Services]]:
    stores = {}
    for who in ("facilitator", "Alex", "Sam"):
        stores[who] = Store.open(shared.logins[who])
        stores[who].data_path = tmp_path_factory.mktemp(who)
    yield {who: Services.build(store) for who, store in stores.items()}
    for store in stores.values():
        store.close()


def _raw(shared: Shared, who: str) -> psycopg.Connection:
    return psycopg.connect(shared.psycopg(who), autocommit=True)


def test_a_meeting_with_each_login(shared: Shared, logins: dict[str, Services]):
    f, alex_app, sam_app = logins["facilitator"], logins["Alex"], logins["Sam"]
    project = f.projects.list_projects()[0].id
    result = f.facilitator.set_passphrase(project, "a long enough passphrase")
    if not result.ok:
        result = f.facilitator.unlock(project, "a long enough passphrase")
    session = result.session
    prompt = next(p.id for p in f.projects.list_prompts(project) if p.pair_role == "now")
    members = {m.display_name: m.id for m in f.projects.list_members(project)}
    alex, sam = members["Alex"], members["Sam"]
    meeting = f.meetings.plan(session, date(2026, 12, 2), "Shared meeting").record_id
    keywords = f.meetings.add_step(session, meeting, "keywords", "Keywords", prompt,
                                   think_first=True).record_id
    vote = f.meetings.add_step(session, meeting, "vote", "Vote", prompt, dots=3).record_id
    f.meetings.start(session, meeting)
    f.meetings.move_to(session, keywords)
    assert sam_app.live.running(project).current.id == keywords  # the member's screen can follow
    mine = alex_app.contributions.add(alex, prompt, "alex thinks first").record_id
    sams = sam_app.contributions.add(sam, prompt, "sam thinks first").record_id
    assert "alex thinks first" not in {c.text for c in sam_app.contributions.list_for_prompt(prompt, sam)}
    with _raw(shared, "Sam") as conn:  # the engine keeps Alex's keyword from Sam's login
        assert conn.execute("SELECT count(*) FROM contribution WHERE id = %s", (mine,)).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM contribution WHERE id = %s", (sams,)).fetchone()[0] == 1
        assert conn.execute("SELECT canvas_keywords_added(%s)", (prompt,)).fetchone()[0] >= 2
    f.meetings.move_to(session, vote)  # reveals the think-first keywords of its question
    with _raw(shared, "Sam") as conn:
        assert conn.execute("SELECT count(*) FROM contribution WHERE id = %s", (mine,)).fetchone()[0] == 1
    for _ in range(3):
        alex_app.live.vote(alex, vote, sams)
    sam_app.live.vote(sam, vote, mine)
    with _raw(shared, "Sam") as conn:
        # before the reveal Sam's login reads only Sam's own dot, however it asks
        assert conn.execute("SELECT member_id FROM vote").fetchall() == [(sam,)]
        hidden = conn.execute("SELECT count(*) FROM vote WHERE contribution_id = %s", (sams,))
        assert hidden.fetchone()[0] == 0
        for sql, args in [
            ("INSERT INTO vote (id, step_id, member_id, contribution_id, created_at) "
             "VALUES (gen_random_uuid()::text, %s, %s, %s, now())", (vote, alex, sams)),  # as Alex
            ("DELETE FROM vote WHERE member_id <> %s RETURNING id", (sam,)),
            ("SELECT * FROM attendance", ()),
            ("UPDATE agenda_step SET revealed_at = now() WHERE id = %s RETURNING id", (vote,)),
        ]:
            try:
                rows = conn.execute(sql, args).fetchall() if "RETURNING" in sql or "SELECT" in sql else None
            except DENIED:
                continue
            assert not rows, sql
        for _ in range(2):
            conn.execute("INSERT INTO vote (id, step_id, member_id, contribution_id, created_at) "
                         "VALUES (gen_random_uuid()::text, %s, %s, %s, now())", (vote, sam, mine))
        with pytest.raises(DENIED):  # a fourth dot: refused by the engine
            conn.execute("INSERT INTO vote (id, step_id, member_id, contribution_id, created_at) "
                         "VALUES (gen_random_uuid()::text, %s, %s, %s, now())", (vote, sam, mine))
    assert f.meetings.voters(session, vote) == 2
    sam_app.live.ask(sam, "break")
    alex_app.live.ask(alex, "again")
    with _raw(shared, "Alex") as conn:
        assert conn.execute("SELECT member_id FROM ask").fetchall() == [(alex,)]
        with pytest.raises(DENIED):
            conn.execute("UPDATE ask SET answered_at = now()")
    waiting = f.meetings.waiting_asks(session, meeting)
    assert [a.spoken() for a in waiting] == ["Sam: I need a break", "Alex: Please say that again"]
    f.meetings.answer(session, waiting[0].id)
    f.meetings.set_attendance(session, meeting, alex, minutes=55)
    assert [a.minutes for a in f.meetings.attendance(session, meeting)] == [55]
    f.meetings.reveal(session, vote)
    with _raw(shared, "Sam") as conn:  # after the reveal every dot is the group's to see
        assert conn.execute("SELECT count(*) FROM vote").fetchone()[0] == 6
        with pytest.raises(DENIED):  # and none can be added or taken back
            conn.execute("INSERT INTO vote (id, step_id, member_id, contribution_id, created_at) "
                         "VALUES (gen_random_uuid()::text, %s, %s, %s, now())", (vote, sam, sams))
        assert conn.execute("DELETE FROM vote RETURNING id").fetchall() == []
    results = {r.text: r.dots for r in sam_app.live.results(sam, vote)}
    assert results == {"sam thinks first": 3, "alex thinks first": 3}
    f.meetings.end(session, meeting)
