"""involvement: the facilitator's record of each member's preparation time and expenses, and
the payment records kept after a withdrawal

Revision ID: 0011_involvement
Revises: 0010_meetings
Create Date: 2026-12-02

Both tables are the facilitator's personal data. On PostgreSQL they get row-level security
with only the facilitator's policy (their own project's rows) and grants to the facilitator's
group role alone: a member's login can neither read nor write a row of them, in any project.
A payment record is never changed once made (no UPDATE grant): it is what was paid.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011_involvement'
down_revision: str | None = '0010_meetings'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FACILITATOR_ONLY = {  # table -> the facilitator's privileges; members get none
    "involvement": "SELECT, INSERT, UPDATE, DELETE",
    "payment_record": "SELECT, INSERT, DELETE",
}
IN_PROJECT = "canvas_kind() = 'facilitator' AND project_id = canvas_project()"


def upgrade() -> None:
    op.create_table(
        'involvement',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('project_id', sa.String(length=36), nullable=False),
        sa.Column('member_id', sa.String(length=36), nullable=False),
        sa.Column('meeting_id', sa.String(length=36), nullable=True),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('preparation_minutes', sa.Integer(), nullable=False),
        sa.Column('expenses_pence', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('preparation_minutes >= 0 AND preparation_minutes <= 10080',
                           name=op.f('ck_involvement_preparation_minutes')),
        sa.CheckConstraint('expenses_pence >= 0 AND expenses_pence <= 1000000',
                           name=op.f('ck_involvement_expenses_pence')),
        sa.CheckConstraint('length(note) <= 1000', name=op.f('ck_involvement_note_length')),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_involvement_project_id_project'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_involvement_member_id_member'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_involvement_meeting_id_meeting'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_involvement')),
    )
    with op.batch_alter_table('involvement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_involvement_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_involvement_member_day', ['member_id', 'held_on'], unique=False)
    op.create_table(
        'payment_record',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('project_id', sa.String(length=36), nullable=False),
        sa.Column('member_id', sa.String(length=36), nullable=True),
        sa.Column('pseudonym', sa.String(length=100), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=True),
        sa.Column('last_day', sa.Date(), nullable=True),
        sa.Column('meetings', sa.Integer(), nullable=False),
        sa.Column('meeting_minutes', sa.Integer(), nullable=False),
        sa.Column('preparation_minutes', sa.Integer(), nullable=False),
        sa.Column('expenses_pence', sa.Integer(), nullable=False),
        sa.Column('lines', sa.JSON(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('meetings >= 0 AND meeting_minutes >= 0 AND preparation_minutes >= 0 '
                           'AND expenses_pence >= 0', name=op.f('ck_payment_record_not_negative')),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'],
                                name=op.f('fk_payment_record_project_id_project'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_payment_record_member_id_member'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_record')),
    )
    with op.batch_alter_table('payment_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_record_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_record_member_id'), ['member_id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        _secure()


def _secure() -> None:
    """Row-level security and grants as 0008 gives every table, the facilitator's alone."""
    grants = []
    for table, privileges in FACILITATOR_ONLY.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY facilitator_all ON {table} FOR ALL "
                   f"USING ({IN_PROJECT}) WITH CHECK ({IN_PROJECT})")
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        grants.append(f"EXECUTE format('GRANT {privileges} ON {table} TO %I', f);")
    body = "\n        ".join(grants)
    op.execute(f"""
DO $$
DECLARE
    f text := left(current_database(), 40) || '_facilitator';
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = f) THEN
        {body}
    END IF;
END $$""")


def downgrade() -> None:
    with op.batch_alter_table('payment_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_record_member_id'))
        batch_op.drop_index(batch_op.f('ix_payment_record_project_id'))
    op.drop_table('payment_record')
    with op.batch_alter_table('involvement', schema=None) as batch_op:
        batch_op.drop_index('ix_involvement_member_day')
        batch_op.drop_index(batch_op.f('ix_involvement_project_id'))
    op.drop_table('involvement')
