"""Votes get a generation of their own, so that a vote does not throw away every cached page
at once (pages may show votes up to a second late; services/freshness.py).

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('board_state') as batch:
        batch.add_column(sa.Column('vote_generation', sa.BigInteger(), nullable=False,
                                   server_default='0'))


def downgrade():
    with op.batch_alter_table('board_state') as batch:
        batch.drop_column('vote_generation')
