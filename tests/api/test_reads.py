"""Reading the board through the API: lists, cursors, one idea, comments, categories, me."""

from __future__ import annotations

from datetime import datetime

from ideaboard.extensions import db
from ideaboard.models import Idea, Status
from ideaboard.services import comments, ideas, votes
from tests.api.conftest import bearer


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [idea["title"] for idea in response.get_json()["ideas"]]


def test_an_idea_carries_what_the_issue_lists(app, visitor, make_idea, member):
    idea_id = make_idea("Invite a patient advocate", author=member,
                        description="**Bold** <script>alert(1)</script>")
    with app.app_context():
        votes.cast_vote(member.id, idea_id)
        comments.add_guest_comment(db.session.get(Idea, idea_id), "Guest", None, "Yes!")
        db.session.commit()

    [idea] = visitor.get("/api/v1/ideas").get_json()["ideas"]

    assert idea["id"] == idea_id and idea["title"] == "Invite a patient advocate"
    assert idea["body_html"] == (
        "<p><strong>Bold</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\n")
    assert idea["category"]["slug"] == "chat-format" and idea["status"] == "open"
    assert (idea["votes"], idea["comments"]) == (1, 1)
    assert idea["author"] == {"name": member.display_name}
    assert datetime.fromisoformat(idea["created_at"]).tzinfo is not None
    assert idea["created_at"].endswith("Z")
    assert idea["url"] == f"http://localhost/ideas/{idea_id}-invite-a-patient-advocate"
    assert "voted" not in idea  # only a member has votes
    assert idea["official_response"] is None


def test_a_members_list_says_what_they_voted_for(app, client, make_idea, member, member_token):
    voted_for, other = make_idea("Voted for this one"), make_idea("Not this one")
    with app.app_context():
        votes.cast_vote(member.id, voted_for)
        db.session.commit()

    listed = {i["id"]: i["voted"] for i in
              client.get("/api/v1/ideas", headers=member_token).get_json()["ideas"]}

    assert listed == {voted_for: True, other: False}


def test_lists_sort_and_filter_like_the_board(app, visitor, make_idea, member, caretaker):
    quiet, popular, planned = (make_idea(t) for t in ("Quiet idea", "Popular idea",
                                                      "Planned idea"))
    with app.app_context():
        votes.cast_vote(member.id, popular)
        votes.cast_vote(caretaker.id, popular)
        votes.cast_vote(member.id, planned)
        ideas.respond(db.session.get(Idea, planned), Status.PLANNED, "Yes", caretaker)
        db.session.commit()

    assert _titles(visitor.get("/api/v1/ideas?sort=top")) == [
        "Popular idea", "Planned idea", "Quiet idea"]
    assert _titles(visitor.get("/api/v1/ideas?sort=new")) == [
        "Planned idea", "Popular idea", "Quiet idea"]
    assert _titles(visitor.get("/api/v1/ideas?status=planned")) == ["Planned idea"]
    assert _titles(visitor.get("/api/v1/ideas?category=other")) == []
    planned_idea = visitor.get(f"/api/v1/ideas/{planned}").get_json()
    assert planned_idea["official_response"]["body_html"] == "<p>Yes</p>\n"
    assert quiet  # listed last, above


def test_hidden_and_withdrawn_ideas_are_never_listed_or_shown(app, visitor, caretaker,
                                                              caretaker_token, make_idea):
    shown, hidden, withdrawn = (make_idea(t) for t in ("Shown idea", "Hidden idea",
                                                       "Withdrawn idea"))
    with app.app_context():
        ideas.set_idea_hidden(db.session.get(Idea, hidden), True, caretaker)
        ideas.withdraw_idea(db.session.get(Idea, withdrawn))
        db.session.commit()

    assert _titles(visitor.get("/api/v1/ideas")) == ["Shown idea"]
    assert visitor.get(f"/api/v1/ideas/{hidden}").status_code == 404
    assert visitor.get(f"/api/v1/ideas/{withdrawn}").status_code == 404
    assert visitor.get(f"/api/v1/ideas/{hidden}/comments").status_code == 404
    assert shown
    # The caretaker sees a hidden idea (to answer or restore it), as on its page.
    assert visitor.get(f"/api/v1/ideas/{hidden}", headers=caretaker_token).status_code == 200


