"""Search matches words as written, not stems: a prefix of any length then finds the word
("usef" finds "useful", which English stemming had indexed as "use").

Revision ID: 0014
Revises: 0013
"""
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_SQLITE_REBUILT = [
    "DROP TABLE idea_search",  # the triggers of 0013 name it, and go on working
    "CREATE VIRTUAL TABLE idea_search USING fts5(title, description, comments,"
    " tokenize = '{tokenizer}')",
    "INSERT INTO idea_search (rowid, title, description, comments)"
    " SELECT id, title, description, coalesce((SELECT group_concat(body, char(10))"
    " FROM comments WHERE idea_id = ideas.id AND hidden_at IS NULL), '') FROM ideas",
]
_PG_DOCUMENT = """CREATE OR REPLACE FUNCTION idea_search_document(idea integer) RETURNS tsvector
    LANGUAGE sql STABLE AS $$
      SELECT setweight(to_tsvector('{config}', i.title), 'A')
          || setweight(to_tsvector('{config}', i.description), 'B')
          || setweight(to_tsvector('{config}', coalesce((
               SELECT string_agg(c.body, E'\\n' ORDER BY c.id) FROM comments c
               WHERE c.idea_id = i.id AND c.hidden_at IS NULL), '')), 'C')
      FROM ideas i WHERE i.id = idea
    $$"""


def _rebuild(tokenizer: str, config: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_REBUILT:
            op.execute(statement.format(tokenizer=tokenizer))
    else:
        op.execute(_PG_DOCUMENT.format(config=config))
        op.execute("UPDATE idea_search SET document = idea_search_document(idea_id)")


def upgrade():
    _rebuild("unicode61 remove_diacritics 2", "simple")


def downgrade():
    _rebuild("porter unicode61 remove_diacritics 2", "english")
