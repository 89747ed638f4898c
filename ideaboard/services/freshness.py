"""What pages show changes only through commits that mark the session (or a HotTransaction);
such a commit also raises the board's generations, and cached pages are judged against
them:

- `generation` goes up with everything but votes and comments (ideas, statuses, hiding,
  settings): a page kept from before is stale at once.
- `comment_generation` goes up with comments (posted, hidden, restored, approved): a page
  that shows comment threads (an idea's page) is stale at once; a list, which only shows
  how many comments each idea has, is judged as after a vote.
- `vote_generation` goes up with votes and comments: a page kept from before may still be
  served for up to VOTE_STALENESS_S after it was rendered. During a chat, when votes come
  many a second, each worker renders a page at most once a second instead of after every
  vote, and every reader sees a vote (or a list's comment count) within a second. The
  member who voted sees their own vote at once: pressed state and counts are filled per
  member (pagecache.py).

The bump is the last statement of the changing transaction itself (or part of its one
statement, see `bump_votes_sql`), so the change and the new generation become visible
together and a crash cannot separate them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from flask import has_request_context, request
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from ideaboard.database import HotConnections, HotTransaction, hot_connections
from ideaboard.extensions import db

VOTE_STALENESS_S = 1.0  # the longest a reader may see the board without a vote

_CHANGED = "board_changed"
_VOTES_CHANGED = "votes_changed"
_COMMENTS_CHANGED = "comments_changed"
_BUMP = "UPDATE board_state SET generation = generation + 1 WHERE id = 1"
_BUMP_VOTES = "UPDATE board_state SET vote_generation = vote_generation + 1 WHERE id = 1"
_BUMP_COMMENTS = ("UPDATE board_state SET comment_generation = comment_generation + 1,"
                  " vote_generation = vote_generation + 1 WHERE id = 1")
_COLUMNS = "generation, vote_generation, comment_generation"
_READ_GENERATION = f"SELECT {_COLUMNS} FROM board_state WHERE id = 1"
# For a query that reads the generations along with something else: see note_generation.
GENERATION_SUBQUERIES = ", ".join(f"(SELECT {column} FROM board_state WHERE id = 1)"
                                  for column in _COLUMNS.split(", "))

# The generation a GET request has read, in its WSGI environ. A GET changes nothing, so the
# first read holds for the whole request, and later readers reuse it: a page costs one read.
_REQUEST_GENERATION = "ideaboard.request_generation"
_SAFE_METHODS = ("GET", "HEAD")


class Generation(NamedTuple):
    """The board's generations, as read together."""

    content: int
    votes: int
    comments: int = 0


def still_fresh(kept: Generation, kept_at: float, current: Generation, now: float,
                shows_threads: bool = False) -> bool:
    """Whether a page rendered at `kept_at` (time.monotonic) from the board at `kept` may be
    served now: nothing changed since but votes (and, unless it `shows_threads`,
    comments), and what it misses is less than VOTE_STALENESS_S older than the page."""
    if kept.content != current.content:
        return False
    if shows_threads and kept.comments != current.comments:
        return False
    return kept.votes == current.votes or now - kept_at < VOTE_STALENESS_S


def mark_board_changed(transaction: HotTransaction | None = None) -> None:
    """Call from any service that changes what a page shows (but votes), in the session's
    transaction or in `transaction`; acted on as that transaction commits."""
    if transaction is None:
        db.session.info[_CHANGED] = True
    else:
        transaction.before_commit.append(_BUMP)


def mark_votes_changed(transaction: HotTransaction | None = None) -> None:
    """As mark_board_changed, for a change of votes (and the counts they keep)."""
    if transaction is None:
        db.session.info[_VOTES_CHANGED] = True
    else:
        transaction.before_commit.append(_BUMP_VOTES)


def mark_comments_changed() -> None:
    """As mark_board_changed, for a comment posted, hidden or restored (and the count kept):
    idea pages change at once, lists' counts within a second."""
    db.session.info[_COMMENTS_CHANGED] = True


def bump_votes_sql(when: str) -> str:
    """The votes' bump as one statement that runs only `when` (an SQL condition): for a vote
    that is a single statement with its bump inside, as it is on PostgreSQL."""
    return f"{_BUMP_VOTES} AND {when}"


def current_generation() -> Generation:
    """The board's generations: one primary-key read, once per GET request."""
    environ = _request_environ()
    if _REQUEST_GENERATION in environ:
        return environ[_REQUEST_GENERATION]
    generation = _generation_of(hot_connections())
    note_generation(generation, environ)
    return generation


def note_generation(generation: Generation | None, environ: dict | None = None) -> None:
    """Keep what a reader saw for the rest of a GET request (this one, unless `environ` is
    given): the visitor cache reads the generation before Flask runs, and a member's load
    reads it in the same query."""
    environ = _request_environ() if environ is None else environ
    if generation is not None and environ.get("REQUEST_METHOD") in _SAFE_METHODS:
        environ[_REQUEST_GENERATION] = generation


def _request_environ() -> dict:
    return request.environ if has_request_context() else {}


def generation_reader() -> Callable[[], Generation]:
    """current_generation for use outside an app context (made inside one)."""
    connections = hot_connections()
    return lambda: _generation_of(connections)


def _generation_of(connections: HotConnections) -> Generation:
    rows = connections.rows(_READ_GENERATION)
    return Generation(*rows[0]) if rows else Generation(0, 0, 0)


def _before_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        session.connection().execute(text(_BUMP))
    if session.info.pop(_COMMENTS_CHANGED, False):
        session.connection().execute(text(_BUMP_COMMENTS))
        session.info.pop(_VOTES_CHANGED, None)  # the same statement bumped the votes'
    if session.info.pop(_VOTES_CHANGED, False):
        session.connection().execute(text(_BUMP_VOTES))


def _after_rollback(session: Session, previous_transaction) -> None:
    for flag in (_CHANGED, _VOTES_CHANGED, _COMMENTS_CHANGED):
        session.info.pop(flag, None)


def install() -> None:
    """Listen on every session of the app's session class (done once, in the factory)."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
