"""API fixtures: a member's token, sent the way scripts send it."""

from __future__ import annotations

import pytest
from flask import Flask

from ideaboard.extensions import db
from ideaboard.models import User
from ideaboard.services import api_tokens


def bearer(app: Flask, user: User, name: str = "a script") -> dict[str, str]:
    """Headers carrying a new token of `user`'s."""
    with app.app_context():
        _row, token = api_tokens.create_token(user.id, name)
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def member_token(app: Flask, member: User) -> dict[str, str]:
    return bearer(app, member)


@pytest.fixture
def caretaker_token(app: Flask, caretaker: User) -> dict[str, str]:
    return bearer(app, caretaker)
