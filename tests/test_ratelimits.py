"""Rate limits on sign-up, log-in (per address and per account), ideas, comments (members
looser than visitors) and votes: a 429 with Retry-After, as a page or as JSON."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from ideaboard.services.categories import all_categories
from tests.conftest import PASSWORD, csrf_token, post_form, sign_in


def _from(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def _assert_limited(response, json: bool = False) -> None:
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    if json:
        assert response.get_json()["status"] == 429
    else:
        assert "Too many attempts" in response.get_data(as_text=True)


def _post_many(client: FlaskClient, path: str, count: int, data=None, **kwargs) -> list:
    return [post_form(client, path, data or {}, **kwargs) for _ in range(count)]


def test_sign_up_is_limited_per_address(app: Flask, client):
    limit = int(app.config["SIGNUP_RATE_LIMIT"].split()[0])
    answers = [post_form(client, "/signup", {"display_name": "N", "email": f"n{i}@example.org",
                                             "password": "short"}) for i in range(limit + 1)]
    assert [a.status_code for a in answers[:limit]] == [400] * limit
    _assert_limited(answers[-1])
    other = post_form(client, "/signup", {"display_name": "N", "email": "x@example.org",
                                          "password": "short"}, **_from("10.0.0.9"))
    assert other.status_code == 400  # another address is not held back


def test_log_in_is_limited_per_address_whatever_the_account(app, client):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    answers = [post_form(client, "/login", {"email": f"m{i}@example.org", "password": "wrong"})
               for i in range(limit + 1)]
    assert [a.status_code for a in answers[:limit]] == [400] * limit
    _assert_limited(answers[-1])


def test_failed_log_ins_are_limited_per_account_from_any_address(app, client, member):
    limit = int(app.config["LOGIN_ACCOUNT_RATE_LIMIT"].split()[0])
    answers = [post_form(client, "/login", {"email": member.email.upper(), "password": "wrong"},
                         **_from(f"10.0.1.{i}")) for i in range(limit + 1)]
    assert [a.status_code for a in answers[:limit]] == [400] * limit
    _assert_limited(answers[-1])
    elsewhere = post_form(client, "/login", {"email": "someone@example.org", "password": "x"},
                          **_from("10.0.2.1"))
    assert elsewhere.status_code == 400  # other accounts are not held back


def test_log_ins_that_work_do_not_count_against_the_account(app, member):
    limit = int(app.config["LOGIN_ACCOUNT_RATE_LIMIT"].split()[0])
    for i in range(limit + 1):
        browser = app.test_client()
        answer = post_form(browser, "/login", {"email": member.email, "password": PASSWORD},
                           **_from(f"10.0.3.{i}"))
        assert answer.status_code == 302


def test_posting_ideas_is_limited_per_member(app, client, member):
    sign_in(client, member)
    limit = int(app.config["IDEA_RATE_LIMIT"].split()[0])
    with app.app_context():
        category = all_categories()[0].id
    answers = _post_many(client, "/ideas/new", limit + 1,
                         {"title": "A fine idea to try", "description": "Words.",
                          "category": category})
    assert [a.status_code for a in answers[:limit]] == [302] * limit
    _assert_limited(answers[-1])
    assert client.get("/ideas/new").status_code == 200  # the form itself is not limited


def test_members_may_comment_more_often_than_visitors(app, client, make_user, make_idea):
    idea_id = make_idea()
    path = f"/ideas/{idea_id}/comments"
    visitor_limit = int(app.config["COMMENT_RATE_LIMIT"].split()[0])
    member_limit = int(app.config["MEMBER_COMMENT_RATE_LIMIT"].split()[0])
    assert member_limit > visitor_limit
    visitor = _post_many(client, path, visitor_limit + 1, {"name": "V", "body": "Hello"})
    _assert_limited(visitor[-1])
    member = sign_in(app.test_client(), make_user())
    answers = _post_many(member, path, member_limit + 1, {"body": "Hello"})
    assert [a.status_code for a in answers[:member_limit]] == [302] * member_limit
    _assert_limited(answers[-1])


def test_votes_are_limited_generously_per_member_and_answer_json(app, client, member,
                                                                  make_idea):
    idea_id = make_idea()
    sign_in(client, member)
    limit = int(app.config["VOTE_RATE_LIMIT"].split()[0])
    assert limit >= 60  # a person toggling a vote every second never meets it
    token = csrf_token(client)
    headers = {"Accept": "application/json", "X-CSRFToken": token}
    answers = [client.post(f"/ideas/{idea_id}/vote", headers=headers,
                           data={"intent": ("vote", "unvote")[i % 2]})
               for i in range(limit + 1)]
    assert all(a.status_code == 200 for a in answers[:limit])
    _assert_limited(answers[-1], json=True)
