"""As an attacker with a member's own login and psycopg: every forbidden read and write fails.

A member of the demo project (Alex) tries to read what only the facilitator may (real names,
consent, review notes, the audit log), what is another member's (Sam's unfinished text) or
another project's, and to change what others wrote, the versions, the themes, the project,
the schema. Each attempt must fail with a permission error or touch no row.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.services.container import Services
from app.services.group.demo import DEMO_NAME
from app.store import shared_admin
from app.store.models import Member, Project, Prompt
from tests.shared.conftest import OTHER, Shared

DENIED = (errors.InsufficientPrivilege,)


@pytest.fixture(scope="module")
def ids(shared: Shared) -> dict[str, str]:
    """Records to attack, made by their rightful owners through the services (as the owner)."""
    store = shared_admin.owner_store(shared.admin)
    try:
        services = Services.build(store)
        with store.read() as s:
            project = s.scalar(select(Project).where(Project.name == DEMO_NAME))
            members = {m.display_name: m.id for m in s.scalars(select(Member).where(
                Member.project_id == project.id))}
            prompt = s.scalar(select(Prompt).where(Prompt.project_id == project.id))
            other = s.scalar(select(Project.id).where(Project.name == OTHER))
        sam_kw = services.contributions.add(members["Sam"], prompt.id, "sam's own word").record_id
        version = services.drafts.save_version(members["Sam"], prompt.id, "Care is ours.", None).record_id
        services.drafts.set_stance(members["Sam"], version, "agree")
        services.inprogress.save(members["Sam"], "secret-draft", "half a thought", 3)
        with store.transaction() as s:
            s.get(Member, members["Sam"]).real_name = "Samuel Real"
            s.execute(Member.__table__.update().where(Member.id == members["Sam"]).values(
                consent_participate=True))
            from app.store.models import ReviewNote
            s.add(ReviewNote(version_id=version, author_id=None, text="private memo"))
        return {"project": project.id, "alex": members["Alex"], "sam": members["Sam"],
                "prompt": prompt.id, "sam_kw": sam_kw, "version": version, "other": other}
    finally:
        store.close()


@pytest.fixture
def alex(shared: Shared) -> Iterator[psycopg.Connection]:
    with psycopg.connect(shared.psycopg("Alex"), autocommit=True) as conn:
        yield conn


def rows(conn: psycopg.Connection, sql: str, *params: object) -> list[tuple]:
    return conn.execute(sql, params).fetchall()


@pytest.mark.parametrize("sql", [
    "SELECT real_name FROM member",
    "SELECT consent_date, consent_participate, consent_quote, credit, keep_until FROM member",
    "SELECT * FROM member",
    "SELECT * FROM review_note",
    "SELECT * FROM canvas_login",
])
def test_private_columns_and_tables_are_refused(alex, ids, sql):
    with pytest.raises(DENIED):
        alex.execute(sql)


def test_no_passphrase_or_throttle_is_in_the_shared_database(shared: Shared):
    """The facilitator's passphrase hash and its throttle live on their computer alone."""
    with psycopg.connect(make_url(shared.admin).set(drivername="postgresql").render_as_string(
            hide_password=False)) as conn:
        columns = rows(conn, "SELECT table_name, column_name FROM information_schema.columns "
                             "WHERE table_schema = 'public' AND (column_name LIKE '%%secret%%' "
                             "OR column_name LIKE '%%passphrase%%' OR column_name LIKE '%%hash%%')")
    assert columns == []


def test_the_audit_log_shows_a_member_only_their_own_entries(alex, ids):
    assert rows(alex, "SELECT count(*) FROM event")[0][0] >= 0
    assert rows(alex, "SELECT * FROM event WHERE member_id IS DISTINCT FROM %s", ids["alex"]) == []


def test_another_members_unfinished_text_is_invisible(alex, ids):
    assert rows(alex, "SELECT text FROM in_progress_text") == []
    assert rows(alex, "SELECT text FROM in_progress_text WHERE member_id = %s", ids["sam"]) == []


def test_another_project_is_invisible(alex, ids):
    assert rows(alex, "SELECT id FROM project") == [(ids["project"],)]
    for table in ("member", "prompt", "meeting", "event", "bundle_log"):
        assert rows(alex, f"SELECT id FROM {table} WHERE project_id = %s", ids["other"]) == []
    marker = "SELECT * FROM canvas_change_marker(%s, interval '1 day')"
    assert rows(alex, marker, ids["other"]) == [(None, 0, 0)]


def test_what_a_member_may_read_is_there(alex, ids):
    names = {r[0] for r in rows(alex, "SELECT display_name FROM member")}
    assert {"Alex", "Sam"} <= names
    assert rows(alex, "SELECT text FROM contribution WHERE id = %s", ids["sam_kw"]) == [("sam's own word",)]
    assert rows(alex, "SELECT text FROM draft_version WHERE id = %s", ids["version"]) == [("Care is ours.",)]
    assert rows(alex, "SELECT position FROM stance WHERE version_id = %s", ids["version"]) == [("agree",)]


