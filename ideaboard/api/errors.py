"""The API's one error shape: {"error": {"code", "message", "fields"}}, for every status."""

from __future__ import annotations

from http import HTTPStatus

from flask import Response, jsonify, request


class ApiError(Exception):
    """Ends an API request with this status and message (and, for a refused body, what is
    wrong with each field)."""

    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message = status, message
        self.fields, self.headers = fields or {}, headers or {}


def is_api_request() -> bool:
    return request.path.startswith("/api/v1/")


def error_code(status: int) -> str:
    """A stable, readable code for a status: 404 is "not_found", 422 "unprocessable_entity"."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "error"
    return phrase.lower().replace(" ", "_").replace("-", "_")


def error_response(status: int, message: str, fields: dict[str, str] | None = None) -> Response:
    response = jsonify(error={"code": error_code(status), "message": message,
                              "fields": fields or {}})
    response.status_code = status
    return response


def handle_api_error(error: ApiError) -> Response:
    response = error_response(error.status, error.message, error.fields)
    response.headers.update(error.headers)
    return response
