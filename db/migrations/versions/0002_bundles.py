"""bundles: this machine's id and the log of bundles sent and received

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('local_machine',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('singleton', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('singleton = 1', name=op.f('ck_local_machine_singleton')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_local_machine')),
    sa.UniqueConstraint('singleton', name=op.f('uq_local_machine_singleton'))
    )
    op.create_table('bundle_log',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('bundle_id', sa.String(length=36), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=False),
    sa.Column('machine_id', sa.String(length=36), nullable=False),
    sa.Column('oldest_change', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('sent', 'received')", name=op.f('ck_bundle_log_direction')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_bundle_log_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bundle_log'))
    )
    with op.batch_alter_table('bundle_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bundle_log_bundle_id'), ['bundle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bundle_log_machine_id'), ['machine_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bundle_log_project_id'), ['project_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('bundle_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bundle_log_project_id'))
        batch_op.drop_index(batch_op.f('ix_bundle_log_machine_id'))
        batch_op.drop_index(batch_op.f('ix_bundle_log_bundle_id'))

    op.drop_table('bundle_log')
    op.drop_table('local_machine')
