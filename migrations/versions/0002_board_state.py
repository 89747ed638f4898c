"""Board state: the generation counter that keys cached pages.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    board_state = op.create_table(
        'board_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('generation', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_board_state')),
    )
    op.bulk_insert(board_state, [{'id': 1, 'generation': 0}])


def downgrade():
    op.drop_table('board_state')
