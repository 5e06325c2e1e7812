"""indexes: a prompt's visible contributions in order, for paged screens

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The prompt screen reads one page of a prompt's visible contributions, oldest first, and
    # counts them: with this index both read only what they show (no sort, no table scan).
    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.create_index('ix_contribution_listing',
                              ['prompt_id', 'hidden', 'withdrawn', 'created_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.drop_index('ix_contribution_listing')
