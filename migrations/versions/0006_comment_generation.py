"""Comments get a generation of their own: a comment makes its idea's page stale at once,
and lists (which only count comments) within a second, as a vote does
(services/freshness.py).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('board_state') as batch:
        batch.add_column(sa.Column('comment_generation', sa.BigInteger(), nullable=False,
                                   server_default='0'))


def downgrade():
    with op.batch_alter_table('board_state') as batch:
        batch.drop_column('comment_generation')
