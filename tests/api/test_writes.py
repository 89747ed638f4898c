"""Writing through the API: posting, changing, voting and commenting, with JSON errors
that change nothing."""

from __future__ import annotations

import pytest

from ideaboard.extensions import db
from ideaboard.models import AuditEntry, Comment, Idea, Status, StatusChange, Vote
from ideaboard.services import settings
from tests.api.conftest import bearer
from tests.conftest import csrf_token, database_snapshot, get_idea, sign_in

NEW = {"title": "Invite a CMIO to host", "description": "They know the *EHR* side.",
       "category": "host-to-invite"}


def _content(app) -> dict:
    """Every table but the tokens' (whose last use a request writes)."""
    snapshot = database_snapshot(app)
    snapshot.pop("api_tokens")
    return snapshot


def _count(app, model) -> int:
    with app.app_context():
        return db.session.query(model).count()


def test_a_member_posts_an_idea(app, client, member, member_token):
    response = client.post("/api/v1/ideas", json=NEW, headers=member_token)

    assert response.status_code == 201
    idea = response.get_json()
    assert idea["title"] == NEW["title"] and idea["category"]["slug"] == "host-to-invite"
    assert idea["body_html"] == "<p>They know the <em>EHR</em> side.</p>\n"
    assert idea["author"]["name"] == member.display_name and idea["voted"] is False
    assert response.headers["Location"] == f"http://localhost/api/v1/ideas/{idea['id']}"
    assert client.get(response.headers["Location"]).get_json()["title"] == NEW["title"]


def test_category_may_be_its_id(app, client, member_token):
    categories = client.get("/api/v1/categories").get_json()["categories"]
    response = client.post("/api/v1/ideas", json={**NEW, "category": categories[1]["id"]},
                           headers=member_token)
    assert response.status_code == 201
    assert response.get_json()["category"]["id"] == categories[1]["id"]


@pytest.mark.parametrize(("body", "field"), [
    ({**NEW, "title": "Hey"}, "title"),  # the page's rule: 5 to 140 characters
    ({**NEW, "title": "x" * 141}, "title"),
    ({**NEW, "title": "Two\nlines here"}, "title"),
    ({**NEW, "title": "     "}, "title"),
    ({**NEW, "description": ""}, "description"),
    ({**NEW, "category": "no-such-category"}, "category"),
    ({**NEW, "category": 999999}, "category"),
    ({**NEW, "category": True}, "category"),
    ({**NEW, "title": 12345}, "title"),
    ({"title": NEW["title"], "description": "x"}, "category"),
    ({**NEW, "votes": 1000}, "votes"),
])
def test_a_refused_idea_is_a_422_naming_the_field_and_writes_nothing(app, client, member_token,
                                                                     body, field):
    before = _content(app)
    response = client.post("/api/v1/ideas", json=body, headers=member_token)

    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "unprocessable_entity" and field in error["fields"]
    assert _content(app) == before


@pytest.mark.parametrize(("kwargs", "status"), [
    ({"data": "title=form+data", "content_type": "application/x-www-form-urlencoded"}, 415),
    ({"data": "{not json", "content_type": "application/json"}, 400),
    ({"json": ["a", "list"]}, 422),
    ({"data": "null", "content_type": "application/json"}, 422),
    ({"data": '{"title": "x\\u0000"}', "content_type": "application/json"}, 400),
    ({"data": '{"category": 1' + "0" * 30 + "}", "content_type": "application/json"}, 400),
    ({"data": '{"title": "' + "x" * 300_000 + '"}', "content_type": "application/json"}, 413),
])
def test_bodies_that_are_not_json_objects_get_the_right_status(app, client, member_token,
                                                               kwargs, status):
    response = client.post("/api/v1/ideas", headers=member_token, **kwargs)
    assert response.status_code == status
    assert response.is_json and response.get_json()["error"]["message"]
    assert _count(app, Idea) == 0


def test_writes_need_a_member(app, client, make_idea, make_user):
    idea_id = make_idea()
    for method, path in (("post", "/api/v1/ideas"), ("patch", f"/api/v1/ideas/{idea_id}"),
                         ("put", f"/api/v1/ideas/{idea_id}/vote"),
                         ("delete", f"/api/v1/ideas/{idea_id}/vote")):
        response = getattr(client, method)(path, json=NEW)
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="ideaboard"'

    suspended = make_user("Suspended")
    with app.app_context():
        from ideaboard.services import members
        members.suspend(db.session.get(type(suspended), suspended.id), False,
                        db.session.get(type(suspended), suspended.id))
        db.session.commit()
    headers = bearer(app, suspended)
    assert client.post("/api/v1/ideas", json=NEW, headers=headers).status_code == 403
    assert client.put(f"/api/v1/ideas/{idea_id}/vote", headers=headers).status_code == 403


