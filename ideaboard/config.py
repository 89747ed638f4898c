"""Configuration: defaults here, then the instance folder's config.py, then the environment."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar


class Config:
    """Defaults that are safe to run with; secrets never live here."""

    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 256 * 1024
    MAX_FORM_MEMORY_SIZE = 256 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=365)
    PASSWORD_HASH_METHOD = "scrypt"  # Werkzeug's default; the tests take a cheap one
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, so long-open pages still post
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False  # X-RateLimit-* on every response: see errors.py
    # SQLite's page cache is per connection (2 MB by default) and a worker keeps two, the
    # pool's and the hot path's; the file's pages stay in the OS's cache, a read away.
    SQLITE_CACHE_KIB = 512
    IDEAS_PER_PAGE = 20
    CHATS_PER_PAGE = 20
    # Said, not left to Flask-Limiter: its one limiter object takes an unset value from the
    # last app that set one (tests make many apps).
    RATELIMIT_ENABLED = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis gone: count in memory, never fail
    RATELIMIT_SWALLOW_ERRORS = True
    # A Redis that hangs must not hang requests: give up on it within half a second.
    RATELIMIT_STORAGE_OPTIONS: ClassVar[dict[str, Any]] = {
        "socket_timeout": 0.5, "socket_connect_timeout": 0.5}
    SIGNUP_RATE_LIMIT = "5 per minute;30 per hour"  # per client address
    LOGIN_RATE_LIMIT = "10 per minute;100 per hour"  # per client address
    LOGIN_ACCOUNT_RATE_LIMIT = "5 per minute;30 per hour"  # failed log-ins per account
    PASSWORD_RESET_RATE_LIMIT = "5 per minute;20 per hour"  # per client address
    PASSWORD_RESET_ACCOUNT_RATE_LIMIT = "3 per hour"  # per address typed: mail sent
    VERIFY_RESEND_RATE_LIMIT = "3 per hour"  # confirmation links a member asks again for
    IDEA_RATE_LIMIT = "5 per minute;30 per day"  # per member
    COMMENT_RATE_LIMIT = "5 per minute;30 per hour"  # visitors, per client address
    MEMBER_COMMENT_RATE_LIMIT = "20 per minute;200 per hour"  # per member
    FLAG_RATE_LIMIT = "10 per hour"  # per member, or per client address for visitors
    NEWSLETTER_RATE_LIMIT = "5 per minute;20 per hour"  # digest sign-ups, per client address
    VOTE_RATE_LIMIT = "120 per minute"  # per member: a person never meets it, a script does
    PROXY_COUNT = 0
    HTTPS = False  # served over HTTPS only: Secure cookies and HSTS on every response
    BASE_URL = "http://127.0.0.1:5000"  # where links in mail point
    # Mail (services/outbox.py): with no MAIL_SERVER, mail is written to instance/outbox/.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS after connecting
    MAIL_USE_SSL = False  # TLS from the start (port 465)
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Ideaboard <ideaboard@localhost>"
    MAIL_TIMEOUT = 10  # seconds for the connection and each reply
    WEBHOOK_TIMEOUT = 10  # seconds a webhook's receiver has to answer each delivery


ENV_PREFIX = "IDEABOARD_"
PLAIN_ENV_KEYS = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BASE_URL", "MAIL_SERVER",
                  "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME", "MAIL_PASSWORD",
                  "MAIL_DEFAULT_SENDER", "MAIL_TIMEOUT")


def load_environment(config: dict[str, Any]) -> None:
    """Read DATABASE_URL, SECRET_KEY, REDIS_URL, BASE_URL, MAIL_* and IDEABOARD_* settings
    from the environment."""
    for key in PLAIN_ENV_KEYS:
        if os.environ.get(key):
            config[key] = os.environ[key] if key in _TEXT_KEYS else _parse_value(os.environ[key])
    for key, value in os.environ.items():
        if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX):
            config[key.removeprefix(ENV_PREFIX)] = _parse_value(value)
    if config.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]
    if config.get("REDIS_URL") and config.get("RATELIMIT_STORAGE_URI") == "memory://":
        config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"]


_TEXT_KEYS = {"SECRET_KEY", "MAIL_PASSWORD", "MAIL_USERNAME"}  # taken as typed, even "true"


def _parse_value(value: str) -> Any:
    if value.lower() in {"true", "false"}:
        return value.lower() == "true"
    if value.isdigit():
        return int(value)
    return value


def default_database_uri(instance_path: str) -> str:
    """SQLite in the instance folder (made if missing): the zero-setup default."""
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    return "sqlite:///" + str(Path(instance_path) / "ideaboard.sqlite")


def dev_secret_key(instance_path: str) -> str:
    """A random key kept in the instance folder, so debug sessions survive restarts."""
    key_file = Path(instance_path) / "dev-secret-key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
