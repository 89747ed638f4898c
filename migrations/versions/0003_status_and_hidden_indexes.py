"""Indexes for filtering by status in every order, and for the caretaker's hidden ideas.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

PUBLIC = sa.text('hidden_at IS NULL AND withdrawn_at IS NULL')
HIDDEN = sa.text('hidden_at IS NOT NULL')
STATUS_INDEXES = {
    'ix_ideas_status_top': ['status', 'vote_count', 'created_at', 'id'],
    'ix_ideas_status_trending': ['status', 'trending_score', 'created_at', 'id'],
    'ix_ideas_status_new': ['status', 'created_at', 'id'],
    'ix_ideas_status_discussed': ['status', 'comment_count', 'created_at', 'id'],
}


def upgrade():
    for name, columns in STATUS_INDEXES.items():
        op.create_index(name, 'ideas', columns, sqlite_where=PUBLIC, postgresql_where=PUBLIC)
    op.create_index('ix_ideas_hidden', 'ideas', ['hidden_at', 'id'],
                    sqlite_where=HIDDEN, postgresql_where=HIDDEN)


def downgrade():
    op.drop_index('ix_ideas_hidden', table_name='ideas')
    for name in STATUS_INDEXES:
        op.drop_index(name, table_name='ideas')
