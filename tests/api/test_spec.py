"""The OpenAPI description is valid, matches the routes both ways, and its docs page is
served from this site alone."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from ideaboard.api.spec import SPEC

_IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _spec_operations() -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, operations in SPEC["paths"].items()
            for method in operations}


def _routed_operations(app) -> set[tuple[str, str]]:
    operations = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            operations |= {(method, path) for method in rule.methods - _IGNORED_METHODS}
    return operations


def test_the_description_is_valid_openapi_3_1():
    validate(SPEC)
    assert SPEC["openapi"].startswith("3.1")


def test_every_route_is_described_and_every_description_routed(app):
    routed, described = _routed_operations(app), _spec_operations()
    assert routed - described == set(), "routes missing from the spec"
    assert described - routed == set(), "the spec names operations that are not routed"


def test_the_spec_is_served_as_json(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.get_json() == SPEC


def test_the_docs_page_lists_every_operation_from_this_site_only(client):
    page = client.get("/api/docs").get_data(as_text=True)
    for method, path in _spec_operations():
        assert f"{method} {path}" in page
    # Nothing is loaded from elsewhere: scripts, styles and images all come from here (the
    # page's canonical address names this site, and loads nothing).
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert not re.match(r"(?:https?:)?//", url) or url == "http://localhost/api/docs", url
