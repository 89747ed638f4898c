"""Private notes to the caretaker, and invitations to become caretaker.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sender_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.Column('archived_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['sender_id'], ['users.id'],
                                name=op.f('fk_messages_sender_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    )
    op.create_index('ix_messages_inbox', 'messages', ['archived_at', 'id'])
    op.create_table(
        'caretaker_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('inviter_id', sa.Integer(), nullable=False),
        sa.Column('invitee_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('accepted', sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(['invitee_id'], ['users.id'],
                                name=op.f('fk_caretaker_invitations_invitee_id_users')),
        sa.ForeignKeyConstraint(['inviter_id'], ['users.id'],
                                name=op.f('fk_caretaker_invitations_inviter_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_caretaker_invitations')),
    )
    op.create_index('ix_caretaker_invitations_invitee', 'caretaker_invitations',
                    ['invitee_id', 'answered_at'])


def downgrade():
    op.drop_index('ix_caretaker_invitations_invitee', table_name='caretaker_invitations')
    op.drop_table('caretaker_invitations')
    op.drop_index('ix_messages_inbox', table_name='messages')
    op.drop_table('messages')