def test_cursor_pages_hold_still_while_ideas_come_and_votes_move(app, visitor, make_idea,
                                                                  make_user):
    ids = [make_idea(f"Idea number {n}") for n in range(5)]
    voters = [make_user() for _ in range(5)]
    with app.app_context():  # votes 4, 3, 2, 1, 0: Top lists ids in order
        for rank, idea_id in enumerate(ids):
            for voter in voters[: 4 - rank]:
                votes.cast_vote(voter.id, idea_id)
        db.session.commit()

    first = visitor.get("/api/v1/ideas?sort=top&limit=2").get_json()
    assert [i["id"] for i in first["ideas"]] == ids[:2]
    # Meanwhile a new idea comes, and the last idea of page one gets more votes.
    make_idea("A brand new idea")
    with app.app_context():
        votes.cast_vote(voters[4].id, ids[1])
        db.session.commit()
    second = visitor.get(f"/api/v1/ideas?sort=top&limit=2&cursor={first['next_cursor']}")
    third = visitor.get(f"/api/v1/ideas?sort=top&limit=2&cursor="
                        f"{second.get_json()['next_cursor']}").get_json()

    # Page two goes on where page one ended: nothing skipped, nothing twice.
    assert [i["id"] for i in second.get_json()["ideas"]] == ids[2:4]
    assert [i["title"] for i in third["ideas"]] == ["A brand new idea", "Idea number 4"]
    assert third["next_cursor"] is None


def test_a_cursor_from_another_order_or_made_up_is_a_400(app, visitor, make_idea):
    for n in range(3):
        make_idea(f"Idea number {n}")
    cursor = visitor.get("/api/v1/ideas?sort=top&limit=1").get_json()["next_cursor"]

    for query in (f"sort=new&cursor={cursor}", "cursor=bm9wZQ", "cursor=%22%22",
                  "cursor=WyJ0b3AiLDEsIngiLDFd", "cursor=WyJ0b3AiLDEsIjIwMjYtMDEtMDEiLDFd"):
        response = visitor.get(f"/api/v1/ideas?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["error"]["fields"] == {"cursor": response.get_json()[
            "error"]["fields"]["cursor"]}


def test_bad_parameters_are_400s_naming_the_parameter(visitor):
    for query, name in (("sort=best", "sort"), ("status=maybe", "status"),
                        ("limit=0", "limit"),
                        ("limit=101", "limit"), ("limit=ten", "limit"),
                        ("limit=99999999999999999999999", "limit"),
                        ("match=some", "match"), ("sort=top&sort=new", "sort"),
                        ("q=a&q=b", "q")):
        response = visitor.get(f"/api/v1/ideas?{query}")
        assert response.status_code == 400, query
        error = response.get_json()["error"]
        assert error["code"] == "bad_request" and name in error["fields"]
    assert visitor.get("/api/v1/ideas?category=nope").status_code == 404


def test_limit_caps_the_page(visitor, make_idea):
    for n in range(3):
        make_idea(f"Idea number {n}")
    page = visitor.get("/api/v1/ideas?limit=2").get_json()
    assert len(page["ideas"]) == 2 and page["next_cursor"]


def test_comments_come_oldest_first_in_pages_of_fifty(app, visitor, make_idea):
    idea_id = make_idea()
    with app.app_context():
        idea = db.session.get(Idea, idea_id)
        for n in range(comments.THREAD_PAGE + 1):
            comments.add_guest_comment(idea, f"Guest {n}", "g@example.org", f"Comment {n}")
        db.session.commit()

    first = visitor.get(f"/api/v1/ideas/{idea_id}/comments").get_json()
    rest = visitor.get(f"/api/v1/ideas/{idea_id}/comments?cursor={first['next_cursor']}")

    assert len(first["comments"]) == comments.THREAD_PAGE
    assert first["comments"][0]["author"] == {"name": "Guest 0", "member": False}
    assert "g@example.org" not in str(first)  # a visitor's email is never shown
    assert [c["body_html"] for c in rest.get_json()["comments"]] == [
        f"<p>Comment {comments.THREAD_PAGE}</p>\n"]
    assert rest.get_json()["next_cursor"] is None
    assert visitor.get(f"/api/v1/ideas/{idea_id}/comments?cursor=x").status_code == 400


