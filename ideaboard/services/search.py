"""Full-text search over the ideas on the board: titles, descriptions and public comments,
ranked by relevance, with the list's filters. One function, two engines: SQLite's FTS5
(bm25) or PostgreSQL's full-text search (a weighted tsvector, GIN index, ts_rank_cd). The
index, `idea_search`, is kept in step by triggers (migration 0013), whatever writes ideas
or comments; this module only reads it.

Speed (bench/search.py, docs/performance.md): a search is one query, which ranks only the
newest MAX_CANDIDATES matches; matches are marked here, in the title and a passage of the
description, not by the engines (whose highlighting functions cost more than the search
itself).

A query is cut into words (letters and digits); English stop words are left out, every word
must match (or any, for similar ideas), and each matches as a prefix of a word as written
(not of its stem), so "interop" finds "interoperability" and "usef" finds "useful" while
it is typed; "meetings" does not find "meeting". A query with no words left (stop words,
punctuation) finds nothing without asking the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    Select,
    TableClause,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import joinedload

from ideaboard.extensions import db
from ideaboard.models import Idea
from ideaboard.services.ranking import Filters, public_filter

SEARCH_TABLE = "idea_search"  # and, on SQLite, FTS5's own idea_search_* tables
PER_PAGE = 20
MAX_PAGE = 10  # a search matching more is too broad to page through: add a word
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
# A word in a third of the board says little about which of those ideas is wanted, and
# ranking them all is the whole cost of a search: a query matching more than this many
# ideas ranks the newest of them (as many as its pages can show).
MAX_CANDIDATES = MAX_PAGE * PER_PAGE
EXCERPT_LENGTH = 200  # characters of the description shown around the first match
_WORD = re.compile(r"[^\W_]+")
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_MARKS = re.compile(r"[*_`#>~|]+")
_WORDS_AS_WRITTEN = literal_column("'simple'::regconfig")
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
    list's filters; their categories (and authors, if asked) come in the same query. Of
    more than MAX_CANDIDATES matches, the newest are ranked."""
    words = terms(query)
    if not words:
        return SearchPage([], page, False)
    engine = _engine(words, every_word)
    candidates = _newest_matches(engine, filters).limit(MAX_CANDIDATES).subquery()
    statement = (select(Idea).join(candidates, Idea.id == candidates.c.idea_id)
                 .where(public_filter())
                 .order_by(engine.relevance(candidates.c.scored), Idea.created_at.desc(),
                           Idea.id.desc())
                 .options(joinedload(Idea.category))
                 .limit(per_page + 1).offset((page - 1) * per_page))
    if with_authors:
        statement = statement.options(joinedload(Idea.author))
    found = list(db.session.scalars(statement))
    pattern = _highlighter(words)
    hits = [Hit(idea, marked(idea.title, pattern), excerpt(idea.description, pattern))
            for idea in found[:per_page]]
    return SearchPage(hits, page, len(found) > per_page)


@dataclass(frozen=True)
class _Engine:
    index: TableClause
    idea_id: ColumnElement  # the index's column holding the idea's id
    matches: ColumnElement  # the condition
    scored: ColumnElement  # taken along with each candidate, for `relevance`
    relevance: Callable[[ColumnElement], ColumnElement]  # of `scored`: most relevant first


def _engine(words: list[str], every_word: bool) -> _Engine:
    if db.session.get_bind().dialect.name == "sqlite":
        # FTS5 MATCH, each word a quoted prefix; bm25 (lower is better) weighs the title 10,
        # the description 4 and the comments 1. FTS5 computes it only in the MATCH query,
        # for the rows that query returns: the candidates.
        match = (" " if every_word else " OR ").join(f'"{word}"*' for word in words)
        return _Engine(_FTS5, _FTS5.c.rowid,
                       text("idea_search MATCH :match").bindparams(match=match),
                       literal_column("bm25(idea_search, 10.0, 4.0, 1.0)"), lambda bm25: bm25)
    # to_tsquery with each word a prefix (words are letters and digits only, so nothing in
    # them is tsquery syntax); ts_rank_cd on the weighted document, computed outside the
    # candidates' query so that only the candidates are scored, not every match sorted to
    # find them. The 'simple' config lowercases and keeps every word (stop words are
    # dropped from the query here).
    query = func.to_tsquery(_WORDS_AS_WRITTEN, literal((" & " if every_word else " | ").join(
        f"{word}:*" for word in words)))
    return _Engine(_TSV, _TSV.c.idea_id, _TSV.c.document.op("@@")(query), _TSV.c.document,
                   lambda document: func.ts_rank_cd(document, query).desc())


def _newest_matches(engine: _Engine, filters: Filters) -> Select:
    """The ideas `engine` matches (their ids, as idea_id, and what ranks them, as scored),
    newest first. Without filters, from the index alone (hidden ideas, a handful, count
    among the candidates): a word in many ideas is then a short walk down the index's key,
    which no join slows."""
    columns = (engine.idea_id.label("idea_id"), engine.scored.label("scored"))
    statement = select(*columns).select_from(engine.index).where(engine.matches)
    if filters != Filters():
        statement = statement.join(Idea, Idea.id == engine.idea_id).where(public_filter())
        if filters.category_id is not None:
            statement = statement.where(Idea.category_id == filters.category_id)
        if filters.status is not None:
            statement = statement.where(Idea.status == filters.status)
    return statement.order_by(engine.idea_id.desc())


def _highlighter(words: list[str]) -> re.Pattern:
    """Words starting with a searched word, as the engines match them."""
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\w*", re.IGNORECASE)


def marked(text_: str, pattern: re.Pattern) -> Markup:
    """`text_` escaped, with what `pattern` finds in <mark>…</mark>."""
    parts, last = [], 0
    for found in pattern.finditer(text_):
        parts += [escape(text_[last:found.start()]),
                  Markup("<mark>%s</mark>") % found.group()]
        last = found.end()
    parts.append(escape(text_[last:]))
    return Markup("").join(parts)


def excerpt(description: str, pattern: re.Pattern) -> Markup:
    """About EXCERPT_LENGTH characters of the description's text (its Markdown marks left
    out), from a little before its first match, the matches marked."""
    plain = " ".join(_MARKDOWN_MARKS.sub("", _MARKDOWN_LINK.sub(r"\1", description)).split())
    found = pattern.search(plain)
    lead = EXCERPT_LENGTH // 4
    start = 0 if found is None or found.start() <= lead else plain.rfind(
        " ", 0, found.start() - lead) + 1
    piece = plain[start:start + EXCERPT_LENGTH]
    if start + EXCERPT_LENGTH < len(plain):
        piece = piece.rsplit(" ", 1)[0] + "…"
    return marked(("…" if start else "") + piece, pattern)
