"""Who may use each route: a matrix built from the app's own URL map, so a new route
without an expectation fails here."""

from __future__ import annotations

import pytest
from flask import url_for

from ideaboard.extensions import db
from ideaboard.services import comments
from tests.conftest import get_idea, log_in, post_form

# endpoint -> (method, {role: expected status}); "login" means a redirect to /login.
MATRIX = {
    "board.index": ("GET", {"visitor": 200, "member": 200, "caretaker": 200}),
    "board.feed": ("GET", {"visitor": 200, "member": 200, "caretaker": 200}),
    "auth.signup": ("GET", {"visitor": 200, "member": 302, "caretaker": 302}),
    "auth.login": ("GET", {"visitor": 200, "member": 302, "caretaker": 302}),
    "auth.logout": ("POST", {"visitor": "login", "member": 302, "caretaker": 302}),
    "ideas.show": ("GET", {"visitor": 200, "member": 200, "caretaker": 200}),
    "ideas.new": ("GET", {"visitor": "login", "member": 200, "caretaker": 200}),
    "ideas.edit": ("GET", {"visitor": "login", "member": 200, "caretaker": 403}),
    "ideas.withdraw": ("POST", {"visitor": "login", "member": 302, "caretaker": 403}),
    "ideas.vote": ("POST", {"visitor": "login", "member": 302, "caretaker": 302}),
    "ideas.comment": ("POST", {"visitor": 302, "member": 302, "caretaker": 302}),
    "caretaker.dashboard": ("GET", {"visitor": "login", "member": 403, "caretaker": 200}),
    "caretaker.update_status": ("POST", {"visitor": "login", "member": 403, "caretaker": 302}),
    "caretaker.hide_idea": ("POST", {"visitor": "login", "member": 403, "caretaker": 302}),
    "caretaker.restore_idea": ("POST", {"visitor": "login", "member": 403, "caretaker": 302}),
    "caretaker.hide_comment": ("POST", {"visitor": "login", "member": 403, "caretaker": 302}),
    "caretaker.restore_comment": ("POST", {"visitor": "login", "member": 403, "caretaker": 302}),
    "static": ("GET", {"visitor": 200, "member": 200, "caretaker": 200}),
}
FORM_DATA = {
    "ideas.vote": {"intent": "vote"},
    "ideas.comment": {"name": "Visitor", "body": "A comment"},
    "caretaker.update_status": {"status": "planned", "response": "Yes"},
}


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(MATRIX)


@pytest.mark.parametrize("role", ["visitor", "member", "caretaker"])
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(app, client, make_user, make_idea, member, caretaker, endpoint, role):
    idea_id = make_idea(author=member)
    with app.app_context():
        comment_id = comments.add_guest_comment(get_idea(app, idea_id), "V", None, "Hi").id
        db.session.commit()
    if role != "visitor":
        log_in(client, member if role == "member" else caretaker)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {"idea_id": idea_id, "comment_id": comment_id, "slug": "x",
              "filename": "css/ideaboard.css"}
    with app.test_request_context():
        url = url_for(endpoint, **{k: v for k, v in values.items() if k in rule.arguments})
    method, expected = MATRIX[endpoint]
    data = FORM_DATA.get(endpoint, {})
    response = post_form(client, url, data) if method == "POST" else client.get(url)
    response.close()
    if expected[role] == "login":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    elif endpoint == "ideas.show":
        assert response.status_code in (200, 301)
    else:
        assert response.status_code == expected[role], response.get_data(as_text=True)[:500]
