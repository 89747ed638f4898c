"""Error pages: HTML for people, JSON for scripts that ask for it."""

from __future__ import annotations

from flask import Flask, render_template
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ideaboard.negotiation import wants_json

MESSAGES = {
    400: "The request could not be understood. Please go back and try again.",
    403: "You do not have permission to do that.",
    404: "There is nothing here. The idea may have been withdrawn, or the link mistyped.",
    405: "That action is not available here.",
    413: "That was too large to accept. Please shorten it and try again.",
    429: "Too many attempts in a short time. Please wait a little and try again.",
    500: "Something went wrong on our side. Please try again in a moment.",
}


def _render(code: int, message: str):
    if wants_json():
        return {"error": message, "status": code}, code
    return render_template("errors/error.html", code=code, message=message), code


def handle_http_error(error: HTTPException):
    code = error.code or 500
    own_words = error.description != type(error).description  # abort(code, "why")
    message = error.description if own_words else MESSAGES.get(code, error.description or "")
    return _render(code, message or "")


def handle_rate_limit(error: RateLimitExceeded):
    # Flask-Limiter's description is the limit itself ("10 per 1 minute"): not for people.
    return _render(429, MESSAGES[429])


def handle_csrf_error(error: CSRFError):
    return _render(400, "This form has expired or was sent from elsewhere. "
                        "Please reload the page and try again.")


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(RateLimitExceeded, handle_rate_limit)
    app.register_error_handler(HTTPException, handle_http_error)
