"""The involvement record on a shared database: the facilitator's through their own login, and
no member's login may read or write a row of it (raw SQL, as an attacker would)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from psycopg import errors

from app.services.container import Services
from app.store.database import Store
from tests.shared.conftest import Shared

ATTACKS = [
    "SELECT * FROM involvement",
    "SELECT note FROM involvement",
    "SELECT count(*) FROM involvement",
    "SELECT * FROM payment_record",
    "SELECT pseudonym, reason FROM payment_record",
    "INSERT INTO involvement (id, project_id, member_id, held_on, preparation_minutes, expenses_pence, note, "
    "created_at, updated_at) SELECT 'x', project_id, id, current_date, 600, 0, '', now(), now() FROM member "
    "WHERE id = canvas_member()",
    "UPDATE involvement SET expenses_pence = 99999",
    "DELETE FROM involvement",
    "DELETE FROM payment_record",
]


@pytest.fixture(scope="module")
def recorded(shared: Shared, tmp_path_factory) -> Iterator[dict[str, str]]:
    """The facilitator, with their own login, records Alex's and Sam's involvement and withdraws
    Sam (so a payment record is kept)."""
    store = Store.open(shared.logins["facilitator"])
    store.data_path = tmp_path_factory.mktemp("facilitator")
    try:
        services = Services.build(store)
        project = services.projects.list_projects()[0].id
        session = services.facilitator.set_passphrase(project, "a long enough passphrase").session
        people = {p.display_name: p.id for p in services.participants.list_members(session)}
        services.involvement.add(session, people["Alex"], date(2026, 11, 5), preparation_minutes=60,
                                 expenses_pence=1500, note="carer's costs")
        services.involvement.add(session, people["Sam"], date(2026, 11, 5), preparation_minutes=30)
        services.participants.withdraw(session, people["Sam"], "delete")
        assert services.involvement.record(session, people["Alex"]).expenses_pence == 1500
        assert len(services.involvement.kept_payments(session)) == 1
        yield people
    finally:
        store.close()


@pytest.mark.parametrize("sql", ATTACKS)
def test_a_members_login_cannot_touch_the_involvement_record(shared: Shared, recorded, sql):
    with psycopg.connect(shared.psycopg("Alex"), autocommit=True) as alex, pytest.raises(
            errors.InsufficientPrivilege):
        alex.execute(sql)


def test_another_projects_facilitator_sees_no_row(shared: Shared, recorded):
    """Even a login with the facilitator's grants sees only its own project's rows (RLS)."""
    with psycopg.connect(shared.psycopg("facilitator"), autocommit=True) as conn:
        own = conn.execute("SELECT count(*) FROM involvement").fetchone()[0]
        assert own >= 1
        projects = {r[0] for r in conn.execute("SELECT DISTINCT project_id FROM involvement")}
        mine = conn.execute("SELECT canvas_project()").fetchone()[0]
        assert projects == {mine}
    with psycopg.connect(shared.psycopg("other"), autocommit=True) as zed, pytest.raises(
            errors.InsufficientPrivilege):
        zed.execute("SELECT * FROM involvement")
