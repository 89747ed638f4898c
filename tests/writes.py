"""Rows written and committed, counted by triggers in the test database: one query tells
whether a request wrote anything, where a snapshot of every table takes one per table. As
strict as a snapshot: any row a committed statement inserts, updates or deletes moves it
(a rolled-back write does not, as it leaves nothing behind)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, MetaData, text

COUNTER = "zz_test_committed_writes"
_PG_FUNCTION = f"""CREATE OR REPLACE FUNCTION {COUNTER}_count() RETURNS trigger AS $$
BEGIN UPDATE {COUNTER} SET n = n + 1; RETURN NULL; END $$ LANGUAGE plpgsql"""


@contextmanager
def counting_writes(engine: Engine, metadata: MetaData) -> Iterator[Callable[[], int]]:
    """Triggers on every table of `metadata` while the block runs; yields a function that
    reads how many rows have been written and committed so far."""
    tables = [table.name for table in metadata.sorted_tables]
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE {COUNTER} (n INTEGER NOT NULL)"))
        connection.execute(text(f"INSERT INTO {COUNTER} (n) VALUES (0)"))
        for statement in _trigger_statements(engine.dialect.name, tables):
            connection.execute(text(statement))

    def written() -> int:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT n FROM {COUNTER}")).scalar_one()

    try:
        yield written
    finally:
        with engine.begin() as connection:
            for table in tables:
                for event in ("insert", "update", "delete"):
                    connection.execute(text(_drop_trigger(engine.dialect.name, table, event)))
            connection.execute(text(f"DROP TABLE {COUNTER}"))
            if engine.dialect.name == "postgresql":
                connection.execute(text(f"DROP FUNCTION {COUNTER}_count()"))


def _trigger_statements(dialect: str, tables: list[str]) -> Iterator[str]:
    if dialect == "postgresql":
        yield _PG_FUNCTION
    for table in tables:
        for event in ("insert", "update", "delete"):
            name = f"{COUNTER}_{table}_{event}"
            if dialect == "postgresql":
                yield (f'CREATE TRIGGER {name} AFTER {event.upper()} ON "{table}" '
                       f"FOR EACH ROW EXECUTE FUNCTION {COUNTER}_count()")
            else:
                yield (f'CREATE TRIGGER {name} AFTER {event.upper()} ON "{table}" '
                       f"BEGIN UPDATE {COUNTER} SET n = n + 1; END")


def _drop_trigger(dialect: str, table: str, event: str) -> str:
    name = f"{COUNTER}_{table}_{event}"
    return f'DROP TRIGGER {name} ON "{table}"' if dialect == "postgresql" else \
        f"DROP TRIGGER {name}"
