"""The door for request input: what a view or form reads has been made safe here first.

Refused, with a 400 and a message, before any form, view or database sees them:
- text that is not valid UTF-8 (the path, the query string, form and JSON bodies), and lone
  surrogates (which only JSON can spell);
- control characters (C0, DEL, C1) and the page cache's marker character, except that tab,
  line feed and carriage return may appear in form and JSON text (multi-line fields; the
  forms refuse them in one-line fields, see `forms.Form`);
- integers outside the range of the database's ids in the path (`<int:...>` routes answer
  404, see `DatabaseId`) and in the query (`int_arg` answers 400), and integers in JSON
  beyond 64 bits.

A refused value in a field that one of the app's forms defines is taken out of the form
data and noted instead, so the form re-renders with that field's error and what was typed
(without the refused characters); anything else refused ends the request with a 400 here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, ValidationError

from ideaboard.sanitize import PAGE_MARK

# INTEGER columns: 32 bits on PostgreSQL (SQLite's hold 64), so this is every id's range.
ID_MAX = 2**31 - 1
JSON_INT_RANGE = range(-(2**63), 2**63)

_LINE_FORBIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f{PAGE_MARK}]")
_TEXT_FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{PAGE_MARK}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_REFUSED_KEY = "ideaboard.refused_fields"

NOT_UTF8 = "This was not sent as valid UTF-8 text. Please type it again."
CONTROL = ("This contains characters that cannot be accepted (control characters). "
           "Please type it again.")


@dataclass(frozen=True)
class Refusal:
    """Why a form field's value was refused, and what may be shown back in its place."""

    message: str
    shown: str


def digits_at_most(limit: int) -> str:
    """A regular expression for the whole numbers from 0 to `limit` (leading zeros
    allowed): 0 to 2,147,483,647 is \\d{1,9}, or 1\\d{9}, or 20\\d{8}, or 21[0-3]\\d{7}..."""
    digits = str(limit)
    options = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for place, digit in enumerate(digits):
        lowest = 1 if place == 0 and len(digits) > 1 else 0
        if int(digit) > lowest:
            rest = len(digits) - place - 1
            options.append(digits[:place] + f"[{lowest}-{int(digit) - 1}]"
                           + (rf"\d{{{rest}}}" if rest else ""))
    options.append(digits)
    return "0*(?:" + "|".join(options) + ")"


ID_DIGITS = re.compile(rf"{digits_at_most(ID_MAX)}\Z")  # a record id written in a form


class DatabaseId(IntegerConverter):
    """`<int:...>` in routes: digits within the ids' range, else the route does not match
    (a 404) instead of a query the database refuses. The range is in the pattern itself:
    werkzeug answers 405 to a path that another method's route matches before a
    converter refuses the value."""

    regex = digits_at_most(ID_MAX)

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = ID_MAX, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)

    def to_python(self, value: str) -> int:
        if len(value) > len(str(ID_MAX)):  # before int(): thousands of digits raise
            raise ValidationError()
        return super().to_python(value)


def int_arg(name: str) -> int | None:
    """The query argument `name` as an id-sized integer, None if absent; 400 otherwise."""
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 10 or int(value) > ID_MAX:
        abort(400, f"“{name}” must be a whole number from 0 to {ID_MAX:,}.")
    return int(value)


def refusal_for(field_name: str) -> Refusal | None:
    """The door's refusal of this form field in the current request, if any."""
    return request.environ.get(_REFUSED_KEY, {}).get(field_name)


def check_request() -> None:
    """Run first, before every view: refuse or set aside whatever is unsafe (see above)."""
    _check_query(request.environ.get("QUERY_STRING", ""))  # first: error pages read it
    _check_path(request.environ.get("PATH_INFO", ""))
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.mimetype == "application/x-www-form-urlencoded":
        not_utf8 = _not_utf8_fields(request.get_data(cache=True))
        _set_aside(request.form, lambda name, value: name in not_utf8)
    elif request.mimetype == "multipart/form-data":
        # werkzeug decodes a part's invalid bytes to U+FFFD: no browser form sends those.
        _set_aside(request.form, lambda name, value: "\ufffd" in value)
    elif request.is_json:
        _check_json(request.get_json(silent=True))


def _check_path(environ_path: str) -> None:
    path = _utf8(environ_path.encode("latin-1", "replace"))  # WSGI: bytes as Latin-1
    if path is None:
        abort(400, "The address is not valid UTF-8.")
    if _LINE_FORBIDDEN.search(path):
        abort(400, "The address contains control characters.")


