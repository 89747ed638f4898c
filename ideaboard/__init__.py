"""Ideaboard: a community ideas board."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def shipped_folder(name: str) -> Path:
    """`templates`, `static` or `migrations`: at the repository root in a checkout, inside
    the package once installed from the wheel (pyproject.toml puts them there)."""
    installed = PACKAGE / name
    return installed if installed.is_dir() else ROOT / name


class Ideaboard(Flask):
    """Flask, except that an outage reaching Flask's last handler (raised while a session is
    opened or a response finished) is not logged as a traceback: errors.py answers it as the
    friendly 503 and logs a warning, as for an outage met in a view."""

    def log_exception(self, exc_info) -> None:
        from ideaboard.errors import UNAVAILABLE

        if not isinstance(exc_info[1], self.extensions.get(UNAVAILABLE, ())):
            super().log_exception(exc_info)


def create_app(test_config: dict[str, Any] | None = None, *, with_cli: bool = True) -> Flask:
    """Build the app: config, extensions, blueprints, CLI (unless serving only), templates,
    middleware."""
    app = Ideaboard(
        __name__,
        template_folder=str(shipped_folder("templates")),
        static_folder=str(shipped_folder("static")),
        instance_relative_config=True,
    )
    from ideaboard import setup

    setup.configure(app, test_config)
    setup.init_extensions(app)
    setup.register_blueprints(app)
    if with_cli:
        setup.register_cli(app)
    setup.register_template_helpers(app)
    setup.wrap_wsgi(app)
    return app
