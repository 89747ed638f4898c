"""The outbox: e-mail queued with the change it tells of, sent later by the worker.

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

PENDING = sa.text('sent_at IS NULL AND failed_at IS NULL')
FAILED = sa.text('failed_at IS NOT NULL')


def upgrade():
    op.create_table(
        'outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('text_body', sa.Text(), nullable=False),
        sa.Column('html_body', sa.Text(), nullable=False),
        sa.Column('headers', sa.JSON(), nullable=False),
        sa.Column('dedupe_key', sa.String(length=120), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('claimed_until', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('failed_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_dedupe_key')),
    )
    op.create_index('ix_outbox_due', 'outbox', ['next_attempt_at', 'id'],
                    sqlite_where=PENDING, postgresql_where=PENDING)
    op.create_index('ix_outbox_failed', 'outbox', ['failed_at', 'id'],
                    sqlite_where=FAILED, postgresql_where=FAILED)


def downgrade():
    op.drop_index('ix_outbox_failed', table_name='outbox')
    op.drop_index('ix_outbox_due', table_name='outbox')
    op.drop_table('outbox')