def test_categories_and_me(client, member, member_token):
    categories = client.get("/api/v1/categories").get_json()["categories"]
    assert [c["slug"] for c in categories][:2] == ["chat-format", "topic-for-a-future-chat"]

    assert client.get("/api/v1/me", headers=member_token).get_json() == {
        "id": member.id, "name": member.display_name, "role": "member", "suspended": False}
    anonymous = client.get("/api/v1/me")
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_or_made_up_token_is_a_401_even_for_reads(app, client, member):
    headers = bearer(app, member)
    with app.app_context():
        from ideaboard.services import api_tokens
        [token] = api_tokens.tokens_of(member.id)
        api_tokens.revoke_token(member.id, token.id)
        db.session.commit()

    for sent in (headers, {"Authorization": "Bearer ib_madeup"},
                 {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = client.get("/api/v1/ideas", headers=sent)
        assert response.status_code == 401
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_token_never_gets_the_visitors_shared_copy(app, visitor, make_idea, member):
    """The visitor cache answers cookie-less GETs before Flask runs: a token's request
    must not be one of them, or a member would get a visitor's list (no `voted`)."""
    idea_id = make_idea()
    for _ in range(2):  # the second answer comes from the visitor cache
        assert "voted" not in visitor.get("/api/v1/ideas").get_json()["ideas"][0]
    with app.app_context():
        votes.cast_vote(member.id, idea_id)
        db.session.commit()
    headers = bearer(app, member)
    assert visitor.get("/api/v1/ideas", headers=headers).get_json()["ideas"][0]["voted"] is True


def test_a_session_works_for_same_origin_reads(client, member, make_idea):
    from tests.conftest import sign_in

    make_idea()
    sign_in(client, member)
    assert client.get("/api/v1/ideas").get_json()["ideas"][0]["voted"] is False
    assert client.get("/api/v1/me").get_json()["id"] == member.id


def test_an_unknown_address_or_method_answers_json(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    wrong = client.delete("/api/v1/categories")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
    assert wrong.get_json()["error"]["code"] == "method_not_allowed"
    too_big = client.get("/api/v1/ideas/99999999999")  # beyond the ids' range: no such route
    assert too_big.status_code == 404 and too_big.is_json



def test_q_searches_with_relevance_filters_and_cursor(app, visitor, make_idea, member_token):
    make_idea("Telehealth for rural clinics")
    make_idea("Rural broadband", description="Telehealth needs it")
    make_idea("Genomics")

    first = visitor.get("/api/v1/ideas?q=telehealth&limit=1").get_json()
    rest = visitor.get(f"/api/v1/ideas?q=telehealth&limit=1&cursor={first['next_cursor']}")

    assert [i["title"] for i in first["ideas"]] == ["Telehealth for rural clinics"]
    assert [i["title"] for i in rest.get_json()["ideas"]] == ["Rural broadband"]
    assert rest.get_json()["next_cursor"] is None
    assert visitor.get("/api/v1/ideas?q=the").get_json() == {"ideas": [], "next_cursor": None}
    assert _titles(visitor.get("/api/v1/ideas?q=telehealth&category=other")) == []
    member = visitor.get("/api/v1/ideas?q=genomics", headers=member_token).get_json()
    assert member["ideas"][0]["voted"] is False
    # A search's cursor is not a list's, nor the reverse.
    list_cursor = visitor.get("/api/v1/ideas?limit=1").get_json()["next_cursor"]
    assert visitor.get(f"/api/v1/ideas?q=telehealth&cursor={list_cursor}").status_code == 400
    assert visitor.get(f"/api/v1/ideas?cursor={first['next_cursor']}").status_code == 400
    assert visitor.get("/api/v1/ideas?q=" + "x" * 201).status_code == 400


def test_members_share_one_rendering_yet_see_their_own_votes_at_once(app, client, make_idea,
                                                                     member, make_user):
    """The list is cached like a page: one rendering for all members, with each member's
    `voted` and the counts as they are now filled in per request."""
    idea_id = make_idea()
    first, second = bearer(app, member), bearer(app, make_user("Someone else"))
    for headers in (first, second):  # the second is served from the cached rendering
        assert client.get("/api/v1/ideas", headers=headers).get_json()["ideas"][0][
            "voted"] is False

    client.put(f"/api/v1/ideas/{idea_id}/vote", headers=first)

    mine = client.get("/api/v1/ideas", headers=first).get_json()["ideas"][0]
    theirs = client.get("/api/v1/ideas", headers=second).get_json()["ideas"][0]
    assert (mine["voted"], mine["votes"]) == (True, 1)
    assert (theirs["voted"], theirs["votes"]) == (False, 1)
