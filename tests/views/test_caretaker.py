"""The caretaker's ranked table, statuses and official responses, and moderation."""

from __future__ import annotations

import re

from ideaboard.extensions import db
from ideaboard.models import Comment, Status
from ideaboard.services import comments, votes
from tests.conftest import get_idea, post_form


def _table_titles(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', page)


def test_dashboard_ranks_by_votes_with_recent_votes_and_comments(
    app, caretaker_client, make_idea, make_user
):
    quiet = make_idea("Quiet idea")
    loved = make_idea("Loved idea")
    voters = [make_user() for _ in range(4)]
    with app.app_context():
        for voter in voters[:3]:
            votes.cast_vote(voter.id, loved)
        votes.cast_vote(voters[3].id, quiet)
        db.session.commit()
    page = caretaker_client.get("/caretaker").get_data(as_text=True)
    assert _table_titles(page) == ["Loved idea", "Quiet idea"]
    assert "Votes, last 7 days" in page
    new_first = caretaker_client.get("/caretaker?sort=new").get_data(as_text=True)
    assert _table_titles(new_first) == ["Loved idea", "Quiet idea"]


def test_dashboard_lists_hidden_ideas_apart_with_a_restore_button(app, caretaker_client,
                                                                  make_idea):
    idea_id = make_idea("Hidden but listed")
    post_form(caretaker_client, f"/caretaker/ideas/{idea_id}/hide")
    page = caretaker_client.get("/caretaker").get_data(as_text=True)
    ranked, hidden_section = page.split('id="hidden-heading"')
    assert "Hidden but listed" not in ranked
    assert "Hidden but listed" in hidden_section
    assert f'action="/caretaker/ideas/{idea_id}/restore"' in hidden_section


def test_status_and_official_response_show_highlighted(app, caretaker_client, client, make_idea):
    idea_id = make_idea()
    response = post_form(caretaker_client, f"/caretaker/ideas/{idea_id}/status",
                         {"status": "planned", "response": "We'll do it in **May**."})
    assert response.status_code == 302
    idea = get_idea(app, idea_id)
    assert idea.status is Status.PLANNED
    page = app.test_client().get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="official-response"' in page and "<strong>May</strong>" in page


def test_bad_status_is_refused_and_changes_nothing(app, caretaker_client, make_idea):
    idea_id = make_idea()
    response = post_form(caretaker_client, f"/caretaker/ideas/{idea_id}/status",
                         {"status": "shipped", "response": "kept words"})
    assert response.status_code == 400
    assert "kept words" in response.get_data(as_text=True)
    idea = get_idea(app, idea_id)
    assert (idea.status, idea.official_response) == (Status.OPEN, None)


def test_caretaker_sees_the_status_form_and_members_do_not(caretaker_client, make_idea, client):
    idea_id = make_idea()
    page = caretaker_client.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    assert "Official response" in page and "Update status" in page


def test_members_cannot_reach_the_caretaker_desk(app, member_client, make_idea):
    idea_id = make_idea()
    assert member_client.get("/caretaker").status_code == 403
    page = member_client.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    assert "Update status" not in page
    response = post_form(member_client, f"/caretaker/ideas/{idea_id}/status",
                         {"status": "done", "response": ""})
    assert response.status_code == 403
    assert get_idea(app, idea_id).status is Status.OPEN


def test_hide_and_restore_an_idea(app, caretaker_client, make_idea):
    idea_id = make_idea("Moderated idea")
    post_form(caretaker_client, f"/caretaker/ideas/{idea_id}/hide")
    assert "Moderated idea" not in app.test_client().get("/").get_data(as_text=True)
    assert get_idea(app, idea_id).hidden_at is not None
    post_form(caretaker_client, f"/caretaker/ideas/{idea_id}/restore")
    assert "Moderated idea" in app.test_client().get("/").get_data(as_text=True)


def test_hide_and_restore_a_comment_keeps_the_count_right(app, caretaker_client, make_idea):
    idea_id = make_idea()
    with app.app_context():
        comment_id = comments.add_guest_comment(
            get_idea(app, idea_id), "Spammer", None, "Cheap pills").id
        db.session.commit()
    post_form(caretaker_client, f"/caretaker/comments/{comment_id}/hide")
    assert get_idea(app, idea_id).comment_count == 0
    visitor_page = app.test_client().get(f"/ideas/{idea_id}", follow_redirects=True)
    assert "Cheap pills" not in visitor_page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Comment, comment_id) is not None
    post_form(caretaker_client, f"/caretaker/comments/{comment_id}/restore")
    assert get_idea(app, idea_id).comment_count == 1


def test_a_demoted_caretaker_loses_the_desk_on_the_next_request(app, caretaker_client, caretaker):
    from ideaboard.models import Role, User

    assert caretaker_client.get("/caretaker").status_code == 200
    with app.app_context():
        db.session.get(User, caretaker.id).role = Role.MEMBER
        db.session.commit()
    assert caretaker_client.get("/caretaker").status_code == 403
