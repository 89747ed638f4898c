"""Replies one level deep, edits and deletions by a comment's author.

Revision ID: 0017
Revises: 0016
"""
import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

TOP_LEVEL = sa.text('parent_id IS NULL')
REPLY = sa.text('parent_id IS NOT NULL')


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # ALTER TABLE, not Alembic's rebuild of the table, which would drop the search
        # triggers on it.
        op.execute('ALTER TABLE comments ADD COLUMN parent_id INTEGER'
                   ' CONSTRAINT fk_comments_parent_id_comments REFERENCES comments (id)')
    else:
        op.add_column('comments', sa.Column('parent_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_comments_parent_id_comments'), 'comments', 'comments',
                              ['parent_id'], ['id'])
    op.add_column('comments', sa.Column('edited_at', sa.DateTime(), nullable=True))
    op.add_column('comments', sa.Column('deleted_at', sa.DateTime(), nullable=True))
    op.create_index('ix_comments_top', 'comments', ['idea_id', 'created_at', 'id'],
                    sqlite_where=TOP_LEVEL, postgresql_where=TOP_LEVEL)
    op.create_index('ix_comments_replies', 'comments', ['parent_id', 'created_at', 'id'],
                    sqlite_where=REPLY, postgresql_where=REPLY)


def downgrade():
    op.drop_index('ix_comments_replies', table_name='comments')
    op.drop_index('ix_comments_top', table_name='comments')
    # Replies become plain comments; the emptied, hidden places of deleted ones go.
    op.execute('UPDATE comments SET parent_id = NULL')
    op.execute('DELETE FROM comments WHERE deleted_at IS NOT NULL')
    with op.batch_alter_table('comments') as batch:
        batch.drop_column('deleted_at')
        batch.drop_column('edited_at')
        batch.drop_column('parent_id')
    if op.get_bind().dialect.name == 'sqlite':  # the rebuilt table lost its search triggers
        search = _sibling('0013_search.py')
        for statement in search.SQLITE[-3:]:
            op.execute(statement)


def _sibling(name):
    spec = importlib.util.spec_from_file_location(name[:-3], Path(__file__).with_name(name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
