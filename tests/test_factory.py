"""The app factory: folders, layered config, and refusing to run without a secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from ideaboard import ROOT, create_app
from ideaboard.config import dev_secret_key
from ideaboard.setup import ConfigError


def test_templates_and_static_live_at_the_repository_root(app):
    assert Path(app.template_folder) == ROOT / "templates"
    assert Path(app.static_folder) == ROOT / "static"
    assert (ROOT / "templates" / "base.html").exists()
    assert (ROOT / "static" / "css" / "ideaboard.css").exists()


def test_a_secret_key_is_required_outside_debug(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})


def test_debug_generates_and_keeps_a_dev_key_in_the_instance_folder(tmp_path):
    first = dev_secret_key(str(tmp_path))
    assert dev_secret_key(str(tmp_path)) == first and len(first) >= 32
    assert (tmp_path / "dev-secret-key").stat().st_mode & 0o077 == 0


def test_environment_configures_database_and_prefixed_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite")
    monkeypatch.setenv("IDEABOARD_IDEAS_PER_PAGE", "7")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite")
    assert app.config["IDEAS_PER_PAGE"] == 7


def test_redis_url_becomes_the_rate_limit_store(monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"


def test_rate_limits_can_be_turned_off(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})
    assert app.config["RATELIMIT_ENABLED"] is False
