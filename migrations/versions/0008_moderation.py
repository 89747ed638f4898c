"""Moderation: comments that wait for approval, flags, suspended members, board settings.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

HELD = sa.text('held_at IS NOT NULL')
OPEN = sa.text('resolved_at IS NULL')


def upgrade():
    op.create_table(
        'board_settings',
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_board_settings')),
    )
    op.create_table(
        'flags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=True),
        sa.Column('comment_id', sa.Integer(), nullable=True),
        sa.Column('reporter_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=40), nullable=False),
        sa.Column('details', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('(idea_id IS NULL) <> (comment_id IS NULL)',
                           name=op.f('ck_flags_one_thing')),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], ondelete='CASCADE',
                                name=op.f('fk_flags_comment_id_comments')),
        sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], ondelete='CASCADE',
                                name=op.f('fk_flags_idea_id_ideas')),
        sa.ForeignKeyConstraint(['reporter_id'], ['users.id'],
                                name=op.f('fk_flags_reporter_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_flags')),
    )
    op.create_index(op.f('ix_flags_comment_id'), 'flags', ['comment_id'])
    op.create_index(op.f('ix_flags_idea_id'), 'flags', ['idea_id'])
    op.create_index('ix_flags_open', 'flags', ['created_at', 'id'],
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.add_column('comments', sa.Column('held_at', sa.DateTime(), nullable=True))
    op.create_index('ix_comments_held', 'comments', ['held_at', 'id'],
                    sqlite_where=HELD, postgresql_where=HELD)
    op.add_column('users', sa.Column('suspended_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('suspended_at')
    op.drop_index('ix_comments_held', table_name='comments')
    with op.batch_alter_table('comments') as batch:
        batch.drop_column('held_at')
    op.drop_table('flags')
    op.drop_table('board_settings')
