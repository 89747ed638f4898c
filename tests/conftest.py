"""Fixtures: a real database (SQLite, or PostgreSQL from TEST_DATABASE_URL), migrated once,
emptied after every test; an app and client per test, with CSRF on as in production."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, session
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_wtf.csrf import generate_csrf
from sqlalchemy import create_engine, make_url, select, text
from werkzeug.security import generate_password_hash

from ideaboard import create_app
from ideaboard.extensions import db, limiter
from ideaboard.models import Idea, OutboxMessage, Role, User, utcnow
from ideaboard.services import accounts
from ideaboard.services import ideas as idea_service
from ideaboard.services.categories import all_categories, seed_categories

PASSWORD = "correct horse battery"
# Passwords are not what most tests are about, and scrypt costs 0.1 s a hash or a log-in:
# the tests hash with one round of PBKDF2 (tests/views/test_auth.py signs up with the board's own).
CHEAP_PASSWORD_HASH = "pbkdf2:sha256:1"
_CSRF = re.compile(r'(?:name="csrf-token" content|name="csrf_token" type="hidden" value)="([^"]+)"')


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of SQLite's own machinery are left out (deselected, not skipped) when the suite
    runs on PostgreSQL."""
    if not os.environ.get("TEST_DATABASE_URL"):
        return
    kept = [item for item in items if item.get_closest_marker("sqlite_only") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """This test process's own database: a SQLite file in its temporary folder, or a
    PostgreSQL database of its own beside TEST_DATABASE_URL's when tests run in parallel."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        if worker:
            return _fresh_postgres_database(url, f"{make_url(url).database}_{worker}")
        _reset_postgres_schema(url)
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


def _fresh_postgres_database(url: str, name: str) -> str:
    """An empty database called `name` on TEST_DATABASE_URL's server (made anew each run)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        # A test database needs no commit on disk before the next statement: without this,
        # each of the suite's thousands of commits waits for the WAL's fsync.
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _reset_postgres_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_app(database_url: str, **overrides) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def migrated(database_url: str) -> str:
    """The schema, built by the real migrations once per run."""
    app = make_app(database_url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _empty_all_tables() -> None:
    """Every row gone and PostgreSQL's id sequences back at 1. Deletes, not TRUNCATE: on
    PostgreSQL a TRUNCATE of every table makes new files for each (0.3 s a test)."""
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name != "board_state"]
    for table in tables:
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'"
                                " AND relnamespace = current_schema()::regnamespace"))
    db.session.commit()


@pytest.fixture
def app(migrated: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(migrated)
    app.instance_path = str(tmp_path)
    with app.app_context():
        seed_categories()
        db.session.commit()
    limiter.reset()
    yield app
    with app.app_context():
        db.session.rollback()
        _empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def password_hash() -> str:
    return generate_password_hash(PASSWORD, method=CHEAP_PASSWORD_HASH)


@pytest.fixture
def make_user(app: Flask, password_hash: str):
    """Create a member (or caretaker) directly; all share PASSWORD."""
    counter = iter(range(1, 10_000))

    def _make(name: str | None = None, role: Role = Role.MEMBER, email: str | None = None,
              verified: bool = False):
        n = next(counter)
        with app.app_context():
            user = User(email=email or f"member{n}@example.org", display_name=name or f"Member {n}",
                        password_hash=password_hash, role=role,
                        email_verified_at=utcnow() if verified else None)
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return _make


@pytest.fixture
def make_idea(app: Flask, make_user):
    """Post an idea through the service, as a real member would."""

    def _make(title: str = "A monthly AMA with a CMIO", author: User | None = None,
              description: str = "Once a month, a CMIO answers questions.", category=None):
        author = author or make_user()
        with app.app_context():
            category_id = category or all_categories()[0].id
            idea = idea_service.create_idea(author, title, description, category_id)
            db.session.commit()
            return idea.id

    return _make


def csrf_token(client: FlaskClient) -> str:
    """The token a page would carry for this browser's session, signed by flask-wtf as a page
    is, without rendering one (tests/test_security.py reads tokens from real pages)."""
    with client.session_transaction() as browser_session, \
            client.application.test_request_context():
        if "csrf_token" in browser_session:
            session["csrf_token"] = browser_session["csrf_token"]
        token = generate_csrf()
        browser_session["csrf_token"] = session["csrf_token"]
    return token


def page_csrf_token(page: str) -> str:
    """The token in a page's log-in form or, once logged in, its <meta>."""
    match = _CSRF.search(page)
    assert match, "page has no CSRF token"
    return match.group(1)


def without_csrf_tokens(page: str) -> str:
    """The page with its CSRF tokens blanked: they are signed with the time, so two renders a
    second apart differ there and nowhere else."""
    return _CSRF.sub(lambda match: match.group(0).replace(match.group(1), "token"), page)


def post_form(client: FlaskClient, path: str, data: dict | None = None, **kwargs):
    """POST like a browser: with the session's CSRF token."""
    payload = {"csrf_token": csrf_token(client), **(data or {})}
    return client.post(path, data=payload, **kwargs)


def queued_mail(app: Flask, to: str | None = None) -> list[OutboxMessage]:
    """The mail in the outbox (to one address, if given), oldest first."""
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if to is not None:
            query = query.where(OutboxMessage.recipient == to)
        return list(db.session.scalars(query))


def log_in(client: FlaskClient, user: User, password: str = PASSWORD):
    response = post_form(client, "/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def sign_in(client: FlaskClient, user: User) -> FlaskClient:
    """Signed in as logging in signs them in, without a password check (which costs a tenth
    of a second): for tests about what a member may do, not about logging in."""
    with client.application.app_context():
        token = accounts.start_session(user.id)
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{token}"
        session["_fresh"] = True
    return client


@pytest.fixture
def member(make_user) -> User:
    return make_user("Ana Member")


@pytest.fixture
def caretaker(make_user) -> User:
    return make_user("The Caretaker", role=Role.CARETAKER, email="caretaker@example.org")


@pytest.fixture
def member_client(client: FlaskClient, member: User) -> FlaskClient:
    log_in(client, member)
    return client


@pytest.fixture
def caretaker_client(client: FlaskClient, caretaker: User) -> FlaskClient:
    log_in(client, caretaker)
    return client


class Clock:
    """time.monotonic, moved forward at will, and stopped if asked (so that a slow machine
    does not move it past what a test means to show)."""

    def __init__(self, real) -> None:
        self.offset = 0.0
        self.real = real
        self.stopped_at: float | None = None

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def stop(self) -> None:
        self.stopped_at = self.real()

    def now(self) -> float:
        return (self.real() if self.stopped_at is None else self.stopped_at) + self.offset


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """For what may be served up to a second late: the test moves time on instead of
    sleeping."""
    found = Clock(time.monotonic)
    monkeypatch.setattr(time, "monotonic", found.now)
    return found


def database_snapshot(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table (the board's generation included), to prove that a refused
    request wrote nothing."""
    with app.app_context():
        snapshot = {}
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = db.session.execute(table.select().order_by(*order))
            snapshot[table.name] = [tuple(row) for row in rows]
        db.session.rollback()
        return snapshot


def get_idea(app: Flask, idea_id: int) -> Idea:
    with app.app_context():
        idea = db.session.get(Idea, idea_id)
        db.session.expunge(idea)
        return idea


@pytest.fixture
def visitor(app: Flask) -> FlaskClient:
    """A second browser, signed in as no one (`client` may be the caretaker's)."""
    return app.test_client()
