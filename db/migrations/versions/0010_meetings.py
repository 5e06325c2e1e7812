"""the live meeting: planned and real times, agenda steps, dot votes, asks, attendance

Revision ID: 0010_meetings
Revises: 0009_draft_stamps
Create Date: 2026-12-02

The meeting table gains its planned start and end and when it really started and ended
(columns added in place, so it keeps its 0008 grants and policies). Four new tables: the agenda
steps the facilitator moves the group through, the dots members put on keywords, the asks
("I need a break"...) and who attended with their minutes.

On PostgreSQL each new table gets grants and row-level security like 0008's, with the engine
deciding what a vote step hides: a member's login reads only its own dots until the facilitator
reveals the results (canvas_step_revealed), may add a dot only on a visible keyword of the
step's question while that step is the group's current, unrevealed one and its dots are not
spent (canvas_vote_ok), and may take back a dot only before the reveal. A member reads and adds
only their own asks; attendance is the facilitator's alone. While a "think first" keyword step
is running, a member's login reads only its own keywords of that question (the contribution
read policy is replaced); how many have been added is told by canvas_keywords_added.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010_meetings'
down_revision: str | None = '0009_draft_stamps'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)
MEETING_COLUMNS = ('starts_at', 'ends_at', 'started_at', 'ended_at')

RUNNING = "m.started_at IS NOT NULL AND m.ended_at IS NULL"
FUNCTIONS = {
    "canvas_meeting_ok(x varchar)": ("boolean",
        "SELECT EXISTS (SELECT 1 FROM meeting WHERE id = x AND project_id = canvas_project())"),
    "canvas_step_ok(x varchar)": ("boolean",
        "SELECT EXISTS (SELECT 1 FROM agenda_step s JOIN meeting m ON m.id = s.meeting_id "
        "WHERE s.id = x AND m.project_id = canvas_project())"),
    "canvas_step_revealed(x varchar)": ("boolean",
        "SELECT EXISTS (SELECT 1 FROM agenda_step WHERE id = x AND revealed_at IS NOT NULL)"),
    # a question whose others' keywords a running "think first" step keeps from members for now
    "canvas_prompt_thinking(p varchar)": ("boolean",
        "SELECT EXISTS (SELECT 1 FROM agenda_step s JOIN meeting m ON m.id = s.meeting_id "
        f"WHERE s.prompt_id = p AND s.kind = 'keywords' AND s.think_first AND s.revealed_at IS NULL "
        f"AND {RUNNING})"),
    "canvas_keywords_added(p varchar)": ("bigint",
        "SELECT count(*) FROM contribution c JOIN prompt q ON q.id = c.prompt_id "
        "WHERE c.prompt_id = p AND q.project_id = canvas_project() AND NOT c.withdrawn AND NOT c.hidden"),
    # the one place a dot is allowed: the current, unrevealed vote step of a running meeting, a
    # visible keyword of its question, dots left, and a second dot on one keyword only if allowed
    "canvas_vote_ok(st varchar, c varchar)": ("boolean", f"""
        SELECT EXISTS (
            SELECT 1 FROM agenda_step s JOIN meeting m ON m.id = s.meeting_id
            JOIN contribution k ON k.id = c AND k.prompt_id = s.prompt_id
            WHERE s.id = st AND s.kind = 'vote' AND s.revealed_at IS NULL AND {RUNNING}
              AND m.project_id = canvas_project() AND NOT k.hidden AND NOT k.withdrawn
              AND s.opened_at = (SELECT max(o.opened_at) FROM agenda_step o WHERE o.meeting_id = m.id)
              AND (SELECT count(*) FROM vote v WHERE v.step_id = st AND v.member_id = canvas_member())
                  < s.dots
              AND (s.several_on_one OR NOT EXISTS (SELECT 1 FROM vote v WHERE v.step_id = st
                   AND v.member_id = canvas_member() AND v.contribution_id = c)))"""),
}

ME = "canvas_member()"
FACILITATOR = "canvas_kind() = 'facilitator'"
ANYONE = "canvas_kind() IS NOT NULL"
SCOPE = {
    "agenda_step": "canvas_meeting_ok(meeting_id)",
    "vote": "canvas_step_ok(step_id)",
    "ask": "canvas_meeting_ok(meeting_id)",
    "attendance": "canvas_meeting_ok(meeting_id)",
}
MEMBER_POLICIES = [
    ("agenda_step", "read", "SELECT", "{scope}", None),
    ("vote", "read", "SELECT", f"{{scope}} AND (member_id = {ME} OR canvas_step_revealed(step_id))", None),
    ("vote", "add", "INSERT", None,
     f"{{scope}} AND member_id = {ME} AND canvas_vote_ok(step_id, contribution_id)"),
    ("vote", "take_back", "DELETE", f"member_id = {ME} AND NOT canvas_step_revealed(step_id)", None),
    ("ask", "read_own", "SELECT", f"{{scope}} AND member_id = {ME}", None),
    ("ask", "add", "INSERT", None, f"{{scope}} AND member_id = {ME} AND answered_at IS NULL"),
]
GRANTS = {
    "agenda_step": ("SELECT", "SELECT, INSERT, UPDATE, DELETE"),
    "vote": ("SELECT, INSERT, DELETE", "SELECT, INSERT, UPDATE, DELETE"),
    "ask": ("SELECT, INSERT", "SELECT, INSERT, UPDATE, DELETE"),
    "attendance": (None, "SELECT, INSERT, UPDATE, DELETE"),
}
# 0008's contribution read policy, and the one that keeps others' keywords back while thinking
CONTRIBUTION_READ_0008 = "canvas_prompt_ok(prompt_id) AND NOT hidden AND NOT withdrawn"
CONTRIBUTION_READ = (f"{CONTRIBUTION_READ_0008} AND (member_id = {ME} "
                     "OR NOT canvas_prompt_thinking(prompt_id))")


def _grant_block() -> str:
    lines = []
    for table, (member, facilitator) in GRANTS.items():
        for privileges, role in ((member, "m"), (facilitator, "f")):
            if privileges:
                lines.append(f"EXECUTE format('GRANT {privileges} ON {table} TO %I', {role});")
    for fn in FUNCTIONS:
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
    for table, scope in SCOPE.items():
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


def _contribution_read(using: str) -> list[str]:
    return ["DROP POLICY IF EXISTS member_read ON contribution",
            f"CREATE POLICY member_read ON contribution FOR SELECT USING ({ANYONE} AND {using})"]


def upgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        for name in MEETING_COLUMNS:
            batch_op.add_column(sa.Column(name, TIME, nullable=True))
        batch_op.create_check_constraint(
            'planned_order', 'ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at')
        batch_op.create_check_constraint(
            'run_order', 'ended_at IS NULL OR (started_at IS NOT NULL AND ended_at >= started_at)')
    op.create_table(
        'agenda_step',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('meeting_id', sa.String(36), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('title', sa.String(200), nullable=False),
        sa.Column('prompt_id', sa.String(36), nullable=True),
        sa.Column('dots', sa.Integer(), nullable=False),
        sa.Column('several_on_one', sa.Boolean(), nullable=False),
        sa.Column('think_first', sa.Boolean(), nullable=False),
        sa.Column('opened_at', TIME, nullable=True),
        sa.Column('revealed_at', TIME, nullable=True),
        sa.Column('created_at', TIME, nullable=False),
        sa.CheckConstraint("kind IN ('talk', 'keywords', 'vote', 'draft', 'break')", name='kind'),
        sa.CheckConstraint('length(trim(title)) > 0', name='title_nonblank'),
        sa.CheckConstraint('dots >= 1 AND dots <= 20', name='dots'),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['prompt_id'], ['prompt.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_agenda_step_meeting_id', 'agenda_step', ['meeting_id'])
    op.create_table(
        'vote',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('step_id', sa.String(36), nullable=False),
        sa.Column('member_id', sa.String(36), nullable=False),
        sa.Column('contribution_id', sa.String(36), nullable=False),
        sa.Column('created_at', TIME, nullable=False),
        sa.ForeignKeyConstraint(['step_id'], ['agenda_step.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['contribution_id'], ['contribution.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    for column in ('step_id', 'member_id', 'contribution_id'):
        op.create_index(f'ix_vote_{column}', 'vote', [column])
    op.create_index('ix_vote_step_member', 'vote', ['step_id', 'member_id'])
    op.create_table(
        'ask',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('meeting_id', sa.String(36), nullable=False),
        sa.Column('member_id', sa.String(36), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('created_at', TIME, nullable=False),
        sa.Column('answered_at', TIME, nullable=True),
        sa.Column('answered_by', sa.String(36), nullable=True),
        sa.CheckConstraint("kind IN ('break', 'again', 'speak')", name='kind'),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['answered_by'], ['member.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_ask_meeting_id', 'ask', ['meeting_id'])
    op.create_index('ix_ask_member_id', 'ask', ['member_id'])
    op.create_index('ix_ask_waiting', 'ask', ['meeting_id', 'answered_at', 'created_at'])
    op.create_table(
        'attendance',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('meeting_id', sa.String(36), nullable=False),
        sa.Column('member_id', sa.String(36), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=True),
        sa.Column('created_at', TIME, nullable=False),
        sa.Column('updated_at', TIME, nullable=False),
        sa.CheckConstraint('minutes IS NULL OR minutes >= 0', name='minutes'),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('meeting_id', 'member_id'),
    )
    op.create_index('ix_attendance_meeting_id', 'attendance', ['meeting_id'])
    op.create_index('ix_attendance_member_id', 'attendance', ['member_id'])
    if op.get_bind().dialect.name != "postgresql":
        return
    for signature, (returns, body) in FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {signature} RETURNS {returns} LANGUAGE sql STABLE "
                   f"SECURITY DEFINER SET search_path = public, pg_temp AS $${body}$$")
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
    for statement in [*_policies(), *_contribution_read(CONTRIBUTION_READ)]:
        op.execute(statement)
    for table in GRANTS:
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
    op.execute(_grant_block())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _contribution_read(CONTRIBUTION_READ_0008):
            op.execute(statement)
    for table in ('attendance', 'ask', 'vote', 'agenda_step'):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        for signature in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_constraint('run_order', type_='check')
        batch_op.drop_constraint('planned_order', type_='check')
        for name in reversed(MEETING_COLUMNS):
            batch_op.drop_column(name)
