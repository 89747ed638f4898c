"""Full-text search over the ideas on the board: titles, descriptions and public comments,
ranked by relevance, with the list's filters. One function, two engines: SQLite's FTS5
(bm25) or PostgreSQL's full-text search (a weighted tsvector, GIN index, ts_rank_cd). The
index, `idea_search`, is kept in step by triggers (migration 0013), whatever writes ideas
or comments; this module only reads it.

A query is cut into words (letters and digits); English stop words are left out, every word
must match (or any, for similar ideas), and each matches as a prefix, so "interop" finds
"interoperability". A query with no words left (stop words, punctuation) finds nothing
without asking the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import Select, column, func, literal, literal_column, select, table, text
from sqlalchemy.orm import joinedload

from ideaboard.extensions import db
from ideaboard.models import Idea
from ideaboard.services.ranking import Filters, public_filter

SEARCH_TABLE = "idea_search"  # and, on SQLite, FTS5's own idea_search_* tables
PER_PAGE = 20
MAX_PAGE = 50
MAX_TERMS = 8
# PostgreSQL's English stop words (tsearch_data/english.stop), so both engines drop the same.
_STOP_WORDS = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
she her hers herself it its itself they them their theirs themselves what which who whom
this that these those am is are was were be been being have has had having do does did
doing a an the and but if or because as until while of at by for with about against
between into through during before after above below to from up down in out on off over
under again further then once here there when where why how all any both each few more
most other some such no nor not only own same so than too very s t can will just don
should now"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
# Highlights come back between these: the input door keeps control characters out of
# stored text, so they can only be the engine's.
START, STOP = "\x01", "\x02"
_WORD = re.compile(r"[^\W_]+")
_ENGLISH = literal_column("'english'::regconfig")
_PG_TITLE = f"StartSel={START}, StopSel={STOP}, HighlightAll=TRUE"
_PG_EXCERPT = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2"
_FTS5 = table(SEARCH_TABLE, column("rowid"))
_TSV = table(SEARCH_TABLE, column("idea_id"), column("document"))


def terms(query: str) -> list[str]:
    """The words a query searches for: lower case, no stop words, no repeats, at most
    MAX_TERMS."""
    words = (word.lower() for word in _WORD.findall(query))
    return list(dict.fromkeys(w for w in words if w not in STOP_WORDS))[:MAX_TERMS]


def described_by_models(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's include_name: every table but the search index's (which migration 0013
    makes, and FTS5's own idea_search_* tables with it), so that autogenerate and the
    schema check leave them be."""
    return not (type_ == "table" and name is not None
                and (name == SEARCH_TABLE or name.startswith(SEARCH_TABLE + "_")))


@dataclass(frozen=True)
class Hit:
    idea: Idea
    title_html: Markup  # the title, matches in <mark>
    excerpt_html: Markup  # a passage of the description around the matches


@dataclass(frozen=True)
class SearchPage:
    hits: list[Hit]
    page: int
    has_more: bool


def search(query: str, filters: Filters, page: int = 1, per_page: int = PER_PAGE,
           with_authors: bool = False, every_word: bool = True) -> SearchPage:
    """Page `page` of the public ideas matching every word of `query` (or any word: the
    ideas similar to a title being typed), most relevant first (then newest), within the
    list's filters; their categories (and authors, if asked) come in the same query."""
    words = terms(query)
    if not words:
        return SearchPage([], page, False)
    statement = (_select_hits(words, every_word) if _dialect() == "sqlite"
                 else _select_hits_pg(words, every_word))
    statement = _filtered(statement, filters).limit(per_page + 1).offset((page - 1) * per_page)
    if with_authors:
        statement = statement.options(joinedload(Idea.author))
    rows = db.session.execute(statement).all()
    hits = [Hit(idea, marked(title), marked(excerpt)) for idea, title, excerpt in rows]
    return SearchPage(hits[:per_page], page, len(hits) > per_page)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _filtered(statement: Select, filters: Filters) -> Select:
    statement = statement.where(public_filter()).options(joinedload(Idea.category))
    if filters.category_id is not None:
        statement = statement.where(Idea.category_id == filters.category_id)
    if filters.status is not None:
        statement = statement.where(Idea.status == filters.status)
    return statement


def _select_hits(words: list[str], every: bool) -> Select:
    """SQLite: FTS5 MATCH, each word a quoted prefix; bm25 weighs the title 10, the
    description 4 and the comments 1 (lower is better)."""
    match = (" " if every else " OR ").join(f'"{word}"*' for word in words)
    return (
        select(Idea, literal_column("highlight(idea_search, 0, char(1), char(2))"),
               literal_column("snippet(idea_search, 1, char(1), char(2), '…', 24)"))
        .join_from(_FTS5, Idea, Idea.id == _FTS5.c.rowid)
        .where(text("idea_search MATCH :match").bindparams(match=match))
        .order_by(text("bm25(idea_search, 10.0, 4.0, 1.0)"), Idea.created_at.desc(),
                  Idea.id.desc())
    )


def _select_hits_pg(words: list[str], every: bool) -> Select:
    """PostgreSQL: to_tsquery with each word a prefix (words are letters and digits only,
    so nothing in them is tsquery syntax); ts_rank_cd on the weighted document."""
    query = func.to_tsquery(_ENGLISH, literal((" & " if every else " | ").join(
        f"{word}:*" for word in words)))
    return (
        select(Idea, func.ts_headline(_ENGLISH, Idea.title, query, literal(_PG_TITLE)),
               func.ts_headline(_ENGLISH, Idea.description, query, literal(_PG_EXCERPT)))
        .join_from(_TSV, Idea, Idea.id == _TSV.c.idea_id)
        .where(_TSV.c.document.op("@@")(query))
        .order_by(func.ts_rank_cd(_TSV.c.document, query).desc(), Idea.created_at.desc(),
                  Idea.id.desc())
    )


def marked(highlighted: str) -> Markup:
    """Text from the engine, escaped, its highlights as <mark>…</mark>."""
    return (escape(highlighted).replace(START, Markup("<mark>"))
            .replace(STOP, Markup("</mark>")))