def test_voting_is_idempotent_both_ways(app, client, make_idea, member_token):
    idea_id = make_idea()
    path = f"/api/v1/ideas/{idea_id}/vote"

    assert client.put(path, headers=member_token).get_json() == {"votes": 1, "voted": True}
    assert client.put(path, headers=member_token).get_json() == {"votes": 1, "voted": True}
    assert client.delete(path, headers=member_token).get_json() == {"votes": 0, "voted": False}
    assert client.delete(path, headers=member_token).get_json() == {"votes": 0, "voted": False}
    assert _count(app, Vote) == 0
    assert client.put("/api/v1/ideas/424242/vote", headers=member_token).status_code == 404


def test_the_author_changes_their_idea(app, client, member, member_token, make_idea):
    idea_id = make_idea(author=member)
    response = client.patch(f"/api/v1/ideas/{idea_id}", headers=member_token,
                            json={"title": "A sharper title", "category": "other"})

    assert response.status_code == 200
    changed = response.get_json()
    assert changed["title"] == "A sharper title" and changed["category"]["slug"] == "other"
    assert changed["body_html"] == "<p>Once a month, a CMIO answers questions.</p>\n"
    assert get_idea(app, idea_id).title == "A sharper title"


def test_the_caretaker_sets_status_and_response(app, client, caretaker_token, make_idea):
    idea_id = make_idea()
    response = client.patch(f"/api/v1/ideas/{idea_id}", headers=caretaker_token,
                            json={"status": "planned", "response": "On the **May** chat."})

    assert response.status_code == 200
    idea = response.get_json()
    assert idea["status"] == "planned"
    assert idea["official_response"]["body_html"] == "<p>On the <strong>May</strong> chat.</p>\n"
    assert _count(app, StatusChange) == 1 and _count(app, AuditEntry) == 1
    # Leaving the response out keeps it; an empty one removes it.
    kept = client.patch(f"/api/v1/ideas/{idea_id}", headers=caretaker_token,
                        json={"status": "in_progress"}).get_json()
    assert kept["status"] == "in_progress" and kept["official_response"] is not None
    removed = client.patch(f"/api/v1/ideas/{idea_id}", headers=caretaker_token,
                           json={"response": ""}).get_json()
    assert removed["official_response"] is None and removed["status"] == "in_progress"


def test_nobody_changes_what_is_not_theirs_and_a_mixed_refusal_changes_nothing(
        app, client, member, caretaker, make_idea, make_user):
    idea_id = make_idea(author=member)
    other = bearer(app, make_user("Someone else"))
    author = bearer(app, member)
    caretaker_headers = bearer(app, caretaker)
    before = _content(app)

    assert client.patch(f"/api/v1/ideas/{idea_id}", headers=other,
                        json={"title": "Taken over"}).status_code == 403
    assert client.patch(f"/api/v1/ideas/{idea_id}", headers=author,
                        json={"status": "done"}).status_code == 403
    assert client.patch(f"/api/v1/ideas/{idea_id}", headers=caretaker_headers,
                        json={"title": "The caretaker's title"}).status_code == 403
    # The author's valid title with an invalid category: neither is written.
    refused = client.patch(f"/api/v1/ideas/{idea_id}", headers=author,
                           json={"title": "A valid new title", "category": "nope"})
    assert refused.status_code == 422 and "category" in refused.get_json()["error"]["fields"]
    assert client.patch(f"/api/v1/ideas/{idea_id}", headers=author, json={}).status_code == 422
    assert client.patch(f"/api/v1/ideas/{idea_id}", headers=caretaker_headers,
                        json={"status": "maybe"}).status_code == 422
    assert _content(app) == before


def test_a_member_comments(app, client, member, member_token, make_idea):
    idea_id = make_idea()
    response = client.post(f"/api/v1/ideas/{idea_id}/comments", headers=member_token,
                           json={"body": "Count me in"})

    assert response.status_code == 201
    comment = response.get_json()
    assert comment["author"] == {"name": member.display_name, "member": True}
    assert comment["body_html"] == "<p>Count me in</p>\n" and comment["held"] is False
    assert get_idea(app, idea_id).comment_count == 1
    assert client.get(comment["url"]).status_code == 302  # the comment's lasting address
    named = client.post(f"/api/v1/ideas/{idea_id}/comments", headers=member_token,
                        json={"body": "Hi", "name": "Someone else"})
    assert named.status_code == 422 and "name" in named.get_json()["error"]["fields"]


