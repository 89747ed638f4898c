"""Ideaboard: a community ideas board."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None, *, with_cli: bool = True) -> Flask:
    """Build the app: config, extensions, blueprints, CLI (unless serving only), templates,
    middleware."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
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
