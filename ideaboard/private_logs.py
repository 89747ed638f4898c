"""Logs hold no passwords, tokens or full client addresses. Every log record's message is
cleaned as the record is made, whichever logger makes it: the app's, werkzeug's request
lines, gunicorn's access log (`--access-logfile`), Flask-Limiter's breach notices.

- A URL segment that is a route's `<token>` (a password reset, an address confirmation, an
  unsubscribe link) becomes `[token]`: the patterns come from the app's own routes, so a
  route added later is covered the day it lands.
- A query value named like a secret (`password`, `token`, `secret`, `key`) becomes `[hidden]`.
- An IPv4 address keeps its first three parts (`203.0.113.x`), an IPv6 address its first
  three groups (`2001:db8:85a3::x`): enough to see a network misbehave, not to find a person.
"""

from __future__ import annotations

import ipaddress
import logging
import re

from flask import Flask

_SECRET_QUERY = re.compile(r"(?i)([?&](?:[\w-]*(?:password|token|secret|key)[\w-]*)=)[^&\s\"']*")
_IPV4 = re.compile(r"(?<![\w.])(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}(?![\w.])")
_IPV6 = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:.])")
_state: dict[str, re.Pattern | None] = {"token_routes": None}


def install(app: Flask) -> None:
    """Clean every log record from now on, with the token routes of `app`."""
    prefixes = sorted({rule.rule.split("<", 1)[0] for rule in app.url_map.iter_rules()
                       if "token" in rule.arguments and
                       not rule.rule.split("<", 1)[1].startswith("int:")})
    _state["token_routes"] = re.compile(
        "(" + "|".join(re.escape(prefix) for prefix in prefixes) + r")[^\s/?#\"']+"
    ) if prefixes else None
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "cleans_secrets", False):
        logging.setLogRecordFactory(_cleaning(factory))


def _cleaning(make_record):
    def make_clean_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: logging reports it itself
            return record
        cleaned = clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return record

    make_clean_record.cleans_secrets = True
    return make_clean_record


def clean(message: str) -> str:
    """The message with tokens, secret query values and client addresses taken out."""
    routes = _state["token_routes"]
    if routes is not None:
        message = routes.sub(r"\1[token]", message)
    message = _SECRET_QUERY.sub(r"\1[hidden]", message)
    message = _IPV4.sub(r"\1.x", message)
    return _IPV6.sub(_shorten_ipv6, message)


def _shorten_ipv6(match: re.Match) -> str:
    try:
        address = ipaddress.IPv6Address(match.group())
    except ValueError:  # a time of day, a MAC address...: not an address
        return match.group()
    network = address.exploded.split(":")[:3]
    return ":".join(format(int(group, 16), "x") for group in network) + "::x"
