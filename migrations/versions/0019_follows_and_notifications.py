"""Following ideas, what each member hears of them, visitors' "email me replies", the
weekly digest's runs, and deleted accounts. Members follow the ideas they took part in before this (posted,
voted on or commented), as they would have had following existed.

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

TOOK_PART = """
INSERT INTO follows (user_id, idea_id, created_at)
SELECT user_id, idea_id, min(at) FROM (
  SELECT author_id AS user_id, id AS idea_id, created_at AS at FROM ideas
  UNION ALL SELECT user_id, idea_id, created_at FROM votes
  UNION ALL SELECT author_id, idea_id, created_at FROM comments WHERE author_id IS NOT NULL
) AS took_part GROUP BY user_id, idea_id
"""


def _delivery(name):
    return sa.Enum('instant', 'digest', 'off', name=name, native_enum=False,
                   create_constraint=True, length=20)


def upgrade():
    op.create_table(
        'follows',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_follows_idea_id_ideas'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follows_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'idea_id', name=op.f('pk_follows')),
    )
    op.create_index('ix_follows_idea', 'follows', ['idea_id', 'user_id'])
    op.execute(TOOK_PART)
    op.create_table(
        'digest_runs',
        sa.Column('week', sa.String(length=10), nullable=False),
        sa.Column('covers_from', sa.DateTime(), nullable=False),
        sa.Column('covers_until', sa.DateTime(), nullable=False),
        sa.Column('last_user_id', sa.Integer(), nullable=False),
        sa.Column('queued', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('week', name=op.f('pk_digest_runs')),
    )
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('notify_updates', _delivery('notify_updates'),
                                   server_default='instant', nullable=False))
        batch.add_column(sa.Column('notify_comments', _delivery('notify_comments'),
                                   server_default='off', nullable=False))
        batch.add_column(sa.Column('notify_replies', _delivery('notify_replies'),
                                   server_default='instant', nullable=False))
        batch.add_column(sa.Column('digest_subscribed', sa.Boolean(),
                                   server_default=sa.text('true'), nullable=False))
        batch.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
    # A plain ALTER TABLE: Alembic's rebuild of the table would drop its search triggers.
    op.add_column('comments', sa.Column('email_replies', sa.Boolean(),
                                        server_default=sa.text('false'), nullable=False))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':  # SQLite 3.35+: no rebuild, triggers kept
        op.execute('ALTER TABLE comments DROP COLUMN email_replies')
    else:
        op.drop_column('comments', 'email_replies')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('deleted_at')
        batch.drop_column('digest_subscribed')
        batch.drop_column('notify_replies')
        batch.drop_column('notify_comments')
        batch.drop_column('notify_updates')
    op.drop_table('digest_runs')
    op.drop_index('ix_follows_idea', table_name='follows')
    op.drop_table('follows')
