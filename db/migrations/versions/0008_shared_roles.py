"""shared database roles: who may see and change what, decided by PostgreSQL itself

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

On PostgreSQL only (an SQLite file is one person's, guarded by the file's permissions):

- `canvas_login`, kept by the owner and readable by no one else, maps each login to its
  project, its member and its kind ("facilitator" or "member"). The policies find the person
  behind `current_user` through the SECURITY DEFINER functions below, never through a value
  the app sends.
- Row-level security on every table of the app (POLICIES): a member sees the project's shared
  work and only their own unfinished text and their own audit entries, and writes only rows
  whose author they are; the facilitator sees and changes everything in their project; nobody
  sees another project. The owner (NOLOGIN, used only by `db setup` to migrate) is not subject
  to the policies; no login is ever the owner, so FORCE is not needed.
- Table and column privileges (GRANTS) for the group roles `<database>_member` and
  `<database>_facilitator`, which `db setup` creates before it migrates. A database migrated
  without them gets no grants at all: nothing but its owner can read it.
- The audit log is append-only for both: the only change allowed is the erasure a withdrawal
  needs (the facilitator clears a member from an entry and scrubs its detail; a trigger
  refuses any other change).

A later migration that adds a table adds its policies and grants the same way;
tests/store/test_shared_roles.py fails for any table left without.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Who is asking: one row of canvas_login for current_user. SECURITY DEFINER (they run as the
# owner), so a login needs no right to read canvas_login; search_path fixed against spoofing.
FUNCTIONS = {
    "canvas_project()": "SELECT project_id FROM canvas_login WHERE login = session_user",
    "canvas_member()": "SELECT member_id FROM canvas_login WHERE login = session_user",
    "canvas_kind()": "SELECT kind FROM canvas_login WHERE login = session_user",
}
# Whether a row's parent is in the asker's project (the owner reads past the policies).
IN_PROJECT = {
    "canvas_prompt_ok(p varchar)":
        "SELECT EXISTS (SELECT 1 FROM prompt WHERE id = p AND project_id = canvas_project())",
    "canvas_contribution_ok(c varchar)":
        "SELECT EXISTS (SELECT 1 FROM contribution x JOIN prompt p ON p.id = x.prompt_id "
        "WHERE x.id = c AND p.project_id = canvas_project())",
    "canvas_definition_ok(d varchar)":
        "SELECT EXISTS (SELECT 1 FROM definition x JOIN prompt p ON p.id = x.prompt_id "
        "WHERE x.id = d AND p.project_id = canvas_project())",
    "canvas_version_ok(v varchar)":
        "SELECT EXISTS (SELECT 1 FROM draft_version x JOIN definition d ON d.id = x.definition_id "
        "JOIN prompt p ON p.id = d.prompt_id WHERE x.id = v AND p.project_id = canvas_project())",
    "canvas_member_ok(m varchar)":
        "SELECT EXISTS (SELECT 1 FROM member WHERE id = m AND project_id = canvas_project())",
}

ME = "canvas_member()"
FACILITATOR = "canvas_kind() = 'facilitator'"
ANYONE = "canvas_kind() IS NOT NULL"
# table: the rows of the asker's project
SCOPE = {
    "project": "id = canvas_project()",
    "member": "project_id = canvas_project()",
    "prompt": "project_id = canvas_project()",
    "meeting": "project_id = canvas_project()",
    "theme": "canvas_prompt_ok(prompt_id)",
    "contribution": "canvas_prompt_ok(prompt_id)",
    "endorsement": "canvas_contribution_ok(contribution_id)",
    "definition": "canvas_prompt_ok(prompt_id)",
    "draft_version": "canvas_definition_ok(definition_id)",
    "stance": "canvas_version_ok(version_id)",
    "comment": "(canvas_version_ok(version_id) OR canvas_contribution_ok(contribution_id))",
    "review_note": "canvas_version_ok(version_id)",
    "event": "project_id = canvas_project()",
    "in_progress_text": "canvas_member_ok(member_id)",
    "bundle_log": "project_id = canvas_project()",
    "local_machine": "true",
}
# (table, policy, command, USING, WITH CHECK) for a member's login; the facilitator also gets
# FOR ALL over SCOPE (what GRANTS allows them), except where FACILITATOR_OWN says otherwise.
MEMBER_POLICIES = [
    ("project", "read", "SELECT", "{scope}", None),
    ("member", "read", "SELECT", "{scope}", None),
    ("member", "own_profile", "UPDATE", f"id = {ME}", f"id = {ME}"),
    ("prompt", "read", "SELECT", "{scope}", None),
    ("meeting", "read", "SELECT", "{scope}", None),
    ("theme", "read", "SELECT", "{scope}", None),
    ("contribution", "read", "SELECT", "{scope} AND NOT hidden AND NOT withdrawn", None),
    ("contribution", "add", "INSERT", None,
     f"{{scope}} AND (member_id = {ME} OR member_id IS NULL) AND NOT hidden AND NOT withdrawn "
     "AND theme_id IS NULL"),
    ("contribution", "undo_own", "DELETE", f"member_id = {ME}", None),
    ("endorsement", "read", "SELECT", "{scope}", None),
    ("endorsement", "add", "INSERT", None, f"{{scope}} AND member_id = {ME}"),
    ("endorsement", "change_own", "UPDATE", f"member_id = {ME}", f"member_id = {ME}"),
    ("definition", "read", "SELECT", "{scope}", None),
    ("definition", "add", "INSERT", None, "{scope}"),
    ("draft_version", "read", "SELECT", "{scope}", None),
    ("draft_version", "add", "INSERT", None, f"{{scope}} AND author_id = {ME}"),
    ("stance", "read", "SELECT", "{scope}", None),
    ("stance", "add", "INSERT", None, f"{{scope}} AND member_id = {ME}"),
    ("stance", "change_own", "UPDATE", f"member_id = {ME}", f"member_id = {ME}"),
    ("stance", "undo_own", "DELETE", f"member_id = {ME}", None),
    ("comment", "read", "SELECT", "{scope}", None),
    ("comment", "add", "INSERT", None, f"{{scope}} AND member_id = {ME}"),
    ("event", "read_own", "SELECT", f"{{scope}} AND member_id = {ME}", None),
    ("event", "add", "INSERT", None, f"{{scope}} AND (member_id = {ME} OR member_id IS NULL)"),
    ("in_progress_text", "own", "ALL", f"member_id = {ME}", f"member_id = {ME}"),
    ("bundle_log", "read", "SELECT", "{scope}", None),
    ("local_machine", "read", "SELECT", ANYONE, None),
]

TABLES = list(SCOPE)
# GRANTS[table] = (member's privileges, facilitator's privileges). Column lists keep what a
# member may never read (real names, consent) out of reach even in their own project's rows.
# The facilitator's passphrase hash and its throttle are not here at all (migration 0007).
MEMBER_COLUMNS = ("id, project_id, display_name, role, position, anonymous_default, "
                  "access_profile, withdrawn_at, created_at")
GRANTS = {
    "project": ("SELECT (id, name, created_at)", "SELECT (id, name, created_at), UPDATE (name)"),
    "member": (f"SELECT ({MEMBER_COLUMNS}), UPDATE (access_profile, anonymous_default)",
               "SELECT, INSERT, UPDATE"),
    "prompt": ("SELECT", "SELECT, INSERT, UPDATE, DELETE"),
    "meeting": ("SELECT", "SELECT, INSERT, UPDATE, DELETE"),
    "theme": ("SELECT", "SELECT, INSERT, UPDATE, DELETE"),
    "contribution": ("SELECT, INSERT, DELETE", "SELECT, INSERT, UPDATE, DELETE"),
    "endorsement": ("SELECT, INSERT, UPDATE (active, updated_at)", "SELECT, INSERT, UPDATE, DELETE"),
    "definition": ("SELECT, INSERT", "SELECT, INSERT"),
    # versions are immutable: a withdrawal may only take the author's name off one
    "draft_version": ("SELECT, INSERT", "SELECT, INSERT, UPDATE (author_id, text, note)"),
    "stance": ("SELECT, INSERT, UPDATE (position, reason, updated_at), DELETE",
               "SELECT, INSERT, UPDATE, DELETE"),
    "comment": ("SELECT, INSERT", "SELECT, INSERT, UPDATE, DELETE"),
    "review_note": (None, "SELECT, INSERT, UPDATE, DELETE"),
    "event": ("SELECT, INSERT", "SELECT, INSERT, UPDATE (member_id, detail)"),
    "in_progress_text": ("SELECT, INSERT, UPDATE, DELETE", "SELECT, INSERT, UPDATE, DELETE"),
    "bundle_log": ("SELECT", "SELECT, INSERT"),
    "local_machine": ("SELECT", "SELECT, INSERT"),
    "alembic_version": ("SELECT", "SELECT"),
}

# The only change anyone but the owner may make to an audit entry: a withdrawal's erasure.
EVENT_ERASURE_ONLY = """
CREATE FUNCTION canvas_event_erasure_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RETURN NEW;  -- the owner (and whoever may act as it) keeps every right to its table
    END IF;
    IF NEW.id <> OLD.id OR NEW.project_id <> OLD.project_id OR NEW.action <> OLD.action
       OR NEW.target_kind <> OLD.target_kind OR NEW.target_id IS DISTINCT FROM OLD.target_id
       OR NEW.created_at <> OLD.created_at
       OR (NEW.member_id IS NOT NULL AND NEW.member_id IS DISTINCT FROM OLD.member_id) THEN
        RAISE EXCEPTION 'the audit log is append-only: only a withdrawal may erase a name from it'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$"""

# Polling for changes (ProjectService.change_marker) must see that others did something
# without reading what: the newest entry's time and counts, for the asker's project only.
CHANGE_MARKER = """
CREATE FUNCTION canvas_change_marker(p varchar, since interval)
RETURNS TABLE (newest text, recent bigint, bundles bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH allowed AS (  -- the asker's own project; the owner (no login row) may ask of any
        SELECT p = canvas_project() OR (canvas_kind() IS NULL AND pg_has_role(
            session_user, (SELECT relowner FROM pg_class WHERE oid = 'event'::regclass), 'USAGE')) AS ok),
    top AS (SELECT max(created_at) AS t FROM event, allowed WHERE project_id = p AND allowed.ok)
    SELECT top.t::text,
           (SELECT count(*) FROM event WHERE project_id = p AND created_at >= top.t - since),
           (SELECT count(*) FROM bundle_log, allowed WHERE project_id = p AND allowed.ok)
    FROM top
$$"""


def _grant_block() -> str:
    """A DO block granting GRANTS to the group roles of this database, where they exist."""
    lines = []
    for table, (member, facilitator) in GRANTS.items():
        for privileges, role in ((member, "m"), (facilitator, "f")):
            if privileges:
                lines.append(f"EXECUTE format('GRANT {privileges} ON {table} TO %I', {role});")
    for fn in [*FUNCTIONS, *IN_PROJECT, "canvas_change_marker(varchar, interval)"]:
        lines.append(f"EXECUTE format('GRANT EXECUTE ON FUNCTION {fn} TO %I, %I', m, f);")
    body = "\n        ".join(lines)
    return f"""
DO $$
DECLARE
    m text := left(current_database(), 40) || '_member';
    f text := left(current_database(), 40) || '_facilitator';
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = m) AND EXISTS (SELECT FROM pg_roles WHERE rolname = f) THEN
        {body}
    END IF;
