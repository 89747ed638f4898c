"""Merging duplicate ideas: what each merge moved, so it can be undone exactly.

The new columns are added with their foreign keys in place (no table rebuild on SQLite,
which would have to recreate the ideas' and comments' partial indexes).

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'merges',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('undone_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_merges_actor_id_users')),
        sa.ForeignKeyConstraint(['source_id'], ['ideas.id'], ondelete='CASCADE',
                                name=op.f('fk_merges_source_id_ideas')),
        sa.ForeignKeyConstraint(['target_id'], ['ideas.id'], ondelete='CASCADE',
                                name=op.f('fk_merges_target_id_ideas')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_merges')),
    )
    op.create_index('ix_merges_source', 'merges', ['source_id', 'id'])
    op.create_index('ix_merges_target', 'merges', ['target_id', 'id'])
    op.create_table(
        'merged_comments',
        sa.Column('merge_id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], ondelete='CASCADE',
                                name=op.f('fk_merged_comments_comment_id_comments')),
        sa.ForeignKeyConstraint(['merge_id'], ['merges.id'], ondelete='CASCADE',
                                name=op.f('fk_merged_comments_merge_id_merges')),
        sa.PrimaryKeyConstraint('merge_id', 'comment_id', name=op.f('pk_merged_comments')),
    )
    op.create_table(
        'merged_votes',
        sa.Column('merge_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('moved', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['merge_id'], ['merges.id'], ondelete='CASCADE',
                                name=op.f('fk_merged_votes_merge_id_merges')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_merged_votes_user_id_users')),
        sa.PrimaryKeyConstraint('merge_id', 'user_id', name=op.f('pk_merged_votes')),
    )
    _add_reference('comments', 'merged_from_id', 'ideas')
    _add_reference('ideas', 'merged_into_id', 'ideas')


def _add_reference(table, column, referred):
    """A nullable column referring to `referred`.id. SQLite adds it, key included, with
    ALTER TABLE (Alembic would rebuild the table for the key)."""
    name = f'fk_{table}_{column}_{referred}'
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE {table} ADD COLUMN {column} INTEGER'
                   f' CONSTRAINT {name} REFERENCES {referred} (id)')
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(op.f(name), table, referred, [column], ['id'])


def downgrade():
    with op.batch_alter_table('ideas') as batch:
        batch.drop_column('merged_into_id')
    with op.batch_alter_table('comments') as batch:
        batch.drop_column('merged_from_id')
    op.drop_table('merged_votes')
    op.drop_table('merged_comments')
    op.drop_index('ix_merges_target', table_name='merges')
    op.drop_index('ix_merges_source', table_name='merges')
    op.drop_table('merges')
