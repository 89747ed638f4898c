"""The caretaker's reviews (a snapshot of the top ideas and a public summary), and the
indexes /decisions reads status changes by: newest first, and newest first of one status.

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

PUBLISHED = sa.text('published_at IS NOT NULL')


def upgrade():
    op.create_table(
        'reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('started_by_id', sa.Integer(), nullable=True),
        sa.Column('summary', sa.Text(), nullable=True),
        sa.Column('summary_html', sa.Text(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['started_by_id'], ['users.id'],
                                name=op.f('fk_reviews_started_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    )
    op.create_index('ix_reviews_published', 'reviews', ['published_at', 'id'],
                    sqlite_where=PUBLISHED, postgresql_where=PUBLISHED)
    op.create_table(
        'review_entries',
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('vote_count', sa.Integer(), nullable=False),
        sa.Column('trending', sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'],
                                name=op.f('fk_review_entries_idea_id_ideas'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['review_id'], ['reviews.id'],
                                name=op.f('fk_review_entries_review_id_reviews'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('review_id', 'rank', name=op.f('pk_review_entries')),
    )
    op.create_index(op.f('ix_review_entries_idea_id'), 'review_entries', ['idea_id'])
    op.create_index('ix_status_changes_created', 'status_changes', ['created_at', 'id'])
    op.create_index('ix_status_changes_status', 'status_changes',
                    ['to_status', 'created_at', 'id'])


def downgrade():
    op.drop_index('ix_status_changes_status', table_name='status_changes')
    op.drop_index('ix_status_changes_created', table_name='status_changes')
    op.drop_table('review_entries')
    op.drop_table('reviews')