END $$"""


def _policies() -> list[str]:
    out = []
    for table in TABLES:
        scope = SCOPE[table]
        out.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        out.append(f"CREATE POLICY facilitator_all ON {table} FOR ALL "
                   f"USING ({FACILITATOR} AND {scope}) WITH CHECK ({FACILITATOR} AND {scope})")
    for table, name, command, using, check in MEMBER_POLICIES:
        scope = SCOPE[table]
        sql = f"CREATE POLICY member_{name} ON {table} FOR {command}"
        if using:
            sql += f" USING ({ANYONE} AND {using.format(scope=scope)})"
        if check:
            sql += f" WITH CHECK ({ANYONE} AND {check.format(scope=scope)})"
        out.append(sql)
    return out


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE TABLE canvas_login (
            login name PRIMARY KEY,
            project_id varchar(36) NOT NULL REFERENCES project (id) ON DELETE CASCADE,
            member_id varchar(36) REFERENCES member (id) ON DELETE CASCADE,
            kind varchar(20) NOT NULL CHECK (kind IN ('facilitator', 'member')),
            created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'))""")
    op.execute("REVOKE ALL ON canvas_login FROM PUBLIC")
    for signature, body in [*FUNCTIONS.items(), *IN_PROJECT.items()]:
        returns = {"canvas_project()": "varchar", "canvas_member()": "varchar",
                   "canvas_kind()": "varchar"}.get(signature, "boolean")
        op.execute(f"CREATE FUNCTION {signature} RETURNS {returns} LANGUAGE sql STABLE "
                   f"SECURITY DEFINER SET search_path = public, pg_temp AS $${body}$$")
    op.execute(CHANGE_MARKER)
    for fn in [*FUNCTIONS, *IN_PROJECT, "canvas_change_marker(varchar, interval)"]:
        op.execute(f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC")
    op.execute(EVENT_ERASURE_ONLY)
    op.execute("CREATE TRIGGER event_erasure_only BEFORE UPDATE ON event "
               "FOR EACH ROW EXECUTE FUNCTION canvas_event_erasure_only()")
    for statement in _policies():
        op.execute(statement)
    for table in GRANTS:
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
    op.execute(_grant_block())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        for policy in ["facilitator_all"] + [f"member_{n}" for t, n, *_ in MEMBER_POLICIES if t == table]:
            op.execute(f"DROP POLICY IF EXISTS {policy} ON {table}")
    op.execute("DROP TRIGGER IF EXISTS event_erasure_only ON event")
    op.execute("DROP FUNCTION IF EXISTS canvas_event_erasure_only()")
    op.execute("DROP FUNCTION IF EXISTS canvas_change_marker(varchar, interval)")
    for fn in [*IN_PROJECT, *FUNCTIONS]:
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    op.execute("DROP TABLE IF EXISTS canvas_login")
