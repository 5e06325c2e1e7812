"""indexes: contributions and draft versions by the time they were recorded

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Each keyboard's predictions catch up with the texts recorded since the last one
    # (WordService.project_texts_since): with these it reads those few rows, not the whole table.
    op.create_index('ix_contribution_created', 'contribution', ['created_at'], unique=False)
    op.create_index('ix_draft_version_created', 'draft_version', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_draft_version_created', table_name='draft_version')
    op.drop_index('ix_contribution_created', table_name='contribution')
