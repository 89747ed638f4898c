"""Visitors subscribed to the weekly digest by email (double opt-in), and how far a digest
run got through them.

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

RECEIVING = sa.text('confirmed_at IS NOT NULL AND unsubscribed_at IS NULL')


def upgrade():
    op.create_table(
        'subscribers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('confirmation_sent_at', sa.DateTime(), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('unsubscribed_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subscribers')),
        sa.UniqueConstraint('email', name=op.f('uq_subscribers_email')),
    )
    op.create_index('ix_subscribers_receiving', 'subscribers', ['id'],
                    sqlite_where=RECEIVING, postgresql_where=RECEIVING)
    with op.batch_alter_table('digest_runs') as batch:
        batch.add_column(sa.Column('last_subscriber_id', sa.Integer(), nullable=False,
                                   server_default='0'))


def downgrade():
    with op.batch_alter_table('digest_runs') as batch:
        batch.drop_column('last_subscriber_id')
    op.drop_index('ix_subscribers_receiving', table_name='subscribers')
    op.drop_table('subscribers')
