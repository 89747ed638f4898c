"""Host nominations with the nominee's consent, and members' offers to host.

Revision ID: 0023
Revises: 0022
"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: a batch copy of the table would drop the search triggers on it.
    op.add_column('ideas', sa.Column('awaiting_consent', sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.create_table(
        'nominations',
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('handle', sa.String(length=50), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('consent', sa.Enum('not_asked', 'awaiting', 'accepted', 'declined',
                                     name='consent', native_enum=False, create_constraint=True,
                                     length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'],
                                name=op.f('fk_nominations_idea_id_ideas'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('idea_id', name=op.f('pk_nominations')),
    )
    op.create_index('ix_nominations_email', 'nominations', ['email', 'created_at'])
    op.create_table(
        'host_offers',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('topics', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_host_offers_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_host_offers')),
    )


def downgrade():
    op.drop_table('host_offers')
    op.drop_index('ix_nominations_email', table_name='nominations')
    op.drop_table('nominations')
    op.drop_column('ideas', 'awaiting_consent')  # SQLite 3.35+ drops a column in place
