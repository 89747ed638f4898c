"""Full-text search: one document per idea (title, description, its public comments), kept
in step by triggers; SQLite FTS5 on SQLite, a weighted tsvector with a GIN index on
PostgreSQL (services/search.py queries either).

Revision ID: 0013
Revises: 0012
"""
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# SQLite: FTS5 keeps its own copy of the text; `porter` stems English (so "meetings" finds
# "meeting"), unicode61 folds case and diacritics.
_SQLITE_COMMENTS = ("coalesce((SELECT group_concat(body, char(10)) FROM comments"
                    " WHERE idea_id = idea_search.rowid AND hidden_at IS NULL), '')")
SQLITE = [
    "CREATE VIRTUAL TABLE idea_search USING fts5(title, description, comments,"
    " tokenize = 'porter unicode61 remove_diacritics 2')",
    "INSERT INTO idea_search (rowid, title, description, comments)"
    " SELECT id, title, description, '' FROM ideas",
    f"UPDATE idea_search SET comments = {_SQLITE_COMMENTS}",
    "CREATE TRIGGER idea_search_idea_added AFTER INSERT ON ideas BEGIN"
    " INSERT INTO idea_search (rowid, title, description, comments)"
    " VALUES (new.id, new.title, new.description, ''); END",
    "CREATE TRIGGER idea_search_idea_edited AFTER UPDATE OF title, description ON ideas BEGIN"
    " UPDATE idea_search SET title = new.title, description = new.description"
    " WHERE rowid = new.id; END",
    "CREATE TRIGGER idea_search_idea_deleted AFTER DELETE ON ideas BEGIN"
    " DELETE FROM idea_search WHERE rowid = old.id; END",
    "CREATE TRIGGER idea_search_comment_added AFTER INSERT ON comments"
    f" WHEN new.hidden_at IS NULL BEGIN UPDATE idea_search SET comments = {_SQLITE_COMMENTS}"
    " WHERE rowid = new.idea_id; END",
    "CREATE TRIGGER idea_search_comment_changed AFTER UPDATE OF body, hidden_at, idea_id"
    f" ON comments BEGIN UPDATE idea_search SET comments = {_SQLITE_COMMENTS}"
    " WHERE rowid IN (old.idea_id, new.idea_id); END",
    "CREATE TRIGGER idea_search_comment_deleted AFTER DELETE ON comments"
    f" WHEN old.hidden_at IS NULL BEGIN UPDATE idea_search SET comments = {_SQLITE_COMMENTS}"
    " WHERE rowid = old.idea_id; END",
]

# PostgreSQL: title weighs most (A), then the description (B), then the comments (C).
POSTGRESQL = [
    "CREATE TABLE idea_search (idea_id integer PRIMARY KEY"
    " CONSTRAINT fk_idea_search_idea_id_ideas REFERENCES ideas (id) ON DELETE CASCADE,"
    " document tsvector NOT NULL)",
    "CREATE INDEX ix_idea_search_document ON idea_search USING gin (document)",
    """CREATE FUNCTION idea_search_document(idea integer) RETURNS tsvector
    LANGUAGE sql STABLE AS $$
      SELECT setweight(to_tsvector('english', i.title), 'A')
          || setweight(to_tsvector('english', i.description), 'B')
          || setweight(to_tsvector('english', coalesce((
               SELECT string_agg(c.body, E'\\n' ORDER BY c.id) FROM comments c
               WHERE c.idea_id = i.id AND c.hidden_at IS NULL), '')), 'C')
      FROM ideas i WHERE i.id = idea
    $$""",
    """CREATE FUNCTION idea_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_TABLE_NAME = 'ideas' THEN
        INSERT INTO idea_search (idea_id, document)
        VALUES (NEW.id, idea_search_document(NEW.id))
        ON CONFLICT (idea_id) DO UPDATE SET document = EXCLUDED.document;
        RETURN NULL;
      END IF;
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE idea_search SET document = idea_search_document(OLD.idea_id)
        WHERE idea_id = OLD.idea_id;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.idea_id <> OLD.idea_id
                                             OR NEW.body <> OLD.body
                                             OR NEW.hidden_at IS DISTINCT FROM OLD.hidden_at) THEN
        UPDATE idea_search SET document = idea_search_document(NEW.idea_id)
        WHERE idea_id = NEW.idea_id;
      END IF;
      RETURN NULL;
    END $$""",
    "CREATE TRIGGER idea_search_ideas AFTER INSERT OR UPDATE OF title, description ON ideas"
    " FOR EACH ROW EXECUTE FUNCTION idea_search_refresh()",
    "CREATE TRIGGER idea_search_comments AFTER INSERT OR DELETE"
    " OR UPDATE OF body, hidden_at, idea_id ON comments"
    " FOR EACH ROW EXECUTE FUNCTION idea_search_refresh()",
    "INSERT INTO idea_search (idea_id, document) SELECT id, idea_search_document(id) FROM ideas",
]


def upgrade():
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("idea_added", "idea_edited", "idea_deleted", "comment_added",
                        "comment_changed", "comment_deleted"):
            op.execute(f"DROP TRIGGER idea_search_{trigger}")
        op.execute("DROP TABLE idea_search")
    else:
        op.execute("DROP TABLE idea_search")
        op.execute("DROP FUNCTION idea_search_refresh() CASCADE")
        op.execute("DROP FUNCTION idea_search_document(integer)")
