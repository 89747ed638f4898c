"""The migrations build exactly the schema the models describe, on the database under test:
a model changed without its migration (or the reverse) fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ideaboard.extensions import db
from ideaboard.services.search import described_by_models


def test_the_migrations_build_the_schema_of_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": described_by_models})
        assert compare_metadata(context, db.metadata) == []
