"""Members' profiles, their own profile settings, and "My ideas" and "My votes"."""

from __future__ import annotations

import re
from datetime import timedelta

from ideaboard.extensions import db
from ideaboard.models import Idea, User, Vote, utcnow
from ideaboard.services import comments, ideas, profiles, votes
from tests.conftest import database_snapshot, post_form, sign_in


def _titles(page: str) -> list[str]:
    return re.findall(r'class="idea-title"[^>]*>(?:<a [^>]*>)?([^<]+)<', page)


def _age(app, idea_id: int, days: int) -> None:
    with app.app_context():
        db.session.get(Idea, idea_id).created_at = utcnow() - timedelta(days=days)
        db.session.commit()


def test_a_profile_shows_who_they_are_and_their_ideas_on_the_board(
        app, client, make_user, make_idea, caretaker):
    dana = make_user("Dana Writer")
    with app.app_context():
        profiles.update_profile(db.session.get(User, dana.id), "Dana Writer", "@dana_hit",
                                "Nurse informaticist.\n<b>Not bold</b>")
        db.session.commit()
    older = make_idea("An older idea of hers", author=dana)
    make_idea("A newer idea of hers", author=dana)
    _age(app, older, 3)
    hidden = make_idea("One the caretaker hid", author=dana)
    make_idea("Someone else's idea")
    with app.app_context():
        ideas.set_idea_hidden(db.session.get(Idea, hidden), True, caretaker)
        db.session.commit()

    page = client.get(f"/members/{dana.id}").get_data(as_text=True)
    assert "Dana Writer" in page and "@dana_hit" in page
    assert "&lt;b&gt;Not bold&lt;/b&gt;" in page and "<b>Not bold" not in page
    assert _titles(page) == ["A newer idea of hers", "An older idea of hers"]
    assert client.get("/members/999999").status_code == 404


def test_a_profile_lists_their_comments_on_show(app, client, make_user, make_idea, caretaker):
    dana = make_user("Dana Writer")
    idea_id = make_idea("Where she commented")
    with app.app_context():
        idea = db.session.get(Idea, idea_id)
        comments.add_member_comment(idea, dana, "A thought worth keeping")
        hidden = comments.add_member_comment(idea, dana, "Something hidden")
        comments.add_guest_comment(idea, "Dana Writer", None, "A visitor with her name")
        comments.set_comment_hidden(hidden, True, caretaker)
        db.session.commit()
    page = client.get(f"/members/{dana.id}/comments").get_data(as_text=True)
    assert "A thought worth keeping" in page and "Where she commented" in page
    assert "Something hidden" not in page and "A visitor with her name" not in page


def test_names_on_an_idea_page_lead_to_profiles(app, client, make_user, make_idea):
    dana = make_user("Dana Writer")
    idea_id = make_idea(author=dana)
    with app.app_context():
        comments.add_member_comment(db.session.get(Idea, idea_id), dana, "Mine too")
        db.session.commit()
    page = client.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    assert page.count(f'href="/members/{dana.id}"') == 2


def test_a_member_edits_their_profile_and_their_new_name_shows_at_once(
        app, member, make_idea):
    client = sign_in(app.test_client(), member)
    idea_id = make_idea(author=member)
    assert member.display_name in client.get(f"/ideas/{idea_id}",
                                             follow_redirects=True).get_data(as_text=True)
    response = post_form(client, "/account/profile", {
        "display_name": "Ana Renamed", "handle": "@ana_r", "bio": "Here for the chats."})
    assert response.status_code == 302 and response.headers["Location"] == f"/members/{member.id}"
    with app.app_context():
        saved = db.session.get(User, member.id)
        assert (saved.display_name, saved.handle, saved.bio) == (
            "Ana Renamed", "ana_r", "Here for the chats.")
    page = app.test_client().get(f"/ideas/{idea_id}", follow_redirects=True)
    assert "Ana Renamed" in page.get_data(as_text=True)


def test_a_bad_profile_is_refused_with_its_reasons_and_changes_nothing(app, member):
    client = sign_in(app.test_client(), member)
    before = database_snapshot(app)
    response = post_form(client, "/account/profile", {
        "display_name": "", "handle": "not a handle!", "bio": "x" * 301})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please enter a name." in page and "letters, digits and underscores" in page
    assert "Please keep it under 301 characters." in page
    assert database_snapshot(app) == before


def test_my_ideas_lists_everything_i_posted(app, member, make_idea):
    kept, withdrawn = make_idea("Still on the board", author=member), make_idea(
        "Taken back", author=member)
    _age(app, kept, 2)
    make_idea("Not mine")
    with app.app_context():
        ideas.withdraw_idea(db.session.get(Idea, withdrawn))
        db.session.commit()
    client = sign_in(app.test_client(), member)
    page = client.get("/account/ideas").get_data(as_text=True)
    assert _titles(page) == ["Taken back", "Still on the board"]
    assert "Withdrawn" in page
    assert app.test_client().get("/account/ideas").headers["Location"].startswith("/login")


def test_my_votes_lists_what_i_vote_for_latest_first_a_page_at_a_time(
        app, member, make_idea, monkeypatch):
    monkeypatch.setattr(profiles, "PER_PAGE", 2)
    voted = [make_idea(f"Voted idea {n}") for n in range(3)]
    make_idea("Not voted")
    with app.app_context():
        for idea_id in voted:
            votes.set_vote(member.id, idea_id, True)
    with app.app_context():
        for n, idea_id in enumerate(voted):
            db.session.get(Vote, (member.id, idea_id)).created_at = utcnow() - timedelta(
                hours=10 - n)
        db.session.commit()
    client = sign_in(app.test_client(), member)
    first = client.get("/account/votes").get_data(as_text=True)
    assert _titles(first) == ["Voted idea 2", "Voted idea 1"]
    assert 'aria-pressed="true"' in first
    following = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert _titles(client.get(following).get_data(as_text=True)) == ["Voted idea 0"]


def test_empty_lists_say_so(app, member):
    client = sign_in(app.test_client(), member)
    assert (f"No ideas on the board from {member.display_name} yet."
            in client.get(f"/members/{member.id}").get_data(as_text=True))
    assert "You have not voted yet" in client.get("/account/votes").get_data(as_text=True)
