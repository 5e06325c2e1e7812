"""A shared PostgreSQL database set up as a research team would, with a login per person.

Needs CANVAS_TEST_PG_URL naming a login that may create databases and roles (CI's `canvas`).
Each run makes a database and roles with a random suffix of its own and drops them at the end:
roles are cluster-wide, and other test runs use the same server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from app.services.group.demo import DEMO_NAME, FACILITATOR, create_demo
from app.store import shared_admin

PG_URL = os.environ.get("CANVAS_TEST_PG_URL", "")
OTHER = "Another group"


@dataclass(frozen=True)
class Shared:
    """The database's administrator URL and each person's connection line."""

    admin: str
    database: str
    logins: dict[str, str]  # pseudonym (or "facilitator", "other") -> URL

    def psycopg(self, who: str) -> str:
        """The plain libpq URL of a login, for psycopg directly (as an attacker would)."""
        return make_url(self.logins[who]).set(drivername="postgresql").render_as_string(hide_password=False)


def require_pg() -> str:
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CANVAS_TEST_PG_URL must be set in CI")
        pytest.skip("CANVAS_TEST_PG_URL is not set")
    return PG_URL


@pytest.fixture(scope="module")
def shared() -> Iterator[Shared]:
    """The demo project and another, set up with `db setup` and `db add-member`."""
    base = make_url(require_pg())
    name = f"pgroles_{uuid.uuid4().hex[:10]}"
    server = create_engine(base, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin = base.set(database=name).render_as_string(hide_password=False)
    try:
        shared_admin.setup(admin, OTHER)
        store = shared_admin.owner_store(admin)
        try:
            create_demo(store)
        finally:
            store.close()
        logins = {"facilitator": shared_admin.setup(admin, DEMO_NAME).url}
        for who in ("Alex", "Sam"):
            logins[who] = shared_admin.add_member(admin, DEMO_NAME, who).url
        logins["other"] = shared_admin.add_member(admin, OTHER, "Zed").url
        yield Shared(admin, name, logins)
    finally:
        _drop(server, base.render_as_string(hide_password=False), name)
        server.dispose()
        shared_admin.drop_roles(base.render_as_string(hide_password=False), name)


__all__ = ["FACILITATOR", "OTHER", "Shared", "require_pg"]


def _drop(server, admin_url: str, name: str) -> None:
    """End the test logins' sessions, then drop the database. A member's connection that a
    closing pool opened after its sessions were ended would make the drop fail ("must be a
    member of the role whose process is being terminated"): end them again and retry."""
    for attempt in range(5):
        shared_admin.end_sessions(admin_url, name)
        try:
            with server.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except ProgrammingError:
            if attempt == 4:
                raise
