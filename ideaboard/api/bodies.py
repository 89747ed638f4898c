"""Reading a request's JSON body: checked against the body's schema in the API's OpenAPI
description (spec.SCHEMAS), so what the description promises is what is accepted."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import request

from ideaboard.api.errors import ApiError
from ideaboard.api.spec import SCHEMAS

REFUSED = "Some fields are not valid: see `fields`."


def read_body(schema_name: str) -> dict[str, Any]:
    """The JSON object the request sent, valid against its schema: 415 if it is not JSON,
    400 if it does not parse, 422 (with each field's problem) if it does not fit."""
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON, with Content-Type: application/json.")
    body = request.get_json()  # malformed JSON: a 400
    problems = _problems(schema_name, body)
    if problems:
        raise ApiError(422, REFUSED, problems)
    return body


def _problems(schema_name: str, body: Any) -> dict[str, str]:
    problems: dict[str, str] = {}
    for error in _validator(schema_name).iter_errors(body):
        if error.validator == "required":
            for name in error.validator_value:
                if isinstance(error.instance, dict) and name not in error.instance:
                    problems.setdefault(name, "This field is required.")
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = SCHEMAS[schema_name]["properties"]
            for name in error.instance:
                if name not in known:
                    problems.setdefault(str(name)[:40], "This request takes no such field.")
        elif error.path:
            problems.setdefault(str(error.path[0]), _explain(error))
        else:
            problems.setdefault("body", _explain(error))
    return problems


def _explain(error) -> str:
    """A message that names what is expected, not the value sent (which may be long)."""
    schema = error.schema
    match error.validator:
        case "type":
            wanted = schema["type"]
            if error.path:
                return f"This must be {_kind(wanted)}."
            return "The body must be a JSON object."
        case "maxLength":
            return f"Please keep this under {schema['maxLength'] + 1:,} characters."
        case "minLength":
            return f"Please write at least {schema['minLength']} characters."
        case "pattern":
            return "Please keep this on one line, without tabs."
        case "enum":
            return "This must be one of: " + ", ".join(map(str, schema["enum"])) + "."
        case "oneOf":
            return "This must be a category's slug (text) or id (a whole number)."
        case "minProperties":
            return "Send at least one field to change."
        case "minimum" | "maximum":
            return "This number is out of range."
    return "This value is not valid here."


def _kind(wanted: str | list[str]) -> str:
    names = {"string": "text", "integer": "a whole number", "object": "a JSON object",
             "boolean": "true or false", "array": "a list", "null": "null"}
    if isinstance(wanted, list):
        return " or ".join(names.get(kind, kind) for kind in wanted)
    return names.get(wanted, wanted)


@cache
def _validator(schema_name: str):
    # jsonschema is imported on a worker's first API write, not at start: it is 3.4 MB of
    # memory that a worker serving pages never needs.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(SCHEMAS[schema_name])
