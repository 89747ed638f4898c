"""Email verification: when a member confirmed their address. Accounts made before this
count as confirmed: they signed up under the old rules, and no link was ever sent them.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('email_verified_at', sa.DateTime(), nullable=True))
    op.execute('UPDATE users SET email_verified_at = created_at')


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('email_verified_at')
