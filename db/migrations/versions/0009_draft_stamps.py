"""in_progress_text: each kept text says when and on which computer it was written, and keeps
the earlier draft it replaced

So that unsaved text can never go backwards (issue 15): on opening, the newer of the database's
copy and this computer's copy (`unsaved-text.json`) wins by `written_at`, not by where it came
from, and the other is kept here as the earlier draft the member can bring back, never thrown
away.

- `written_at`: when the member wrote the text (on their computer), which a copy handed back to
  the database later keeps; `updated_at` stays the time the row last changed.
- `written_on`: which computer wrote it (the id in that computer's data folder).
- `earlier_text`, `earlier_cursor`, `earlier_written_at`, `earlier_written_on`: the earlier draft.

The columns are added in place: the table keeps its grants and row-level-security policies from
0008 (a member's grants on this table name no columns, so they cover the new ones too).

Revision ID: 0009_draft_stamps
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009_draft_stamps'
down_revision: str | None = '0008'  # the revision id of 0008_shared_roles.py
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ('written_at', sa.DateTime(timezone=True)),
    ('written_on', sa.String(length=64)),
    ('earlier_text', sa.Text()),
    ('earlier_cursor', sa.Integer()),
    ('earlier_written_at', sa.DateTime(timezone=True)),
    ('earlier_written_on', sa.String(length=64)),
)


def upgrade() -> None:
    with op.batch_alter_table('in_progress_text', schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('in_progress_text', schema=None) as batch_op:
        for name, _type in reversed(COLUMNS):
            batch_op.drop_column(name)
