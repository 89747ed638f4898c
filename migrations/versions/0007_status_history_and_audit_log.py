"""Each idea's status history, and the audit log of caretaker actions.

Ideas answered before this revision get one history entry each (from Open to their status,
with their response, by no one in particular), so their pages do not lose what was decided.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

STATUSES = ('open', 'under_review', 'planned', 'in_progress', 'done', 'declined')
KINDS = ('status', 'response', 'merge', 'unmerge', 'hide', 'restore', 'approve', 'dismiss',
         'delete', 'suspend', 'unsuspend', 'settings', 'role', 'invite', 'chat')


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade():
    op.create_table(
        'status_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('from_status', _enum(STATUSES, 'from_status'), nullable=False),
        sa.Column('to_status', _enum(STATUSES, 'to_status'), nullable=False),
        sa.Column('response_html', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                                name=op.f('fk_status_changes_actor_id_users')),
        sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], ondelete='CASCADE',
                                name=op.f('fk_status_changes_idea_id_ideas')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_status_changes')),
    )
    op.create_index('ix_status_changes_idea', 'status_changes', ['idea_id', 'id'])
    op.execute(
        "INSERT INTO status_changes (idea_id, actor_id, from_status, to_status, response_html,"
        " created_at) SELECT id, NULL, 'open', status, official_response_html,"
        " coalesce(responded_at, updated_at) FROM ideas"
        " WHERE status <> 'open' OR official_response IS NOT NULL"
    )
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=50), nullable=False),
        sa.Column('kind', _enum(KINDS, 'audit_kind'), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('summary', sa.String(length=300), nullable=False),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                                name=op.f('fk_audit_log_actor_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    )
    op.create_index('ix_audit_log_kind', 'audit_log', ['kind', 'id'])


def downgrade():
    op.drop_index('ix_audit_log_kind', table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_index('ix_status_changes_idea', table_name='status_changes')
    op.drop_table('status_changes')