@pytest.mark.parametrize("sql, kind", [
    ("UPDATE contribution SET text = 'defaced' WHERE id = %(sam_kw)s", "denied"),
    ("DELETE FROM contribution WHERE id = %(sam_kw)s", "no rows"),
    ("UPDATE stance SET position = 'disagree' WHERE version_id = %(version)s", "no rows"),
    ("DELETE FROM stance WHERE version_id = %(version)s", "no rows"),
    ("UPDATE draft_version SET text = 'rewritten' WHERE id = %(version)s", "denied"),
    ("DELETE FROM draft_version WHERE id = %(version)s", "denied"),
    ("INSERT INTO theme (id, prompt_id, name, position, created_at) "
     "VALUES (gen_random_uuid()::text, %(prompt)s, 'mine', 0, now())", "denied"),
    ("UPDATE theme SET name = 'x'", "denied"),
    ("UPDATE project SET created_at = now()", "denied"),
    ("UPDATE project SET name = 'taken'", "denied"),
    ("UPDATE member SET role = 'facilitator' WHERE id = %(alex)s", "denied"),
    ("UPDATE member SET access_profile = '{}' WHERE id = %(sam)s", "no rows"),
    ("UPDATE member SET real_name = 'x' WHERE id = %(alex)s", "denied"),
    ("INSERT INTO contribution (id, prompt_id, member_id, kind, text, created_at, hidden, withdrawn) "
     "VALUES (gen_random_uuid()::text, %(prompt)s, %(sam)s, 'keyword', 'in sam''s name', now(), "
     "false, false)",
     "denied"),
    ("INSERT INTO event (id, project_id, member_id, action, target_kind, detail, created_at) "
     "VALUES (gen_random_uuid()::text, %(project)s, %(sam)s, 'forged', '', '{}', now())", "denied"),
    ("INSERT INTO event (id, project_id, member_id, action, target_kind, detail, created_at) "
     "VALUES (gen_random_uuid()::text, %(other)s, NULL, 'forged', '', '{}', now())", "denied"),
    ("UPDATE event SET detail = '{}'", "denied"),
    ("DELETE FROM event", "denied"),
    ("INSERT INTO in_progress_text (id, member_id, target, text, cursor, updated_at) "
     "VALUES (gen_random_uuid()::text, %(sam)s, 'x', 'planted', 0, now())", "denied"),
    ("INSERT INTO canvas_login (login, project_id, member_id, kind) "
     "VALUES (session_user, %(project)s, NULL, 'facilitator')", "denied"),
    ("CREATE TABLE stolen (a int)", "denied"),
    ("ALTER TABLE member DISABLE ROW LEVEL SECURITY", "denied"),
    ("DROP TABLE review_note", "denied"),
    ("DROP POLICY member_read ON contribution", "denied"),
    ("SET ROLE NONE", "denied"),
])
def test_forbidden_writes_fail(alex, ids, sql, kind):
    if sql == "SET ROLE NONE":  # no role beyond the member's own can be taken
        for role in ("_owner", "_facilitator"):
            name = f"{alex.info.dbname[:40]}{role}"
            with pytest.raises(DENIED):
                alex.execute(f'SET ROLE "{name}"')
        return
    before = dump(alex, ids)
    if kind == "denied":
        with pytest.raises((*DENIED, errors.InsufficientPrivilege, errors.UndefinedObject)):
            alex.execute(sql, ids)
    else:
        assert alex.execute(sql, ids).rowcount == 0
    assert dump(alex, ids) == before


def dump(conn: psycopg.Connection, ids: dict[str, str]) -> list[tuple]:
    return [*rows(conn, "SELECT id, text FROM contribution ORDER BY id"),
            *rows(conn, "SELECT id, position FROM stance ORDER BY id"),
            *rows(conn, "SELECT id, text FROM draft_version ORDER BY id"),
            *rows(conn, "SELECT id, name FROM project")]


def test_the_facilitator_reads_their_project_and_nothing_of_another(shared: Shared, ids):
    with psycopg.connect(shared.psycopg("facilitator"), autocommit=True) as conn:
        assert ("Samuel Real",) in rows(conn, "SELECT real_name FROM member")
        assert rows(conn, "SELECT text FROM review_note") == [("private memo",)]
        assert rows(conn, "SELECT text FROM in_progress_text WHERE member_id = %s", ids["sam"]) == [
            ("half a thought",)]
        assert rows(conn, "SELECT id FROM project") == [(ids["project"],)]
        assert rows(conn, "SELECT id FROM member WHERE project_id = %s", ids["other"]) == []
        with pytest.raises(DENIED):
            conn.execute("SELECT * FROM canvas_login")
        with pytest.raises(DENIED):
            conn.execute("DELETE FROM event")
        with pytest.raises(DENIED):  # the audit log: only a withdrawal's erasure, nothing else
            conn.execute("UPDATE event SET action = 'rewritten'")
        with pytest.raises(DENIED):
            conn.execute("UPDATE event SET member_id = %s WHERE member_id IS NULL", (ids["alex"],))
        with pytest.raises(DENIED):
            conn.execute("CREATE TABLE stolen (a int)")


def test_another_projects_member_sees_nothing_of_this_one(shared: Shared, ids):
    with psycopg.connect(shared.psycopg("other"), autocommit=True) as conn:
        assert rows(conn, "SELECT id FROM member WHERE project_id = %s", ids["project"]) == []
        assert rows(conn, "SELECT id FROM contribution WHERE id = %s", ids["sam_kw"]) == []
        assert rows(conn, "SELECT id FROM draft_version") == []


def test_a_login_not_made_for_this_database_cannot_connect(shared: Shared):
    """Roles are cluster-wide: CONNECT on the database is for its own roles alone."""
    import secrets

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name, password = f"{shared.database}_stranger", secrets.token_hex(8)
    server = create_engine(shared.admin, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.exec_driver_sql(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
        url = make_url(shared.psycopg("Alex")).set(username=name, password=password)
        with pytest.raises(psycopg.OperationalError, match="permission denied"):
            psycopg.connect(url.render_as_string(hide_password=False), connect_timeout=5)
    finally:
        with server.connect() as conn:
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
        server.dispose()
