"""Every table of a shared database has row-level security and policies, or no login may
touch it: a table added by a later migration without its rules fails here."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.shared.conftest import Shared

OWNER_ONLY = {"canvas_login"}  # no grant to anyone but the owner
READ_ONLY = {"alembic_version"}  # the revision a member's app checks; no row of anyone's


def test_every_table_has_policies_or_is_owner_only(shared: Shared):
    engine = create_engine(shared.admin)
    try:
        with engine.connect() as conn:
            tables = {r[0]: r[1] for r in conn.execute(text(
                "SELECT c.relname, c.relrowsecurity FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"))}
            policies = {r[0]: r[1] for r in conn.execute(text(
                "SELECT tablename, count(*) FROM pg_policies WHERE schemaname = 'public' GROUP BY 1"))}
            grants = {}
            for table, grantee, privilege in conn.execute(text(
                    "SELECT table_name, grantee, privilege_type FROM information_schema.role_table_grants "
                    "WHERE table_schema = 'public'")):
                grants.setdefault(table, set()).add((grantee, privilege))
            column_grants = {r[0] for r in conn.execute(text(
                "SELECT DISTINCT table_name FROM information_schema.column_privileges "
                "WHERE table_schema = 'public' AND grantee NOT LIKE '%\\_owner'"))}
            owners = {r[0] for r in conn.execute(text(
                "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"))}
    finally:
        engine.dispose()
    assert owners == {f"{shared.database[:40]}_owner"}, "every table belongs to the owner role"
    assert len(tables) > 15
    for table, secured in tables.items():
        others = {(g, p) for g, p in grants.get(table, set()) if not g.endswith("_owner")}
        if table in OWNER_ONLY:
            assert not others and table not in column_grants, f"{table} must be the owner's alone"
        elif table in READ_ONLY:
            assert {p for _g, p in others} == {"SELECT"}, f"{table} is read-only"
        else:
            assert secured, f"{table} has no row-level security"
            assert policies.get(table, 0) > 0, f"{table} has no policy"
            assert all(not g.endswith(("PUBLIC",)) for g, _p in others), f"{table} is granted to PUBLIC"
