"""Error pages: HTML for people, JSON for scripts that ask for it."""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, g, make_response, render_template
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ideaboard.api.errors import error_response, is_api_request
from ideaboard.database import unavailable_errors
from ideaboard.extensions import db, limiter, login_manager
from ideaboard.negotiation import wants_json

MESSAGES = {
    400: "The request could not be understood. Please go back and try again.",
    403: "You do not have permission to do that.",
    404: "There is nothing here. The idea may have been withdrawn, or the link mistyped.",
    405: "That action is not available here.",
    413: "That was too large to accept. Please shorten it and try again.",
    429: "Too many attempts in a short time. Please wait a little and try again.",
    500: "Something went wrong on our side. Please try again in a moment.",
    503: "The board is briefly unavailable. Nothing you did is lost: please try again in a "
         "few seconds.",
}
RETRY_AFTER_UNAVAILABLE = 5  # seconds: the board reconnects by itself within that


def _render(code: int, message: str):
    if is_api_request():
        return error_response(code, message)
    if wants_json():
        return {"error": message, "status": code}, code
    return render_template("errors/error.html", code=code, message=message), code


def handle_http_error(error: HTTPException):
    code = error.code or 500
    own_words = error.description != type(error).description  # abort(code, "why")
    message = error.description if own_words else MESSAGES.get(code, error.description or "")
    response = make_response(_render(code, message or ""))
    if code == 405:  # which methods the address does take
        response.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or ())
    return response


def handle_rate_limit(error: RateLimitExceeded):
    """A 429 saying when to come back. Flask-Limiter's X-RateLimit-* headers on every
    limited response are off (RATELIMIT_HEADERS_ENABLED): with Redis they cost a vote a
    second round trip, half of its speed; so Retry-After is set here, where it matters."""
    # Flask-Limiter's description is the limit itself ("10 per 1 minute"): not for people.
    response = make_response(_render(429, MESSAGES[429]))
    breached = limiter.current_limit
    reset_at = breached.reset_at if breached is not None else time.time() + 60
    response.headers["Retry-After"] = str(max(1, math.ceil(reset_at - time.time())))
    return response


def handle_csrf_error(error: CSRFError):
    return _render(400, "This form has expired or was sent from elsewhere. "
                        "Please reload the page and try again.")


def handle_database_unavailable(error: Exception):
    """A friendly 503 with Retry-After while the database is down or restarting: the page is
    drawn as for a visitor, as loading the member would ask the database again."""
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    current_app.logger.warning("Database unavailable (answered 503): %s", first_line)
    try:
        db.session.rollback()
    except Exception as gone:  # the connection itself may be gone: nothing to roll back
        current_app.logger.debug("No rollback: %s", gone)
    g._login_user = login_manager.anonymous_user()
    response = make_response(_render(503, MESSAGES[503]))
    response.headers["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE)
    return response


UNAVAILABLE = "ideaboard.unavailable_errors"  # app.extensions: what an outage raises


def handle_server_error(error: InternalServerError):
    """Flask's 500 for an error raised outside the view's own handlers (opening the session,
    an after_request function): the database gone by then is still the friendly 503."""
    if isinstance(error.original_exception, current_app.extensions[UNAVAILABLE]):
        return handle_database_unavailable(error.original_exception)
    return handle_http_error(error)


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(RateLimitExceeded, handle_rate_limit)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_server_error)
    with app.app_context():
        app.extensions[UNAVAILABLE] = unavailable_errors(db.engine)
    for error in app.extensions[UNAVAILABLE]:
        app.register_error_handler(error, handle_database_unavailable)
