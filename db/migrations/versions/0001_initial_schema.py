"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('project',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('facilitator_secret', sa.String(length=300), nullable=True),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_project_name_nonblank')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project')),
    sa.UniqueConstraint('name', name=op.f('uq_project_name'))
    )
    op.create_table('meeting',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_meeting_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_project_id'), ['project_id'], unique=False)

    op.create_table('member',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('consent_date', sa.Date(), nullable=True),
    sa.Column('consent_participate', sa.Boolean(), nullable=False),
    sa.Column('consent_quote', sa.Boolean(), nullable=False),
    sa.Column('credit', sa.String(length=20), nullable=True),
    sa.Column('keep_until', sa.Date(), nullable=True),
    sa.Column('anonymous_default', sa.Boolean(), nullable=False),
    sa.Column('access_profile', sa.JSON(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("credit IS NULL OR credit IN ('named', 'anonymous')", name=op.f('ck_member_credit')),
    sa.CheckConstraint("role IN ('participant', 'facilitator')", name=op.f('ck_member_role')),
    sa.CheckConstraint('length(trim(display_name)) > 0', name=op.f('ck_member_display_name_nonblank')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_member_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('project_id', 'display_name', name=op.f('uq_member_project_id_display_name'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_project_id'), ['project_id'], unique=False)

    op.create_table('prompt',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('pair_role', sa.String(length=10), nullable=True),
    sa.Column('paired_with_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("pair_role IS NULL OR pair_role IN ('now', 'future')", name=op.f('ck_prompt_pair_role')),
    sa.CheckConstraint('length(trim(text)) > 0', name=op.f('ck_prompt_text_nonblank')),
    sa.ForeignKeyConstraint(['paired_with_id'], ['prompt.id'], name=op.f('fk_prompt_paired_with_id_prompt'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_prompt_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prompt'))
    )
    with op.batch_alter_table('prompt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prompt_project_id'), ['project_id'], unique=False)

    op.create_table('definition',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('prompt_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['prompt_id'], ['prompt.id'], name=op.f('fk_definition_prompt_id_prompt'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_definition')),
    sa.UniqueConstraint('prompt_id', name=op.f('uq_definition_prompt_id'))
    )
    op.create_table('event',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=True),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('target_kind', sa.String(length=30), nullable=False),
    sa.Column('target_id', sa.String(length=36), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_event_member_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_event_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_project_id'), ['project_id'], unique=False)

    op.create_table('in_progress_text',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('target', sa.String(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_in_progress_text_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_in_progress_text')),
    sa.UniqueConstraint('member_id', 'target', name=op.f('uq_in_progress_text_member_id_target'))
    )
    with op.batch_alter_table('in_progress_text', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_in_progress_text_member_id'), ['member_id'], unique=False)

    op.create_table('theme',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('prompt_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_theme_name_nonblank')),
    sa.ForeignKeyConstraint(['prompt_id'], ['prompt.id'], name=op.f('fk_theme_prompt_id_prompt'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme'))
    )
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_prompt_id'), ['prompt_id'], unique=False)

    op.create_table('contribution',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('prompt_id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=True),
    sa.Column('meeting_id', sa.String(length=36), nullable=True),
    sa.Column('theme_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('keyword', 'phrase', 'experience')", name=op.f('ck_contribution_kind')),
    sa.CheckConstraint('length(text) <= 2000', name=op.f('ck_contribution_text_length')),
    sa.CheckConstraint('length(trim(text)) > 0', name=op.f('ck_contribution_text_nonblank')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_contribution_meeting_id_meeting'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_contribution_member_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['prompt_id'], ['prompt.id'], name=op.f('fk_contribution_prompt_id_prompt'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_contribution_theme_id_theme'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contribution'))
    )
    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contribution_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contribution_prompt_id'), ['prompt_id'], unique=False)

    op.create_table('draft_version',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('definition_id', sa.String(length=36), nullable=False),
    sa.Column('parent_id', sa.String(length=36), nullable=True),
    sa.Column('author_id', sa.String(length=36), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(text) <= 20000', name=op.f('ck_draft_version_text_length')),
    sa.CheckConstraint('length(trim(text)) > 0', name=op.f('ck_draft_version_text_nonblank')),
    sa.ForeignKeyConstraint(['author_id'], ['member.id'], name=op.f('fk_draft_version_author_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['definition_id'], ['definition.id'], name=op.f('fk_draft_version_definition_id_definition'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['draft_version.id'], name=op.f('fk_draft_version_parent_id_draft_version'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_version'))
    )
    with op.batch_alter_table('draft_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_version_definition_id'), ['definition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_draft_version_parent_id'), ['parent_id'], unique=False)

    op.create_table('comment',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version_id', sa.String(length=36), nullable=True),
    sa.Column('contribution_id', sa.String(length=36), nullable=True),
    sa.Column('member_id', sa.String(length=36), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(version_id IS NULL) <> (contribution_id IS NULL)', name=op.f('ck_comment_one_target')),
    sa.CheckConstraint('length(trim(text)) > 0', name=op.f('ck_comment_text_nonblank')),
    sa.ForeignKeyConstraint(['contribution_id'], ['contribution.id'], name=op.f('fk_comment_contribution_id_contribution'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_comment_member_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['draft_version.id'], name=op.f('fk_comment_version_id_draft_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment'))
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_contribution_id'), ['contribution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_version_id'), ['version_id'], unique=False)

    op.create_table('endorsement',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('contribution_id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contribution_id'], ['contribution.id'], name=op.f('fk_endorsement_contribution_id_contribution'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_endorsement_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_endorsement')),
    sa.UniqueConstraint('contribution_id', 'member_id', name=op.f('uq_endorsement_contribution_id_member_id'))
    )
    with op.batch_alter_table('endorsement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_endorsement_contribution_id'), ['contribution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_endorsement_member_id'), ['member_id'], unique=False)

    op.create_table('review_note',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version_id', sa.String(length=36), nullable=False),
    sa.Column('author_id', sa.String(length=36), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IS NULL OR decision IN ('agreed', 'final')", name=op.f('ck_review_note_decision')),
    sa.ForeignKeyConstraint(['author_id'], ['member.id'], name=op.f('fk_review_note_author_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['draft_version.id'], name=op.f('fk_review_note_version_id_draft_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_note'))
    )
    with op.batch_alter_table('review_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_note_version_id'), ['version_id'], unique=False)

    op.create_table('stance',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version_id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("position IN ('agree', 'unsure', 'disagree')", name=op.f('ck_stance_position')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_stance_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['draft_version.id'], name=op.f('fk_stance_version_id_draft_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stance')),
    sa.UniqueConstraint('version_id', 'member_id', name=op.f('uq_stance_version_id_member_id'))
    )
    with op.batch_alter_table('stance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stance_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stance_version_id'), ['version_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('stance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stance_version_id'))
        batch_op.drop_index(batch_op.f('ix_stance_member_id'))

    op.drop_table('stance')
    with op.batch_alter_table('review_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_note_version_id'))

    op.drop_table('review_note')
    with op.batch_alter_table('endorsement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_endorsement_member_id'))
        batch_op.drop_index(batch_op.f('ix_endorsement_contribution_id'))

    op.drop_table('endorsement')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_version_id'))
        batch_op.drop_index(batch_op.f('ix_comment_contribution_id'))

    op.drop_table('comment')
    with op.batch_alter_table('draft_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_version_parent_id'))
        batch_op.drop_index(batch_op.f('ix_draft_version_definition_id'))

    op.drop_table('draft_version')
    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contribution_prompt_id'))
        batch_op.drop_index(batch_op.f('ix_contribution_member_id'))

    op.drop_table('contribution')
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_prompt_id'))

    op.drop_table('theme')
    with op.batch_alter_table('in_progress_text', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_in_progress_text_member_id'))

    op.drop_table('in_progress_text')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_project_id'))
        batch_op.drop_index(batch_op.f('ix_event_member_id'))

    op.drop_table('event')
    op.drop_table('definition')
    with op.batch_alter_table('prompt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prompt_project_id'))

    op.drop_table('prompt')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_project_id'))

    op.drop_table('member')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_project_id'))

    op.drop_table('meeting')
    op.drop_table('project')

