"""Chats planned from ideas: time, host, questions, and the ideas they came from.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'chats',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=140), nullable=False),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('time_zone', sa.String(length=64), nullable=False),
        sa.Column('duration_minutes', sa.Integer(), nullable=False),
        sa.Column('host_id', sa.Integer(), nullable=True),
        sa.Column('host_handle', sa.String(length=50), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('done_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('host_id IS NOT NULL OR host_handle IS NOT NULL',
                           name=op.f('ck_chats_has_host')),
        sa.ForeignKeyConstraint(['host_id'], ['users.id'], name=op.f('fk_chats_host_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_chats')),
    )
    op.create_index('ix_chats_starts', 'chats', ['starts_at', 'id'])
    op.create_table(
        'chat_ideas',
        sa.Column('chat_id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['chat_id'], ['chats.id'], ondelete='CASCADE',
                                name=op.f('fk_chat_ideas_chat_id_chats')),
        sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], ondelete='CASCADE',
                                name=op.f('fk_chat_ideas_idea_id_ideas')),
        sa.PrimaryKeyConstraint('chat_id', 'idea_id', name=op.f('pk_chat_ideas')),
    )
    op.create_index(op.f('ix_chat_ideas_idea_id'), 'chat_ideas', ['idea_id'])
    op.create_table(
        'chat_questions',
        sa.Column('chat_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['chat_id'], ['chats.id'], ondelete='CASCADE',
                                name=op.f('fk_chat_questions_chat_id_chats')),
        sa.PrimaryKeyConstraint('chat_id', 'position', name=op.f('pk_chat_questions')),
    )


def downgrade():
    op.drop_table('chat_questions')
    op.drop_index(op.f('ix_chat_ideas_idea_id'), table_name='chat_ideas')
    op.drop_table('chat_ideas')
    op.drop_index('ix_chats_starts', table_name='chats')
    op.drop_table('chats')
