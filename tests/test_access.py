"""Who may use each route: a matrix built from the app's own URL map, so a new route
without an expectation fails here."""

from __future__ import annotations

import pytest
from flask import url_for

from ideaboard.extensions import db
from ideaboard.services import comments
from tests.conftest import get_idea, post_form, sign_in

ROLES = ("visitor", "author", "other", "caretaker")  # author: the member who wrote the idea
ANYONE = dict.fromkeys(ROLES, 200)
MEMBERS = {"visitor": "login", "author": 302, "other": 302, "caretaker": 302}
CARETAKER_ONLY = {"visitor": "login", "author": 403, "other": 403, "caretaker": 302}
AUTHOR_ONLY = {"visitor": "login", "author": 302, "other": 403, "caretaker": 403}

# endpoint -> (method, {role: expected status}); "login" means a redirect to /login.
MATRIX = {
    "board.index": ("GET", ANYONE),
    "board.feed": ("GET", ANYONE),
    "auth.signup": ("GET", {"visitor": 200, "author": 302, "other": 302, "caretaker": 302}),
    "auth.login": ("GET", {"visitor": 200, "author": 302, "other": 302, "caretaker": 302}),
    "auth.logout": ("POST", MEMBERS),
    "ideas.show": ("GET", ANYONE),
    "ideas.new": ("GET", {"visitor": "login", "author": 200, "other": 200, "caretaker": 200}),
    "ideas.edit": ("GET", {**AUTHOR_ONLY, "author": 200}),
    "ideas.withdraw": ("POST", AUTHOR_ONLY),
    "ideas.vote": ("POST", MEMBERS),
    "ideas.comment": ("POST", {**MEMBERS, "visitor": 302}),
    "caretaker.dashboard": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "caretaker.update_status": ("POST", CARETAKER_ONLY),
    "caretaker.bulk_status": ("POST", CARETAKER_ONLY),
    "caretaker.log": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "caretaker.hide_idea": ("POST", CARETAKER_ONLY),
    "caretaker.restore_idea": ("POST", CARETAKER_ONLY),
    "caretaker.hide_comment": ("POST", CARETAKER_ONLY),
    "caretaker.restore_comment": ("POST", CARETAKER_ONLY),
    "static": ("GET", ANYONE),
    "health.healthz": ("GET", ANYONE),
    "health.readyz": ("GET", ANYONE),
}
FORM_DATA = {
    "ideas.vote": {"intent": "vote"},
    "ideas.comment": {"name": "Visitor", "body": "A comment"},
    "caretaker.update_status": {"status": "planned", "response": "Yes"},
    "caretaker.bulk_status": {"ideas": "{idea_id}", "status": "planned"},
}


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(app, client, make_user, make_idea, member, caretaker, endpoint, role):
    idea_id = make_idea(author=member)
    with app.app_context():
        comment_id = comments.add_guest_comment(get_idea(app, idea_id), "V", None, "Hi").id
        db.session.commit()
    signed_in = {"author": member, "other": make_user("Another Member"), "caretaker": caretaker}
    if role in signed_in:
        sign_in(client, signed_in[role])
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {"idea_id": idea_id, "comment_id": comment_id, "slug": "x",
              "filename": "css/ideaboard.css"}
    with app.test_request_context():
        url = url_for(endpoint, **{k: v for k, v in values.items() if k in rule.arguments})
    method, expected = MATRIX[endpoint]
    data = {name: value.format(idea_id=idea_id, comment_id=comment_id)
            for name, value in FORM_DATA.get(endpoint, {}).items()}
    response = post_form(client, url, data) if method == "POST" else client.get(url)
    response.close()
    if expected[role] == "login":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    elif endpoint == "ideas.show":
        assert response.status_code in (200, 301)
    else:
        assert response.status_code == expected[role], response.get_data(as_text=True)[:500]
