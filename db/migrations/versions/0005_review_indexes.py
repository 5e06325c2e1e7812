"""indexes: the facilitator's dashboard (by theme) and audit log (newest first, by action or member)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The dashboard counts a prompt's keywords per theme and lists one theme's keywords a page at
    # a time; the audit log lists a page of events newest first, all or by action or by member.
    # With these indexes each reads only what it shows (no sort, no table scan).
    op.create_index('ix_contribution_theme', 'contribution',
                    ['prompt_id', 'withdrawn', 'theme_id', 'hidden', 'created_at', 'id'], unique=False)
    op.create_index('ix_event_listing', 'event', ['project_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_event_action', 'event', ['project_id', 'action', 'created_at', 'id'], unique=False)
    op.create_index('ix_event_member', 'event', ['project_id', 'member_id', 'created_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_event_member', table_name='event')
    op.drop_index('ix_event_action', table_name='event')
    op.drop_index('ix_event_listing', table_name='event')
    op.drop_index('ix_contribution_theme', table_name='contribution')
