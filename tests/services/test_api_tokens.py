"""Personal API tokens: only a digest is stored, a token finds its member until revoked,
and its last use is written at most once every TOUCH_EVERY."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from ideaboard.database import HotConnections
from ideaboard.extensions import db
from ideaboard.models import ApiToken, Role, User, utcnow
from ideaboard.services import api_tokens
from ideaboard.services.accounts import token_digest
from ideaboard.services.api_tokens import MAX_TOKENS, TOKEN_PREFIX, TOUCH_EVERY, TokenHolder


def _create(app, user_id: int, name: str = "Export script") -> tuple[int, str]:
    with app.app_context():
        row, token = api_tokens.create_token(user_id, name)
        db.session.commit()
        return row.id, token


def _holder(app, token: str) -> TokenHolder | None:
    with app.app_context():
        return api_tokens.holder_of(token)


def _last_used(app, token_id: int):
    with app.app_context():
        return db.session.get(ApiToken, token_id).last_used_at


def test_only_the_digest_of_a_new_token_is_stored(app, member):
    token_id, token = _create(app, member.id, "  Export script ")
    assert token.startswith(TOKEN_PREFIX) and len(token) > 40
    with app.app_context():
        row = db.session.get(ApiToken, token_id)
        stored = [tuple(r) for r in db.session.execute(select(ApiToken.__table__))]
    assert (row.user_id, row.name, row.last_used_at) == (member.id, "Export script", None)
    assert row.token_hash == token_digest(token)
    assert not any(token in str(value) for r in stored for value in r)


def test_a_token_finds_its_member(app, make_user):
    caretaker = make_user("Care Taker", role=Role.CARETAKER)
    token_id, token = _create(app, caretaker.id)
    assert _holder(app, token) == TokenHolder(caretaker.id, "Care Taker", Role.CARETAKER,
                                              False, token_id)


def test_a_suspended_members_token_says_so(app, member):
    _token_id, token = _create(app, member.id)
    with app.app_context():
        db.session.get(User, member.id).suspended_at = utcnow()
        db.session.commit()
    assert _holder(app, token).suspended is True


@pytest.mark.parametrize("presented", [
    "", "ib_", "ib_unknown-but-well-formed", "no_prefix_at_all", "ib_with space",
    "ib_ü", "ib_" + "a" * 98, "ib_\x00abc"])
def test_unknown_malformed_or_overlong_tokens_find_no_one(app, member, presented):
    _create(app, member.id)
    assert _holder(app, presented) is None


def test_an_overlong_token_is_refused_before_any_query(app, member, monkeypatch):
    _token_id, token = _create(app, member.id)
    calls = _count_hot_calls(monkeypatch)
    assert _holder(app, token + "x" * (101 - len(token))) is None
    assert calls == []


def test_a_revoked_token_finds_no_one(app, member):
    token_id, token = _create(app, member.id)
    with app.app_context():
        assert api_tokens.revoke_token(member.id, token_id) is True
        db.session.commit()
    assert _holder(app, token) is None


def test_only_the_owner_can_revoke_a_token(app, member, make_user):
    token_id, token = _create(app, member.id)
    other = make_user()
    with app.app_context():
        assert api_tokens.revoke_token(other.id, token_id) is False
        assert api_tokens.revoke_token(member.id, token_id + 1000) is False
        db.session.commit()
    assert _holder(app, token).user_id == member.id


def test_tokens_are_listed_newest_first_per_member(app, member, make_user):
    first, _ = _create(app, member.id, "First")
    second, _ = _create(app, member.id, "Second")
    _create(app, make_user().id, "Someone else's")
    with app.app_context():
        assert [t.id for t in api_tokens.tokens_of(member.id)] == [second, first]


def test_a_member_has_at_most_max_tokens(app, member, make_user):
    other = make_user()
    with app.app_context():
        for n in range(MAX_TOKENS):
            api_tokens.create_token(member.id, f"Script {n}")
        with pytest.raises(api_tokens.TooManyTokens):
            api_tokens.create_token(member.id, "One too many")
        api_tokens.create_token(other.id, "Another member's first")  # per member
        db.session.commit()
        assert len(api_tokens.tokens_of(member.id)) == MAX_TOKENS


def test_a_name_outside_the_limits_is_refused(app, member):
    with app.app_context():
        for name in ("", "   ", "x" * (api_tokens.NAME_MAX + 1)):
            with pytest.raises(ValueError):
                api_tokens.create_token(member.id, name)


def _count_hot_calls(monkeypatch) -> list[str]:
    """The hot connections' reads and transactions from now on, by kind."""
    calls: list[str] = []
    rows, in_transaction = HotConnections.rows, HotConnections.in_transaction

    def counted_rows(self, *args, **kwargs):
        calls.append("read")
        return rows(self, *args, **kwargs)

    def counted_transaction(self, *args, **kwargs):
        calls.append("write")
        return in_transaction(self, *args, **kwargs)

    monkeypatch.setattr(HotConnections, "rows", counted_rows)
    monkeypatch.setattr(HotConnections, "in_transaction", counted_transaction)
    return calls


def test_last_use_is_written_once_per_touch_interval(app, member, monkeypatch):
    token_id, token = _create(app, member.id)
    calls = _count_hot_calls(monkeypatch)
    before = utcnow()
    _holder(app, token)
    first_use = _last_used(app, token_id)
    assert first_use is not None and first_use >= before
    assert calls == ["read", "write"]

    calls.clear()
    _holder(app, token)
    assert _last_used(app, token_id) == first_use  # within TOUCH_EVERY: not written
    assert calls == ["read"]  # one query on the hot path

    with app.app_context():
        long_ago = utcnow() - TOUCH_EVERY * 2
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id)
                           .values(last_used_at=long_ago))
        db.session.commit()
    _holder(app, token)
    assert _last_used(app, token_id) > long_ago + TOUCH_EVERY
