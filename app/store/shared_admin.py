"""Setting up a shared PostgreSQL database: the roles, the schema and one login per person.

Run by the research team with an administrator's login (`main.py db setup / add-member /
remove-member`, app/commands/db.py); the app itself never holds that login. For a database
called D there are three group roles, none of which can log in:

- `D_owner` owns the schema and runs the migrations (only this module uses it, by SET ROLE
  from the administrator's login); no member's or facilitator's login is ever granted it;
- `D_facilitator` and `D_member`, which the policies and grants of migration 0008 are for.

Each person gets a login of their own (`D_f_…` for a facilitator, `D_m_…` for a member) with
a generated password, in one of the two group roles, and a row of `canvas_login` saying
which member of which project it is. Row-level security reads that row through
`current_user`, so a login can act only as the member it belongs to.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, create_engine, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from app.store.connection import connect_args
from app.store.database import Store, StoreError
from app.store.models import Member, Project

PREFIX_LENGTH = 40  # the migration uses the same: left(current_database(), 40)


class SetupError(StoreError):
    """The shared database could not be set up or changed; the message says why."""


@dataclass(frozen=True)
class Roles:
    """The group roles of one database."""

    owner: str
    facilitator: str
    member: str

    @classmethod
    def of(cls, database: str) -> Roles:
        prefix = database[:PREFIX_LENGTH]
        return cls(f"{prefix}_owner", f"{prefix}_facilitator", f"{prefix}_member")


@dataclass(frozen=True)
class Login:
    """A login made for one person: the URL their app needs (the password is in it)."""

    login: str
    pseudonym: str
    url: str


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _admin(admin_url: str) -> tuple[URL, Connection]:
    url = make_url(admin_url)
    if url.get_backend_name() != "postgresql":
        raise SetupError("db setup is for a shared PostgreSQL database: give its administrator's "
                         "URL, e.g. postgresql+psycopg://admin@db.example.org/canvas")
    engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args=connect_args(url))
    try:
        conn = engine.connect()
    except Exception as exc:
        engine.dispose()
        raise SetupError(f"the administrator's login could not connect: {str(exc).splitlines()[0]}") from exc
    return url, conn


def _close(conn: Connection) -> None:
    engine = conn.engine
    conn.close()
    engine.dispose()


def _person_url(admin: URL, login: str, password: str) -> str:
    """The administrator's URL with the person's login instead (same server, database, TLS)."""
    return admin.set(username=login, password=password).render_as_string(hide_password=False)


def _role_exists(conn: Connection, name: str) -> bool:
    return conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}) is not None


def _prepare_roles(conn: Connection, database: str) -> Roles:
    """Create the group roles where missing; the database and schema let in only them."""
    roles = Roles.of(database)
    for role in (roles.owner, roles.facilitator, roles.member):
        if not _role_exists(conn, role):
            conn.exec_driver_sql(f"CREATE ROLE {_ident(role)} NOLOGIN")
    conn.exec_driver_sql(f"GRANT {_ident(roles.owner)} TO CURRENT_USER")
    db = _ident(database)
    conn.exec_driver_sql(f"REVOKE ALL ON DATABASE {db} FROM PUBLIC")
    people = f"{_ident(roles.owner)}, {_ident(roles.facilitator)}, {_ident(roles.member)}"
    conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {db} TO {people}")
    conn.exec_driver_sql("REVOKE ALL ON SCHEMA public FROM PUBLIC")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {people}")
    conn.exec_driver_sql(f"GRANT CREATE ON SCHEMA public TO {_ident(roles.owner)}")
    # Tables made by an earlier version of the app (which migrated as whoever logged in) pass
    # to the owner, so that no login keeps the rights of a table's owner.
    for (table,) in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner <> :o"),
            {"o": roles.owner}):
        conn.exec_driver_sql(f"ALTER TABLE public.{_ident(table)} OWNER TO {_ident(roles.owner)}")
    return roles


def _as_owner(conn: Connection, roles: Roles) -> Session:
    conn.exec_driver_sql(f"SET ROLE {_ident(roles.owner)}")
    return Session(bind=conn)


def _project(s: Session, name: str) -> Project:
    project = s.scalar(select(Project).where(Project.name == name))
    if project is None:
        raise SetupError(f"there is no project called {name!r} in this database (db setup "
                         "--project NAME makes it)")
    return project


def _new_login(conn: Connection, group: str, database: str, kind: str, project_id: str,
               member_id: str) -> tuple[str, str]:
    login = f"{database[:PREFIX_LENGTH]}_{kind[0]}_{secrets.token_hex(5)}"
    password = secrets.token_urlsafe(18)
    conn.exec_driver_sql("RESET ROLE")
    conn.exec_driver_sql(f"CREATE ROLE {_ident(login)} LOGIN PASSWORD '{password}' IN ROLE {_ident(group)}")
    conn.exec_driver_sql(f"SET ROLE {_ident(Roles.of(database).owner)}")
    conn.execute(text("INSERT INTO canvas_login (login, project_id, member_id, kind) "
                      "VALUES (:l, :p, :m, :k)"), {"l": login, "p": project_id, "m": member_id, "k": kind})
    return login, password


def _drop_logins(conn: Connection, database: str, member_id: str) -> list[str]:
    """Drop every login of a member, ending their open connections first."""
    roles = Roles.of(database)
    conn.exec_driver_sql(f"SET ROLE {_ident(roles.owner)}")
    logins = list(conn.scalars(text("DELETE FROM canvas_login WHERE member_id = :m RETURNING login"),
                               {"m": member_id}))
    conn.exec_driver_sql("RESET ROLE")
    for login in logins:
        if not _role_exists(conn, login):
            continue
        conn.exec_driver_sql(f"GRANT {_ident(login)} TO CURRENT_USER")  # the right to end its sessions
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :l"),
                     {"l": login})
        conn.exec_driver_sql(f"DROP ROLE {_ident(login)}")
    return logins


def owner_store(admin_url: str) -> Store:
    """The store as its owner, past every policy (for the research team's tools and tests):
    each connection of the administrator's login takes the owner's role first."""
    from sqlalchemy import event

    from app.store.database import MigrationReport, head_revision, make_engine

    url, conn = _admin(admin_url)
    try:
        owner = Roles.of(str(conn.scalar(text("SELECT current_database()")))).owner
    finally:
        _close(conn)
    engine = make_engine(url.render_as_string(hide_password=False))

    def take_role(dbapi_conn: object, _record: object) -> None:
        cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
        cursor.execute(f"SET ROLE {_ident(owner)}")
        cursor.close()
        dbapi_conn.commit()  # type: ignore[attr-defined]

    event.listen(engine, "connect", take_role)
    return Store(engine, MigrationReport(before=head_revision(), after=head_revision(), backup=None))


def setup(admin_url: str, project_name: str,
          fill: Callable[[Store, str], object] | None = None) -> Login:
    """Create or upgrade the schema as its owner, make the project if it is new (with its
    facilitator; `fill(store, name)` may make it first, e.g. the demo) and a new facilitator
    login (an earlier one is dropped). Returns that login."""
    url, conn = _admin(admin_url)
    try:
        database = str(conn.scalar(text("SELECT current_database()")))
        roles = _prepare_roles(conn, database)
    finally:
        _close(conn)
    Store.open(admin_url, migrate=True, owner=roles.owner).close()
    if fill is not None:
        store = owner_store(admin_url)
        try:
            fill(store, project_name)
        finally:
            store.close()
    url, conn = _admin(admin_url)
    try:
        with _as_owner(conn, roles) as s:
            project = s.scalar(select(Project).where(Project.name == project_name))
            if project is None:
                project = Project(name=project_name)
                s.add(project)
                s.flush()
                s.add(Member(project_id=project.id, display_name="Facilitator", role="facilitator"))
                s.flush()
            facilitator = s.scalar(select(Member).where(
                Member.project_id == project.id, Member.role == "facilitator",
                Member.withdrawn_at.is_(None)).order_by(Member.position, Member.created_at))
            if facilitator is None:
                raise SetupError(f"the project {project_name!r} has no facilitator")
            s.commit()
            _drop_logins(conn, database, facilitator.id)
            login, password = _new_login(conn, roles.facilitator, database, "facilitator",
                                         project.id, facilitator.id)
            return Login(login, facilitator.display_name, _person_url(url, login, password))
    finally:
        _close(conn)


def add_member(admin_url: str, project_name: str, pseudonym: str) -> Login:
    """A login for the member with this pseudonym (added as a participant if new); a login
    they had before is dropped, so this also gives a new password."""
    pseudonym = " ".join(pseudonym.split())
    if not pseudonym:
        raise SetupError("give the member's pseudonym")
    url, conn = _admin(admin_url)
    try:
        database = str(conn.scalar(text("SELECT current_database()")))
        roles = Roles.of(database)
        with _as_owner(conn, roles) as s:
            project = _project(s, project_name)
            member = s.scalar(select(Member).where(Member.project_id == project.id,
                                                   Member.display_name == pseudonym))
            if member is None:
                position = len(project.members)
                member = Member(project_id=project.id, display_name=pseudonym, position=position)
                s.add(member)
                s.flush()
            elif member.withdrawn_at is not None:
                raise SetupError(f"{pseudonym} has withdrawn from the project")
            s.commit()
            group = roles.facilitator if member.role == "facilitator" else roles.member
            kind = "facilitator" if member.role == "facilitator" else "member"
            _drop_logins(conn, database, member.id)
            login, password = _new_login(conn, group, database, kind, project.id, member.id)
            return Login(login, pseudonym, _person_url(url, login, password))
    finally:
        _close(conn)


def remove_member(admin_url: str, project_name: str, pseudonym: str) -> list[str]:
    """Drop the member's logins at once (their open connections end); their work stays."""
    url, conn = _admin(admin_url)
    try:
        database = str(conn.scalar(text("SELECT current_database()")))
        with _as_owner(conn, Roles.of(database)) as s:
            project = _project(s, project_name)
            member = s.scalar(select(Member).where(Member.project_id == project.id,
                                                   Member.display_name == " ".join(pseudonym.split())))
            if member is None:
                raise SetupError(f"there is no member called {pseudonym!r} in {project_name!r}")
            member_id = member.id
            s.commit()
        return _drop_logins(conn, database, member_id)
    finally:
        _close(conn)


def _roles_of(conn: Connection, database: str) -> list[str]:
    prefix = database[:PREFIX_LENGTH]
    return list(conn.scalars(text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"),
                             {"p": prefix.replace("_", r"\_") + r"\_%"}))


def end_sessions(admin_url: str, database: str) -> None:
    """End every open connection of the logins made for `database` (before it is dropped)."""
    _url, conn = _admin(admin_url)
    try:
        for name in _roles_of(conn, database):
            if conn.scalar(text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :n"), {"n": name}):
                conn.exec_driver_sql(f"GRANT {_ident(name)} TO CURRENT_USER")
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE usename = :n"), {"n": name})
    finally:
        _close(conn)


def drop_roles(admin_url: str, database: str) -> None:
    """Drop every role made for `database` (after the database itself was dropped): its
    logins and group roles. For tests and for taking a shared database down."""
    _url, conn = _admin(admin_url)
    try:
        names = _roles_of(conn, database)
        groups = set(Roles.of(database).__dict__.values())
        for name in sorted(names, key=lambda n: n in groups):  # logins first
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {_ident(name)}")
    finally:
        _close(conn)
