"""think first: how many members have added to a hidden keyword step, for a member's login

Revision ID: 0013_keywords_added
Revises: 0011_involvement
Create Date: 2026-12-03

While a think-first keyword step hides others' keywords, a member's screen says how many have
added ("3 of 5 have added"), but a member's login cannot read the others' keywords (0010's
contribution read policy). canvas_step_added(step) tells the asker's project's step only two
numbers, never whose or what: the participants who have added a keyword to the step's question
since the group was moved there (withdrawn keywords and members left out), and the project's
participants. The same rule as app/services/meeting/read.py's step_added, which answers on one
computer (SQLite) and for the facilitator. PostgreSQL only: on SQLite this migration does
nothing.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0013_keywords_added'
down_revision: str | None = '0011_involvement'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNATURE = "canvas_step_added(st varchar)"
PARTICIPANT = "{m}.role = 'participant' AND {m}.withdrawn_at IS NULL"
BODY = f"""
    SELECT (SELECT count(DISTINCT c.member_id) FROM contribution c JOIN member w ON w.id = c.member_id
            WHERE c.prompt_id = s.prompt_id AND c.created_at >= coalesce(s.opened_at, s.created_at)
              AND NOT c.withdrawn AND {PARTICIPANT.format(m='w')}),
           (SELECT count(*) FROM member p WHERE p.project_id = m.project_id
              AND {PARTICIPANT.format(m='p')})
    FROM agenda_step s JOIN meeting m ON m.id = s.meeting_id
    WHERE s.id = st AND s.kind = 'keywords' AND m.project_id = canvas_project()"""

GRANT = f"""
DO $$
DECLARE
    m text := left(current_database(), 40) || '_member';
    f text := left(current_database(), 40) || '_facilitator';
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = m) AND EXISTS (SELECT FROM pg_roles WHERE rolname = f) THEN
        EXECUTE format('GRANT EXECUTE ON FUNCTION {SIGNATURE} TO %I, %I', m, f);
    END IF;
END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE FUNCTION {SIGNATURE} RETURNS TABLE (added bigint, participants bigint) "
               f"LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $${BODY}$$")
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(GRANT)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
