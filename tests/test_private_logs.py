"""Logs hold no passwords, tokens or full client addresses, whichever logger writes them:
gunicorn's access log included."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import requests

from bench.serve import serve
from ideaboard.extensions import db
from ideaboard.models import User
from ideaboard.private_logs import clean
from ideaboard.services import accounts
from tests.conftest import PASSWORD, post_form
from tests.test_reliability import server_env

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("line", "cleaned"), [
    ('203.0.113.77 - - "GET /password/reset/IjEi.aGk.x-_y?next=/ HTTP/1.1" 200',
     '203.0.113.x - - "GET /password/reset/[token]?next=/ HTTP/1.1" 200'),
    ("GET /account/verify/WyIxIl0.sig and /unsubscribe/WyJtIl0.sig",
     "GET /account/verify/[token] and /unsubscribe/[token]"),
    ("GET /?q=fhir&password=hunter2&api_key=abc&next=/x",
     "GET /?q=fhir&password=[hidden]&api_key=[hidden]&next=/x"),
    ("from 2001:db8:85a3::8a2e:370:7334 and ::ffff:192.0.2.128",
     "from 2001:db8:85a3::x and ::ffff:192.0.2.x"),
    # what is not a client address or a token stays as it was
    ("at 01:04:28, version 1.2.3, /account/tokens/12/revoke, /ideas/4-a-title",
     "at 01:04:28, version 1.2.3, /account/tokens/12/revoke, /ideas/4-a-title"),
])
def test_clean_takes_out_tokens_secrets_and_client_addresses(app, line, cleaned):
    assert clean(line) == cleaned


def test_every_logger_writes_cleaned_records(app, caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("werkzeug").info('%s - - "GET %s HTTP/1.1" 200 -', "198.51.100.23",
                                       "/unsubscribe/WyJtIiwxXQ.c2ln")
    logging.getLogger("flask-limiter").warning("ratelimit %s (%s) exceeded", "5 per minute",
                                               "198.51.100.23")

    assert "198.51.100.23" not in caplog.text and "WyJtIiwxXQ" not in caplog.text
    assert caplog.text.count("198.51.100.x") == 2 and "/unsubscribe/[token]" in caplog.text


def test_signing_up_and_logging_in_log_no_password(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    signed_up = post_form(client, "/signup", {"display_name": "Ana", "email": "ana@example.org",
                                              "password": PASSWORD})
    post_form(client, "/logout")
    refused = post_form(client, "/login", {"email": "ana@example.org",
                                           "password": "wrong-" + PASSWORD})
    logged_in = post_form(client, "/login", {"email": "ana@example.org", "password": PASSWORD})

    assert (signed_up.status_code, refused.status_code, logged_in.status_code) == (302, 400, 302)
    assert PASSWORD not in caplog.text


def test_gunicorns_access_log_holds_no_token_or_full_address(app, migrated, member,
                                                            tmp_path):
    with app.app_context():
        token = accounts.password_reset_token(db.session.get(User, member.id))
    env = {**server_env(migrated), "GUNICORN_CMD_ARGS": "--access-logfile -"}
    with serve("access-log", "wsgi:app", ROOT, env, 1, tmp_path) as server:
        for path in (f"/password/reset/{token}", "/?password=hunter2"):
            requests.get(server.url + path, timeout=10, allow_redirects=False)
    log = server.log.read_text()

    assert '"GET /password/reset/[token] HTTP/1.1"' in log
    assert "password=[hidden]" in log and "127.0.0.x" in log
    assert token not in log and "hunter2" not in log and "127.0.0.1 " not in log
