"""Print the database's plan for every query a page runs, to show none scans all ideas or votes.

    .venv/bin/python bench/explain.py [DATABASE_URL]   (default: bench/.data/board-100000.sqlite)

SQLite: EXPLAIN QUERY PLAN. PostgreSQL: EXPLAIN (ANALYZE, BUFFERS), so rows actually read show.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT = f"sqlite:///{ROOT / 'bench' / '.data' / 'board-100000.sqlite'}"


def queries() -> dict[str, object]:
    """The statements behind the board, an idea page and a member's votes, by page."""
    from sqlalchemy import select

    from ideaboard.extensions import db
    from ideaboard.models import Idea, Status, Vote
    from ideaboard.services import comments, ranking

    deep = db.session.scalars(ranking.ranked_ideas_query(ranking.Sort.TOP, ranking.Filters())
                              .offset(980).limit(1)).one()
    top_idea = db.session.scalars(ranking.ranked_ideas_query(ranking.Sort.TOP, ranking.Filters())
                                  .limit(1)).one()
    found = {}
    for sort in ranking.Sort:
        found[f"/?sort={sort.value} page 1"] = ranking.ranked_ideas_query(
            sort, ranking.Filters()).limit(21)
        columns = ranking._sort_columns(sort)
        found[f"/?sort={sort.value} page 50 (keyset)"] = ranking.ranked_ideas_query(
            sort, ranking.Filters()).where(
            ranking._after(columns, [getattr(deep, c.key) for c in columns])).limit(21)
    found["/?category=… (Top)"] = ranking.ranked_ideas_query(
        ranking.Sort.TOP, ranking.Filters(category_id=deep.category_id)).limit(21)
    found["/?status=planned (Top)"] = ranking.ranked_ideas_query(
        ranking.Sort.TOP, ranking.Filters(status=Status.PLANNED)).limit(21)
    found["idea page: its comments"] = comments.top_level_query(top_idea.id).limit(
        comments.THREAD_PAGE + 1)
    found["idea page: their replies"] = comments.replies_query(list(range(1, 51)))
    found["member: their votes on a page"] = select(Vote.idea_id).where(
        Vote.user_id == 1, Vote.idea_id.in_(list(range(1, 21))))
    found["caretaker: votes in the last 7 days"] = ranking.recent_votes_query(
        list(range(1, 21)))
    found["vote: counter update"] = select(Idea.vote_count).where(Idea.id == top_idea.id)
    return found


def explain(url: str) -> None:
    """Print each plan, SQL first."""
    from sqlalchemy import text

    from ideaboard import create_app
    from ideaboard.extensions import db

    os.environ.setdefault("SECRET_KEY", "explain")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, with_cli=False)
    with app.app_context():
        prefix = ("EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite"
                  else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ")
        for name, statement in queries().items():
            sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
            print(f"== {name}")
            for row in db.session.execute(text(prefix + sql)):
                print("   ", row[-1])


if __name__ == "__main__":
    explain(sys.argv[1] if len(sys.argv) > 1 else DEFAULT)
