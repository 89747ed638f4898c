"""Personal API tokens: members make, name and revoke them for scripts and tools using the
JSON API. A token is shown once, when made; only its SHA-256 is stored.

`holder_of` runs on every API request, so it is one query on the hot connections (as
auth/access.py's load_user is), and it writes a token's last use at most once every
TOUCH_EVERY: a script polling every second costs one write a minute, not sixty.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import delete, func, select

from ideaboard.database import HotTransaction, hot_connections, utc_datetime
from ideaboard.extensions import db
from ideaboard.models import ApiToken, Role, utcnow
from ideaboard.services.accounts import token_digest
from ideaboard.services.freshness import GENERATION_SUBQUERIES, Generation, note_generation

TOKEN_PREFIX = "ib_"
MAX_TOKENS = 20  # per member
TOUCH_EVERY = timedelta(seconds=60)
NAME_MAX = 60
_PRESENTED_MAX = 100  # longer is no token of ours: refused before hashing
_WELL_FORMED = re.compile(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_-]+")

# The board's generations come along, as with a signed-in member: one round trip.
_HOLDER = (
    "SELECT users.id, display_name, role, suspended_at, api_tokens.id, last_used_at,"
    f" {GENERATION_SUBQUERIES}"
    " FROM api_tokens JOIN users ON users.id = api_tokens.user_id"
    " WHERE token_hash = :token_hash"
)
# Conditional, so that requests racing past the same stale time write it once.
_TOUCH = (
    "UPDATE api_tokens SET last_used_at = :now"
    " WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :stale_before)"
)


class TooManyTokens(ValueError):
    """The member already has MAX_TOKENS tokens: revoke one first."""


class TokenHolder(NamedTuple):
    """Who a presented token speaks for: what the API's permission checks need."""

    user_id: int
    display_name: str
    role: Role
    suspended: bool
    token_id: int


def create_token(user_id: int, name: str) -> tuple[ApiToken, str]:
    """A new token for the member, named `name` (1 to NAME_MAX characters): the row
    (flushed, holding only the token's digest) and the token itself, which is never
    stored. Raises TooManyTokens if the member already has MAX_TOKENS."""
    name = name.strip()
    if not 0 < len(name) <= NAME_MAX:
        raise ValueError(f"A token's name has 1 to {NAME_MAX} characters.")
    held = db.session.scalar(
        select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user_id))
    if held >= MAX_TOKENS:
        raise TooManyTokens(f"The member has {MAX_TOKENS} tokens already: revoke one first.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user_id, name=name, token_hash=token_digest(token),
                   created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row, token


def revoke_token(user_id: int, token_id: int) -> bool:
    """Delete the member's own token `token_id`: True if it went, False if they have no
    such token (another member's is left alone)."""
    deleted = db.session.execute(
        delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))
    return deleted.rowcount == 1


def tokens_of(user_id: int) -> list[ApiToken]:
    """The member's tokens, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def holder_of(token: str) -> TokenHolder | None:
    """The member `token` belongs to, or None for a token unknown, revoked, malformed or
    too long. One query (which also notes the board's generations for this request), and a
    write of the token's last use when the one stored is older than TOUCH_EVERY."""
    if len(token) > _PRESENTED_MAX or not _WELL_FORMED.fullmatch(token):
        return None
    rows = hot_connections().rows(_HOLDER, {"token_hash": token_digest(token)})
    if not rows:
        return None
    user_id, display_name, role, suspended_at, token_id, last_used_at, *generations = rows[0]
    note_generation(Generation(*generations))
    now = utcnow()
    if last_used_at is None or now - utc_datetime(last_used_at) >= TOUCH_EVERY:
        _touch(token_id, now)
    return TokenHolder(user_id, display_name, Role(role), suspended_at is not None, token_id)


def _touch(token_id: int, now: datetime) -> None:
    """Write the token's last use, in a hot transaction of its own (committed here)."""
    params = {"id": token_id, "now": now, "stale_before": now - TOUCH_EVERY}

    def write(transaction: HotTransaction) -> None:
        transaction.execute(_TOUCH, params)

    hot_connections().in_transaction(write)
