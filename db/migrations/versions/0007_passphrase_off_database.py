"""project: the facilitator's passphrase hash leaves the database

The hash (and the throttle, which was read from the audit log) now live in a file on the
facilitator's computer beside the project's signing key (app/services/review/passphrase.py), so
that nothing of them travels in a bundle or sits in a shared database. The old scrypt hash is
dropped, not moved: the facilitator sets a new passphrase (argon2id, the stricter rules) the next
time facilitator mode is opened on the computer that holds the signing key.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('facilitator_secret')


def downgrade() -> None:
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facilitator_secret', sa.String(length=300), nullable=True))
