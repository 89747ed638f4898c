"""The steps of the app factory, each small enough to read at a glance."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from ideaboard import config as cfg
from ideaboard.extensions import csrf, db, limiter, login_manager


class ConfigError(RuntimeError):
    """The configuration cannot be run safely."""


def configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_object(cfg.Config)
    app.config.from_pyfile("config.py", silent=True)
    cfg.load_environment(app.config)
    if test_config is not None:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = cfg.default_database_uri(app.instance_path)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    if app.config["HTTPS"]:
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True,
                          PREFERRED_URL_SCHEME="https")
    if not app.config.get("SECRET_KEY"):
        if not (app.debug or app.testing):
            raise ConfigError("SECRET_KEY must be set (environment or instance/config.py).")
        app.config["SECRET_KEY"] = cfg.dev_secret_key(app.instance_path)


def init_extensions(app: Flask) -> None:
    from ideaboard import database, inputs
    from ideaboard.services import audit, freshness
    from ideaboard.sessions import RememberingSessionInterface

    inputs.install(app)  # first: routes need its converter, and it runs before the CSRF check
    app.session_interface = RememberingSessionInterface()
    db.init_app(app)
    database.tune_connections(app)
    freshness.install()
    audit.install()
    csrf.init_app(app)
    limiter.init_app(app)
    # Every limit we set is on a route, and the route's decorator checks it; the limiter's
    # own before-request check, for application-wide limits we do not have, cost ~10 % of a
    # cached page.
    checks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in checks:  # not there with RATELIMIT_ENABLED=False
        checks.remove(limiter._check_request_limit)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to do that."
    login_manager.login_message_category = "info"

    from ideaboard.auth.access import load_user

    login_manager.user_loader(load_user)


def register_blueprints(app: Flask) -> None:
    from ideaboard import errors, private_logs, security
    from ideaboard.api.views import bp as api_bp
    from ideaboard.auth.views import bp as auth_bp
    from ideaboard.board.views import bp as board_bp
    from ideaboard.caretaker.views import bp as caretaker_bp
    from ideaboard.chats.views import bp as chats_bp
    from ideaboard.contact.views import bp as contact_bp
    from ideaboard.feeds.views import bp as feeds_bp
    from ideaboard.health.views import bp as health_bp
    from ideaboard.hosting.views import bp as hosting_bp
    from ideaboard.ideas.views import bp as ideas_bp
    from ideaboard.members.views import bp as members_bp
    from ideaboard.newsletter.views import bp as newsletter_bp
    from ideaboard.notifications.views import bp as notifications_bp
    from ideaboard.reviews.views import bp as reviews_bp
    from ideaboard.search.views import bp as search_bp
    from ideaboard.webhooks.views import bp as webhooks_bp

    for blueprint in (board_bp, auth_bp, ideas_bp, members_bp, notifications_bp, caretaker_bp,
                      reviews_bp, newsletter_bp, chats_bp, contact_bp, feeds_bp, health_bp,
                      search_bp, webhooks_bp, hosting_bp, api_bp):
        app.register_blueprint(blueprint)
    errors.register(app)
    security.register(app)
    private_logs.install(app)  # after the routes: it reads which of them carry a token


def register_cli(app: Flask) -> None:
    """Commands and migrations: only for `flask ...` and tests, not for a serving worker,
    which would carry Alembic (~11 MB) in memory for nothing."""
    from flask_migrate import Migrate

    from ideaboard import cli, shipped_folder
    from ideaboard.services.search import described_by_models

    Migrate(app, db, directory=str(shipped_folder("migrations")), render_as_batch=True,
            include_name=described_by_models)
    cli.register(app)


def register_template_helpers(app: Flask) -> None:
    from ideaboard import pagecache, templating

    templating.register(app)
    app.after_request(pagecache.personalize)


def wrap_wsgi(app: Flask) -> None:
    """Middleware, innermost first: whole responses for cookie-less visitors, Secure cookies
    and HSTS over HTTPS, then the proxy's headers (so the layers inside see the host and
    scheme the proxy saw)."""
    from ideaboard.security import HttpsOnly
    from ideaboard.visitor_cache import VisitorCache

    app.wsgi_app = VisitorCache(app, app.wsgi_app)
    app.wsgi_app = HttpsOnly(app.wsgi_app, always=app.config["HTTPS"])
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
