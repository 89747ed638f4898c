"""Members' profiles (a short bio, their handle on the chat's network), and the indexes
for a member's ideas, comments and votes, newest first (which cover the single-column
author indexes they replace).

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('bio', sa.String(length=300), nullable=True))
    op.add_column('users', sa.Column('handle', sa.String(length=30), nullable=True))
    op.create_index('ix_ideas_author', 'ideas', ['author_id', 'created_at', 'id'])
    op.drop_index('ix_ideas_author_id', table_name='ideas')
    op.create_index('ix_comments_author', 'comments', ['author_id', 'created_at', 'id'])
    op.drop_index('ix_comments_author_id', table_name='comments')
    op.create_index('ix_votes_user_created', 'votes', ['user_id', 'created_at'])


def downgrade():
    op.drop_index('ix_votes_user_created', table_name='votes')
    op.create_index('ix_comments_author_id', 'comments', ['author_id'])
    op.drop_index('ix_comments_author', table_name='comments')
    op.create_index('ix_ideas_author_id', 'ideas', ['author_id'])
    op.drop_index('ix_ideas_author', table_name='ideas')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('handle')
        batch.drop_column('bio')
