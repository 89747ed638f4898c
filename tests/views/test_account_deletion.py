"""A member deletes their account: their votes go and counts stay exact; their ideas and
comments stay as "A former member"'s or go, as they choose; they cannot come back in."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Comment, Follow, Idea, LoginSession, Role, User, Vote
from ideaboard.services import comments, merging, votes
from tests.conftest import PASSWORD, post_form, sign_in


def _delete(client, content: str = "anonymise", password: str = PASSWORD):
    return post_form(client, "/account/delete", {"content": content,
                                                  "current_password": password})


def _counts_equal_rows() -> None:
    for idea in db.session.scalars(select(Idea)):
        assert idea.vote_count == db.session.scalar(
            select(func.count()).select_from(Vote).where(Vote.idea_id == idea.id))
        assert idea.comment_count == db.session.scalar(
            select(func.count()).select_from(Comment).where(
                Comment.idea_id == idea.id, Comment.hidden_at.is_(None)))


@pytest.fixture
def board(app, make_user, make_idea):
    """Leaving (the member who goes) posted an idea and commented; Other voted and
    replied to them, and posted an idea Leaving voted for and commented on."""
    leaving, other = make_user("Lee Leaving"), make_user("Olga Other")
    own_idea = make_idea("Lee's idea", author=leaving)
    other_idea = make_idea("Olga's idea", author=other)
    with app.app_context():
        own, theirs = db.session.get(Idea, own_idea), db.session.get(Idea, other_idea)
        votes.cast_vote(other.id, own_idea)
        votes.cast_vote(leaving.id, other_idea)
        votes.cast_vote(leaving.id, own_idea)
        on_own = comments.add_member_comment(own, other, "Olga on Lee's idea")
        answered = comments.add_member_comment(theirs, leaving, "Lee, answered")
        comments.add_member_comment(theirs, other, "Olga answers Lee", parent=answered)
        comments.add_member_comment(theirs, leaving, "Lee, alone")
        olga_top = comments.add_member_comment(theirs, other, "Olga's own comment")
        comments.add_member_comment(theirs, leaving, "Lee replies to Olga", parent=olga_top)
        db.session.commit()
        ids = {"own": own_idea, "other_idea": other_idea, "answered": answered.id,
               "on_own": on_own.id}
    return leaving, other, ids


def test_anonymising_keeps_the_content_signed_a_former_member(app, client, board):
    leaving, _other, ids = board
    sign_in(client, leaving)

    response = _delete(client, "anonymise")

    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, leaving.id)
        assert user.is_deleted and user.display_name == "A former member"
        assert user.email.endswith(".invalid") and not user.digest_subscribed
        assert db.session.scalar(select(func.count()).select_from(Vote).where(
            Vote.user_id == leaving.id)) == 0
        for model in (Follow, LoginSession):
            assert db.session.scalar(select(func.count()).select_from(model).where(
                model.user_id == leaving.id)) == 0
        assert db.session.get(Idea, ids["own"]).author_id == leaving.id
        assert db.session.scalar(select(func.count()).select_from(Comment).where(
            Comment.author_id == leaving.id)) == 3
        _counts_equal_rows()
    page = client.get(f"/ideas/{ids['other_idea']}", follow_redirects=True)
    assert "Lee, alone" in page.get_data(as_text=True)
    assert "A former member" in page.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # logged out
    assert client.get(f"/members/{leaving.id}").status_code == 404
    relogin = post_form(app.test_client(), "/login", {"email": leaving.email,
                                                      "password": PASSWORD})
    assert relogin.status_code == 400
    assert "do not match an account" in relogin.get_data(as_text=True)


def test_deleting_takes_their_ideas_and_comments_and_keeps_replies_places(app, client, board):
    leaving, _other, ids = board
    sign_in(client, leaving)

    assert _delete(client, "delete").status_code == 302

    with app.app_context():
        assert db.session.get(Idea, ids["own"]) is None  # with Olga's vote and comment
        assert db.session.get(Comment, ids["on_own"]) is None
        kept = db.session.get(Comment, ids["answered"])
        assert kept.deleted_at is not None and kept.body == ""  # Olga's reply keeps its place
        left = list(db.session.scalars(select(Comment.body).where(
            Comment.idea_id == ids["other_idea"], Comment.hidden_at.is_(None))
            .order_by(Comment.id)))
        assert left == ["Olga answers Lee", "Olga's own comment"]
        assert db.session.get(Idea, ids["other_idea"]).vote_count == 0
        _counts_equal_rows()
    page = client.get(f"/ideas/{ids['other_idea']}", follow_redirects=True)
    assert "Comment deleted." in page.get_data(as_text=True)


def test_an_idea_merged_into_theirs_comes_back_to_the_board(app, client, make_user, make_idea,
                                                           caretaker):
    leaving, other = make_user("Lee Leaving"), make_user("Olga Other")
    target_id = make_idea("Lee's idea", author=leaving)
    source_id = make_idea("Olga's duplicate", author=other)
    with app.app_context():
        votes.cast_vote(other.id, source_id)
        merging.merge(db.session.get(Idea, source_id), db.session.get(Idea, target_id),
                      db.session.get(User, caretaker.id))
        db.session.commit()
    sign_in(client, leaving)

    assert _delete(client, "delete").status_code == 302

    with app.app_context():
        source = db.session.get(Idea, source_id)
        assert source.is_public and source.merged_into_id is None and source.vote_count == 1
        assert db.session.get(Idea, target_id) is None
        _counts_equal_rows()


@pytest.mark.parametrize("data, error", [
    ({"content": "anonymise", "current_password": "not my password"},
     "That is not your current password."),
    ({"current_password": PASSWORD}, "Please choose what happens to your ideas and comments."),
    ({"content": "shred", "current_password": PASSWORD}, "Not a valid choice."),
])
def test_a_refused_deletion_says_why_and_changes_nothing(app, client, board, data, error):
    leaving, _other, _ids = board
    sign_in(client, leaving)

    response = post_form(client, "/account/delete", data)

    assert response.status_code == 400
    assert error in response.get_data(as_text=True)
    with app.app_context():
        assert not db.session.get(User, leaving.id).is_deleted
        assert db.session.scalar(select(func.count()).select_from(Vote).where(
            Vote.user_id == leaving.id)) == 2


def test_the_last_caretaker_hands_over_before_leaving(app, client, caretaker, make_user):
    sign_in(client, caretaker)

    refused = _delete(client)

    assert refused.status_code == 400
    assert "You are the last caretaker" in refused.get_data(as_text=True)
    with app.app_context():
        assert not db.session.get(User, caretaker.id).is_deleted
    make_user("Second Caretaker", role=Role.CARETAKER)
    assert _delete(client).status_code == 302
    with app.app_context():
        user = db.session.get(User, caretaker.id)
        assert user.is_deleted and user.role is Role.MEMBER