def _check_query(query: str) -> None:
    for name, value in _pairs(query.encode("latin-1", "replace")):
        if name is None or value is None:
            _drop_query()
            abort(400, "The query string is not valid UTF-8.")
        if _LINE_FORBIDDEN.search(name) or _LINE_FORBIDDEN.search(value):
            _drop_query()
            abort(400, f"The query argument “{_shown(name)}” contains control characters.")


def _drop_query() -> None:
    """Forget a refused query string, so that the error page (which links back here) does
    not read it: werkzeug decodes it strictly."""
    request.query_string = b""
    request.environ["QUERY_STRING"] = ""
    request.__dict__.pop("args", None)


def _not_utf8_fields(body: bytes) -> set[str]:
    """The fields whose value is not UTF-8: werkzeug parses form bodies leniently (invalid
    bytes stay percent-encoded), so the raw bytes are checked here. Raw bytes that are not
    UTF-8 (browsers percent-encode) leave werkzeug nothing to parse: the request ends."""
    if _utf8(body) is None:
        abort(400, "The form was not sent as UTF-8 text.")
    not_utf8 = set()
    for name, value in _pairs(body):
        if name is None:
            abort(400, "A field name is not valid UTF-8.")
        if value is None:
            not_utf8.add(name)
    return not_utf8


def _pairs(raw: bytes) -> Iterator[tuple[str | None, str | None]]:
    """Each name=value of a query string or urlencoded body, decoded strictly (None where
    the bytes are not UTF-8)."""
    for pair in raw.split(b"&"):
        if pair:
            name, _, value = pair.replace(b"+", b" ").partition(b"=")
            yield _utf8(unquote_to_bytes(name)), _utf8(unquote_to_bytes(value))


def _utf8(raw: bytes) -> str | None:
    if raw.isascii():
        return raw.decode("ascii")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _set_aside(form: MultiDict, not_utf8: Callable[[str, str], bool]) -> None:
    """Take refused values out of the form data: in a form's field they become that field's
    error; anywhere else they end the request."""
    refused: dict[str, Refusal] = {}
    for name, value in form.items(multi=True):
        if not isinstance(name, str) or _LINE_FORBIDDEN.search(name):  # multipart: None
            abort(400, "A field name is missing or contains control characters.")
        if name in refused:
            continue
        if not_utf8(name, value):
            refused[name] = Refusal(NOT_UTF8, _TEXT_FORBIDDEN.sub("", value))
        elif _TEXT_FORBIDDEN.search(value):
            refused[name] = Refusal(CONTROL, _TEXT_FORBIDDEN.sub("", value))
    if not refused:
        return
    for name, refusal in refused.items():
        if name not in form_field_names():
            abort(400, f"The field “{_shown(name)}” was refused: {refusal.message}")
    request.environ[_REFUSED_KEY] = refused
    kept = [(name, value) for name, value in form.items(multi=True) if name not in refused]
    request.__dict__["form"] = ImmutableMultiDict(kept)


def _check_json(value: object) -> None:
    if isinstance(value, str):
        if _TEXT_FORBIDDEN.search(value) or _SURROGATE.search(value):
            abort(400, "A text value contains characters that cannot be accepted.")
    elif isinstance(value, bool | float) or value is None:
        return
    elif isinstance(value, int):
        if value not in JSON_INT_RANGE:
            abort(400, "A number is too large.")
    elif isinstance(value, list):
        for item in value:
            _check_json(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if _LINE_FORBIDDEN.search(key) or _SURROGATE.search(key):
                abort(400, "A field name contains characters that cannot be accepted.")
            _check_json(item)


def _shown(name: str) -> str:
    return _LINE_FORBIDDEN.sub("", _SURROGATE.sub("", name))[:40]


@cache
def form_field_names() -> frozenset[str]:
    """Every field name of every form the app defines (its forms modules are imported with
    the blueprints, before the first request)."""
    from ideaboard.forms import Form

    return frozenset(name for form in _all_subclasses(Form) for name in _field_names(form))


def _all_subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def _field_names(form: type) -> Iterator[str]:
    """As WTForms finds a form class's fields: its UnboundField attributes."""
    from wtforms.fields.core import UnboundField

    for name in dir(form):
        if not name.startswith("_") and isinstance(getattr(form, name), UnboundField):
            yield name


def install(app: Flask) -> None:
    """Ids in routes through DatabaseId; the check ahead of every other before-request
    function (the CSRF check reads the form)."""
    app.url_map.converters["int"] = DatabaseId
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
