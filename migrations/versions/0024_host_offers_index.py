"""The index the hosts page reads members' offers by: newest first.

Revision ID: 0024
Revises: 0023
"""
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_host_offers_created', 'host_offers', ['created_at', 'user_id'])


def downgrade():
    op.drop_index('ix_host_offers_created', table_name='host_offers')
