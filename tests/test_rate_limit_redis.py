"""With REDIS_URL set, rate-limit counters live in Redis, shared by every worker."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from ideaboard.extensions import db
from tests.conftest import make_app, post_form

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        client.close()
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}; .ci/run should start it")
        pytest.skip(f"needs Redis at {REDIS_URL}")
    yield client
    client.close()


def test_login_limit_is_counted_in_redis(app, member, redis_client):
    prefix = f"ideaboard-test-{uuid.uuid4().hex}"
    redis_app = make_app(app.config["SQLALCHEMY_DATABASE_URI"],
                         RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    try:
        client = redis_app.test_client()
        codes = [post_form(client, "/login", {"email": member.email, "password": "wrong pass"})
                 .status_code for _ in range(11)]
        assert codes[-1] == 429
        assert redis_client.keys(f"*{prefix}*")
    finally:
        for key in redis_client.keys(f"*{prefix}*"):
            redis_client.delete(key)
        with redis_app.app_context():
            db.engine.dispose()