def test_a_visitor_comments_as_the_board_allows(app, client, caretaker, make_idea):
    idea_id = make_idea()
    path = f"/api/v1/ideas/{idea_id}/comments"

    posted = client.post(path, json={"name": "Guest", "email": "g@example.org", "body": "Yes"})
    assert posted.status_code == 201 and posted.get_json()["held"] is False
    assert "g@example.org" not in posted.get_data(as_text=True)
    assert client.post(path, json={"body": "No name"}).status_code == 422

    for mode, status, held in (("moderated", 201, True), ("off", 401, None)):
        with app.test_request_context():
            settings.change(caretaker, visitor_comments=settings.VisitorComments(mode))
            db.session.commit()
        response = client.post(path, json={"name": "Guest", "body": f"While {mode}"})
        assert response.status_code == status
        if held is not None:
            assert response.get_json()["held"] is held
    with app.app_context():
        shown = db.session.query(Comment).filter(Comment.hidden_at.is_(None)).count()
    assert shown == 1 and get_idea(app, idea_id).comment_count == 1


def test_a_browser_session_needs_the_csrf_token_to_write(app, client, member, make_idea):
    idea_id = make_idea()
    sign_in(client, member)
    path = f"/api/v1/ideas/{idea_id}/vote"

    refused = client.put(path)
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "bad_request"
    assert _count(app, Vote) == 0
    accepted = client.put(path, headers={"X-CSRFToken": csrf_token(client)})
    assert accepted.get_json() == {"votes": 1, "voted": True}


def test_rate_limits_answer_429_in_json(app, client, make_idea, member_token):
    app.config["VOTE_RATE_LIMIT"] = "2 per minute"
    idea_id = make_idea()
    for _ in range(2):
        client.put(f"/api/v1/ideas/{idea_id}/vote", headers=member_token)
    limited = client.put(f"/api/v1/ideas/{idea_id}/vote", headers=member_token)
    assert limited.status_code == 429
    assert limited.get_json()["error"]["code"] == "too_many_requests"
    assert int(limited.headers["Retry-After"]) > 0


def test_the_status_change_is_the_caretakers_even_on_a_hidden_idea(app, client, caretaker,
                                                                    caretaker_token,
                                                                    make_idea):
    from ideaboard.services import ideas

    idea_id = make_idea()
    with app.app_context():
        ideas.set_idea_hidden(db.session.get(Idea, idea_id), True, caretaker)
        db.session.commit()
    response = client.patch(f"/api/v1/ideas/{idea_id}", headers=caretaker_token,
                            json={"status": "declined"})
    assert response.status_code == 200
    assert get_idea(app, idea_id).status is Status.DECLINED


def test_a_reply_names_its_comment_and_goes_one_level_deep(app, client, member_token,
                                                           make_idea):
    idea_id, other_idea = make_idea(), make_idea("Another idea on the board")
    path = f"/api/v1/ideas/{idea_id}/comments"
    first = client.post(path, headers=member_token, json={"body": "First"}).get_json()
    assert first["parent_id"] is None and first["edited_at"] is None
    reply = client.post(path, headers=member_token,
                        json={"body": "Reply", "parent_id": first["id"]})
    assert reply.status_code == 201 and reply.get_json()["parent_id"] == first["id"]
    deeper = client.post(path, json={"name": "Guest", "body": "Deeper",
                                     "parent_id": reply.get_json()["id"]})
    assert deeper.get_json()["parent_id"] == first["id"]
    elsewhere = client.post(f"/api/v1/ideas/{other_idea}/comments", headers=member_token,
                            json={"body": "Elsewhere"}).get_json()
    before = database_snapshot(app)
    for parent_id in (elsewhere["id"], 2_000_000_000, 0, "1"):
        refused = client.post(path, headers=member_token,
                              json={"body": "Lost", "parent_id": parent_id})
        assert refused.status_code == 422, parent_id
        assert "parent_id" in refused.get_json()["error"]["fields"], parent_id
    assert database_snapshot(app) == before
    listed = client.get(path).get_json()["comments"]
    assert [(c["body_html"], c["parent_id"]) for c in listed] == [
        ("<p>First</p>\n", None), ("<p>Reply</p>\n", first["id"]),
        ("<p>Deeper</p>\n", first["id"])]
