"""For load balancers and process managers: is the process up, and can it serve."""

from __future__ import annotations

from flask import Blueprint, current_app

from ideaboard.database import hot_connections, unavailable_errors
from ideaboard.extensions import db

bp = Blueprint("health", __name__)

_NOT_CACHED = {"Cache-Control": "no-store"}


@bp.get("/healthz")
def healthz():
    """The process answers: restart it if not. Asks nothing of the database."""
    return {"status": "ok"}, 200, _NOT_CACHED


@bp.get("/readyz")
def readyz():
    """The database answers too: send traffic here only if so."""
    try:
        hot_connections().rows("SELECT 1")
    except unavailable_errors(db.engine) as error:
        current_app.logger.warning("Not ready: %s", str(error).strip().splitlines()[:1])
        return {"status": "unavailable", "database": "down"}, 503, {
            **_NOT_CACHED, "Retry-After": "5"}
    return {"status": "ready", "database": "up"}, 200, _NOT_CACHED
