"""The input door: unsafe input is refused with a 400 (or a 404 for ids in the path) before
any form, view or database sees it, and a refused request writes nothing."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ideaboard.auth.access import local_path
from ideaboard.extensions import limiter
from ideaboard.inputs import ID_MAX, digits_at_most
from ideaboard.sanitize import PAGE_MARK
from tests.conftest import csrf_token, database_snapshot, log_in, post_form

# Everything the door refuses in form text; tab, line feed and carriage return are allowed.
FORBIDDEN = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20),
                              *range(0x7F, 0xA0)]] + [PAGE_MARK]
LINE_BREAKS = ["\t", "\n", "\r"]
fixture_settings = settings(suppress_health_check=[HealthCheck.function_scoped_fixture],
                            deadline=None)


ORDINARY = st.characters(exclude_categories=("Cc", "Cs", "Co"))


@st.composite
def text_with(draw, characters: list[str]) -> str:
    """Ordinary text with at least one of `characters` somewhere in it."""
    before = draw(st.text(string.ascii_letters + " ", max_size=20))
    after = draw(st.text(ORDINARY, max_size=20))
    return before + draw(st.sampled_from(characters)) + after


def _form_of(response) -> str:
    assert response.status_code == 400, response.status_code
    return response.get_data(as_text=True)


@fixture_settings
@given(body=text_with(FORBIDDEN))
def test_comments_with_any_control_character_are_refused_and_nothing_is_written(
        app, client, make_idea, body):
    limiter.reset()  # visitors' comments are rate-limited; each example is a new visitor
    idea_id = make_idea()
    before = database_snapshot(app)
    page = _form_of(post_form(client, f"/ideas/{idea_id}/comments",
                              {"name": "Visitor", "body": body}))
    assert "cannot be accepted" in page
    assert database_snapshot(app) == before


def test_a_refused_field_rerenders_with_what_was_typed_less_the_refused_characters(
        app, client, make_idea):
    idea_id = make_idea()
    page = _form_of(post_form(client, f"/ideas/{idea_id}/comments",
                              {"name": "Visitor", "body": "Hello\x00 there\x07"}))
    assert 'id="body-error"' in page or "cannot be accepted" in page
    assert "Hello there</textarea>" in page


def test_a_nul_in_the_login_email_is_a_field_error(client, member):
    page = _form_of(post_form(client, "/login", {"email": "a\x00@example.org",
                                                 "password": "whatever pass"}))
    assert "cannot be accepted" in page
    assert 'value="a@example.org"' in page


def test_multi_line_text_keeps_its_tabs_and_line_breaks(app, client, make_idea):
    idea_id = make_idea()
    response = post_form(client, f"/ideas/{idea_id}/comments",
                         {"name": "Visitor", "body": "Line one\r\n\tLine two"})
    assert response.status_code == 302


@fixture_settings
@given(title=text_with(LINE_BREAKS))
def test_one_line_fields_refuse_line_breaks_and_tabs(app, member_client, title):
    before = database_snapshot(app)
    page = _form_of(post_form(member_client, "/ideas/new",
                              {"title": "A title " + title, "description": "Some words",
                               "category": "1"}))
    assert "one line" in page
    assert database_snapshot(app) == before


@pytest.mark.parametrize("body", [
    b"body=caf%E9&name=Visitor",          # Latin-1, percent-encoded
    b"body=%ED%A0%80&name=Visitor",       # a lone surrogate, as UTF-8 spells it
    b"body=%C0%AF&name=Visitor",          # an overlong encoding of "/"
])
def test_form_text_that_is_not_utf8_is_refused(app, client, make_idea, body):
    idea_id = make_idea()
    before = database_snapshot(app)
    token = csrf_token(client).encode()
    page = _form_of(client.post(f"/ideas/{idea_id}/comments", data=body + b"&csrf_token=" + token,
                                content_type="application/x-www-form-urlencoded"))
    assert "not sent as valid UTF-8" in page
    assert database_snapshot(app) == before


def test_a_form_body_of_raw_bytes_that_are_not_utf8_is_refused(app, client, make_idea):
    idea_id = make_idea()
    before = database_snapshot(app)
    token = csrf_token(client).encode()
    response = client.post(f"/ideas/{idea_id}/comments",
                           data=b"name=Visitor&body=caf\xe9&csrf_token=" + token,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "not sent as UTF-8" in response.get_data(as_text=True)
    assert database_snapshot(app) == before


def test_multipart_text_that_is_not_utf8_is_refused(app, client, make_idea):
    idea_id = make_idea()
    before = database_snapshot(app)
    boundary = "XyZ"
    parts = [("csrf_token", csrf_token(client).encode()), ("name", b"Visitor"),
             ("body", b"caf\xe9")]
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    .encode() + value + b"\r\n" for name, value in parts) + b"--XyZ--\r\n"
    page = _form_of(client.post(f"/ideas/{idea_id}/comments", data=body,
                                content_type=f"multipart/form-data; boundary={boundary}"))
    assert "not sent as valid UTF-8" in page
    assert database_snapshot(app) == before


# As a server hands them on: the raw bytes of the request line, as Latin-1 text.
@pytest.mark.parametrize("query", ["sort=%00", "sort=top%0A", "q=caf%E9", "q=caf\xe9",
                                   "%00=top", "after=1%09", "q=%EE%80%80"])
def test_query_strings_with_control_characters_or_bad_bytes_are_refused(client, query):
    response = client.get("/", environ_overrides={"QUERY_STRING": query})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/ideas/1-a\x00b", "/ideas/1-caf\xe9", "/ideas/1-a\nb"])
def test_paths_with_control_characters_or_bad_bytes_are_refused(client, make_idea, path):
    make_idea()
    assert client.get("/", environ_overrides={"PATH_INFO": path}).status_code == 400


def test_a_refused_value_outside_any_form_ends_the_request(app, member_client, make_idea):
    idea_id = make_idea()
    before = database_snapshot(app)
    response = post_form(member_client, f"/ideas/{idea_id}/vote", {"intent": "vote\x00"})
    assert response.status_code == 400
    assert "intent" in response.get_data(as_text=True)
    assert database_snapshot(app) == before


@pytest.mark.parametrize("payload", ['{"name": "\\ud800"}', '{"n": 99999999999999999999}',
                                     '{"a": ["\\u0000"]}', '{"\\u0007": 1}'])
def test_json_with_lone_surrogates_controls_or_huge_integers_is_refused(
        member_client, make_idea, payload):
    idea_id = make_idea()
    response = member_client.post(f"/ideas/{idea_id}/vote", data=payload,
                                  content_type="application/json",
                                  headers={"Accept": "application/json",
                                           "X-CSRFToken": csrf_token(member_client)})
    assert response.status_code == 400
    assert response.is_json


@fixture_settings
@given(number=st.integers(min_value=ID_MAX + 1) | st.integers(min_value=10**10, max_value=10**400)
       .map(str).map(int))
def test_ids_beyond_the_databases_range_are_a_404_in_the_path_and_a_400_in_the_query(
        app, number):
    client = app.test_client()
    assert client.get(f"/ideas/{number}").status_code == 404
    assert client.get(f"/ideas/{number}/edit").status_code in (302, 404)
    assert client.get(f"/?after={number}").status_code == 400


def test_thousands_of_digits_in_an_id_are_a_404(client):
    assert client.get("/ideas/" + "9" * 5000).status_code == 404


def test_the_largest_id_is_an_ordinary_missing_idea(client):
    assert client.get(f"/ideas/{ID_MAX}").status_code == 404
    assert client.get(f"/?after={ID_MAX}").status_code == 200


@given(target=st.text())
def test_redirect_targets_are_local_paths_without_control_characters(target):
    kept = local_path(target)
    if kept is not None:
        assert kept.startswith("/") and not kept.startswith("//") and "\\" not in kept
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in kept)


def test_a_signed_in_member_with_a_newline_in_next_is_refused_not_redirected(client, member):
    log_in(client, member)
    response = client.get("/login", query_string={"next": "/ideas\nSet-Cookie: x=1"})
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers.get("Location", "")


def test_every_form_the_app_defines_turns_the_doors_refusals_into_field_errors(app):
    from flask_wtf import FlaskForm

    from ideaboard.forms import Form

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [form for form in subclasses(FlaskForm) if form.__module__.startswith("ideaboard.")]
    assert len(ours) >= 6
    assert all(issubclass(form, Form) for form in ours), ours


@given(limit=st.integers(min_value=0, max_value=10**12), number=st.integers(min_value=0))
def test_the_id_pattern_takes_exactly_the_numbers_up_to_its_limit(limit, number):
    pattern = re.compile(digits_at_most(limit) + r"\Z")
    for candidate in (number, limit, limit + 1, number % (limit + 1)):
        assert bool(pattern.match(str(candidate))) == (candidate <= limit)


def test_an_id_beyond_the_range_is_a_404_for_every_method(client):
    """Not a 405: werkzeug answers that when another method's route matches the path
    before a converter refuses the value."""
    for method in ("GET", "POST", "PATCH", "PUT", "DELETE"):
        for path in (f"/ideas/{ID_MAX + 1}", f"/ideas/{ID_MAX + 1}/vote"):
            assert client.open(path, method=method).status_code == 404, (method, path)
