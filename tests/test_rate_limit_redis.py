"""With REDIS_URL set, rate-limit counters live in Redis, shared by every worker."""

from __future__ import annotations

import os
import time
import uuid

import pytest
import redis

from ideaboard.extensions import db
from tests.conftest import make_app, post_form
from tests.servers import throwaway_redis

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


def test_when_redis_goes_away_limits_fall_back_to_memory_and_nothing_fails(app, member,
                                                                           tmp_path):
    with throwaway_redis(tmp_path) as server:
        redis_app = make_app(app.config["SQLALCHEMY_DATABASE_URI"],
                             RATELIMIT_STORAGE_URI=server.url)
        client = redis_app.test_client()
        try:
            first = post_form(client, "/login", {"email": member.email, "password": "wrong"})
            assert first.status_code == 400
            assert redis.Redis.from_url(server.url).keys("*")  # counted in Redis
            server.stop()
            codes = [post_form(client, "/login", {"email": member.email, "password": "wrong"})
                     .status_code for _ in range(8)]
            assert 500 not in codes
            assert codes[-1] == 429  # counted in memory meanwhile: still limited
            server.start()  # back: after a health check or two, counted in Redis again
            assert _counts_in_redis_again(client, server.url, member.email)
        finally:
            with redis_app.app_context():
                db.engine.dispose()


def _counts_in_redis_again(client, url: str, email: str, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        post_form(client, "/login", {"email": email, "password": "wrong"})
        if redis.Redis.from_url(url).keys("*"):
            return True
        time.sleep(0.25)
    return False
