"""Posting, editing, withdrawing, voting and commenting through the web pages."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Comment, Idea, utcnow
from ideaboard.services import comments, ideas, votes
from ideaboard.services.categories import all_categories
from tests.conftest import csrf_token, get_idea, log_in, post_form, sign_in


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _category_id(app) -> int:
    with app.app_context():
        return all_categories()[1].id


def test_member_posts_an_idea_and_lands_on_its_page(app, member_client):
    response = post_form(member_client, "/ideas/new", {
        "title": "Invite a patient advocate", "description": "Someone who **lives** it.",
        "category": _category_id(app)})
    assert response.status_code == 302
    page = member_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Invite a patient advocate" in page
    assert "<strong>lives</strong>" in page


def test_bad_idea_rerenders_with_what_was_typed_and_writes_nothing(app, member_client):
    response = post_form(member_client, "/ideas/new", {
        "title": "Hi", "description": "", "category": 99999})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please use 5 to 140 characters." in page
    assert "Please describe your idea." in page
    assert "Not a valid choice" in page
    assert 'value="Hi"' in page
    assert _count(app, Idea) == 0


def test_visitors_cannot_post_ideas(app, client):
    assert client.get("/ideas/new").headers["Location"].startswith("/login?next=")
    post_form(client, "/ideas/new", {"title": "Sneaky idea", "description": "x",
                                     "category": _category_id(app)})
    assert _count(app, Idea) == 0


def test_titles_and_names_are_escaped(app, client, make_user, make_idea):
    author = make_user(name="<b>Bold</b> name")
    idea_id = make_idea(title="<script>alert(1)</script> title", author=author)
    page = client.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; title" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; name" in page


def test_idea_url_carries_a_slug_and_redirects_to_it(client, make_idea):
    idea_id = make_idea(title="A monthly AMA with a CMIO")
    response = client.get(f"/ideas/{idea_id}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/ideas/{idea_id}-a-monthly-ama-with-a-cmio"
    assert client.get(response.headers["Location"]).status_code == 200


def test_author_edits_their_idea(app, member_client, member, make_idea):
    idea_id = make_idea(author=member)
    response = post_form(member_client, f"/ideas/{idea_id}/edit", {
        "title": "A better title here", "description": "New text", "category": _category_id(app)})
    assert response.status_code == 302
    idea = get_idea(app, idea_id)
    assert (idea.title, idea.description_html.strip()) == ("A better title here", "<p>New text</p>")


def test_others_cannot_edit_or_withdraw(app, member_client, make_idea):
    idea_id = make_idea()
    assert member_client.get(f"/ideas/{idea_id}/edit").status_code == 403
    assert post_form(member_client, f"/ideas/{idea_id}/withdraw").status_code == 403
    assert get_idea(app, idea_id).withdrawn_at is None


def test_author_withdraws_and_the_idea_leaves_the_board(app, member_client, member, make_idea):
    idea_id = make_idea(title="Soon withdrawn", author=member)
    assert post_form(member_client, f"/ideas/{idea_id}/withdraw").status_code == 302
    assert "Soon withdrawn" not in member_client.get("/").get_data(as_text=True)
    assert member_client.get(f"/ideas/{idea_id}").status_code == 404
    assert get_idea(app, idea_id).withdrawn_at is not None


def test_vote_form_post_redirects_back_and_counts_once(app, member_client, make_idea):
    idea_id = make_idea()
    for _ in range(2):
        response = post_form(member_client, f"/ideas/{idea_id}/vote",
                             {"intent": "vote", "next": "/?sort=new"})
        assert response.headers["Location"] == "/?sort=new"
    assert get_idea(app, idea_id).vote_count == 1
    page = member_client.get("/").get_data(as_text=True)
    assert 'aria-pressed="true"' in page
    post_form(member_client, f"/ideas/{idea_id}/vote", {"intent": "unvote"})
    assert get_idea(app, idea_id).vote_count == 0


def test_vote_answers_json_for_scripts(member_client, make_idea):
    idea_id = make_idea()
    response = member_client.post(
        f"/ideas/{idea_id}/vote", data={"intent": "vote"},
        headers={"Accept": "application/json", "X-CSRFToken": csrf_token(member_client)})
    assert response.get_json() == {"voted": True, "vote_count": 1}


def test_vote_refuses_a_missing_token_or_intent(app, member_client, make_idea):
    idea_id = make_idea()
    assert member_client.post(f"/ideas/{idea_id}/vote", data={"intent": "vote"}).status_code == 400
    assert post_form(member_client, f"/ideas/{idea_id}/vote", {"intent": "x"}).status_code == 400
    assert get_idea(app, idea_id).vote_count == 0


def test_voting_for_a_missing_or_hidden_idea_is_not_found(app, member_client, make_idea,
                                                          caretaker):
    from ideaboard.services import ideas

    hidden = make_idea("Hidden soon")
    with app.app_context():
        ideas.set_idea_hidden(db.session.get(Idea, hidden), True, caretaker)
        db.session.commit()
    for idea_id in (hidden, hidden + 1000):
        for intent in ("vote", "unvote"):
            response = post_form(member_client, f"/ideas/{idea_id}/vote", {"intent": intent},
                                 headers={"Accept": "application/json"})
            assert response.status_code == 404
            assert response.is_json
    assert get_idea(app, hidden).vote_count == 0


def test_visitors_are_sent_to_log_in_to_vote(app, client, make_idea):
    idea_id = make_idea()
    page = client.get("/").get_data(as_text=True)
    assert "Upvote (log in to vote)" in page
    response = post_form(client, f"/ideas/{idea_id}/vote", {"intent": "vote"})
    assert response.headers["Location"].startswith("/login")
    assert get_idea(app, idea_id).vote_count == 0


def test_visitor_comments_with_a_name_and_the_email_is_never_shown(app, client, make_idea):
    idea_id = make_idea()
    response = post_form(client, f"/ideas/{idea_id}/comments", {
        "name": "  Lurker  from Leeds ", "email": "lurker@example.org", "body": "Yes *please*"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lurker from Leeds" in page and "<em>please</em>" in page
    assert "lurker@example.org" not in page
    assert get_idea(app, idea_id).comment_count == 1


def test_member_comments_as_themselves(app, member_client, member, make_idea):
    idea_id = make_idea()
    post_form(member_client, f"/ideas/{idea_id}/comments", {"body": "Count me in"})
    with app.app_context():
        comment = db.session.scalar(select(Comment))
        assert (comment.author_id, comment.guest_name) == (member.id, None)


def test_bad_comment_rerenders_the_idea_with_errors(app, client, make_idea):
    idea_id = make_idea()
    response = post_form(client, f"/ideas/{idea_id}/comments", {
        "name": "", "email": "bad", "body": "kept text"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please enter a name." in page and "Please enter a valid email address." in page
    assert "kept text" in page
    assert _count(app, Comment) == 0


def test_honeypot_refuses_the_comment(app, client, make_idea):
    idea_id = make_idea()
    response = post_form(client, f"/ideas/{idea_id}/comments", {
        "name": "Bot", "body": "Buy now", "website": "http://spam.example"})
    assert response.status_code == 400
    assert _count(app, Comment) == 0


def test_visitor_comments_are_rate_limited_per_address(app, client, make_idea):
    idea_id = make_idea()
    codes = [post_form(client, f"/ideas/{idea_id}/comments",
                       {"name": "Quick", "body": f"Comment {n}"}).status_code for n in range(6)]
    assert codes == [302] * 5 + [429]
    other = app.test_client()
    response = post_form(other, f"/ideas/{idea_id}/comments", {"name": "Other", "body": "Hi"},
                         environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert response.status_code == 302


def test_members_are_not_held_by_the_visitor_limit(app, member_client, make_idea):
    idea_id = make_idea()
    codes = [post_form(member_client, f"/ideas/{idea_id}/comments", {"body": f"n {n}"})
             .status_code for n in range(7)]
    assert codes == [302] * 7


def test_hidden_idea_is_404_for_everyone_but_the_caretaker(app, client, make_idea, caretaker):
    idea_id = make_idea()
    with app.app_context():
        db.session.get(Idea, idea_id).hidden_at = db.func.now()
        db.session.commit()
    assert client.get(f"/ideas/{idea_id}").status_code == 404
    log_in(client, caretaker)
    assert client.get(f"/ideas/{idea_id}", follow_redirects=True).status_code == 200


def test_voting_on_a_hidden_idea_is_404_and_writes_nothing(app, member_client, make_idea):
    idea_id = make_idea()
    with app.app_context():
        db.session.get(Idea, idea_id).hidden_at = db.func.now()
        db.session.commit()
    response = post_form(member_client, f"/ideas/{idea_id}/vote", {"intent": "vote"})
    assert response.status_code == 404
    assert get_idea(app, idea_id).vote_count == 0


def _comment_ids(app, idea_id: int, count: int) -> list[int]:
    """`count` visitors' comments on the idea, "Comment 0" first; their ids."""
    with app.app_context():
        idea = get_idea(app, idea_id)
        made = [comments.add_guest_comment(idea, "V", None, f"Comment {n}") for n in range(count)]
        db.session.commit()
        return [comment.id for comment in made]


def _next_link(page: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">Show more comments</a>', page)
    return found.group(1).replace("&amp;", "&") if found else None


def test_a_long_thread_is_paged_oldest_first(app, client, make_idea, monkeypatch):
    monkeypatch.setattr(comments, "THREAD_PAGE", 2)
    idea_id = make_idea()
    _comment_ids(app, idea_id, 5)
    shown, url = [], f"/ideas/{idea_id}"
    while url:
        page = client.get(url, follow_redirects=True).get_data(as_text=True)
        shown.append(re.findall(r"Comment \d", page))
        assert "5 comments" in page
        assert ("Back to the first comments" in page) == (len(shown) > 1)
        url = _next_link(page)
    assert shown == [["Comment 0", "Comment 1"], ["Comment 2", "Comment 3"], ["Comment 4"]]


def test_a_new_comment_and_a_comment_link_land_on_the_page_that_shows_it(
        app, client, member_client, make_idea, monkeypatch):
    monkeypatch.setattr(comments, "THREAD_PAGE", 2)
    idea_id = make_idea()
    first, second, third = _comment_ids(app, idea_id, 3)
    posted = post_form(member_client, f"/ideas/{idea_id}/comments", {"body": "The newest"})
    with app.app_context():
        newest = db.session.scalar(select(func.max(Comment.id)))
    assert posted.headers["Location"].endswith(f"?comments_after={second}#comment-{newest}")
    page = member_client.get(posted.headers["Location"]).get_data(as_text=True)
    assert f'id="comment-{newest}"' in page and "The newest" in page
    linked = client.get(f"/ideas/comments/{first}")
    assert linked.status_code == 302 and linked.headers["Location"].endswith(f"#comment-{first}")
    assert "comments_after" not in linked.headers["Location"]
    assert client.get(f"/ideas/comments/{third}").headers["Location"].endswith(
        f"?comments_after={second}#comment-{third}")


def test_a_hidden_comment_link_is_found_only_by_the_caretaker(
        app, client, caretaker, make_idea, monkeypatch):
    monkeypatch.setattr(comments, "THREAD_PAGE", 2)
    idea_id = make_idea()
    ids = _comment_ids(app, idea_id, 4)
    with app.app_context():
        comments.set_comment_hidden(db.session.get(Comment, ids[0]), True, caretaker)
        db.session.commit()
    assert client.get(f"/ideas/comments/{ids[0]}").status_code == 404
    assert "comments_after" not in client.get(f"/ideas/comments/{ids[2]}").headers["Location"]
    desk = sign_in(app.test_client(), caretaker)
    assert desk.get(f"/ideas/comments/{ids[2]}").headers["Location"].endswith(
        f"?comments_after={ids[1]}#comment-{ids[2]}")
    page = desk.get(f"/ideas/{idea_id}?comments_after={ids[1]}", follow_redirects=True)
    assert re.findall(r"Comment \d", page.get_data(as_text=True)) == ["Comment 2", "Comment 3"]


def test_the_idea_page_says_why_it_ranks_where_it_does(app, visitor, make_idea, make_user):
    leader = make_idea("Leader")
    idea_id = make_idea("Second")
    voters = [make_user(f"Voter {n}") for n in range(3)]
    with app.app_context():
        for voter in voters:
            votes.cast_vote(voter.id, leader)
        votes.cast_vote(voters[0].id, idea_id, at=utcnow() - timedelta(days=14))
        votes.cast_vote(voters[1].id, idea_id)
        db.session.commit()

    html = visitor.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)

    why = html[html.index('<details class="why-ranked">'):html.index("</details>")]
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", why))
    assert figures["Votes"].startswith("2 · #2 on <a href=\"/?sort=top\">Top</a>")
    assert figures["Votes in the last 7 days"] == "1"
    assert figures["Comments"] == "0"
    # 1 (posted just now) + 1 (a vote now) + 0.25 (a vote two weeks old) = 2.25
    assert figures["Trending score"].startswith("2.25 · #2 on")
    assert re.search(r"1\.00 <span[^>]*>\(posted 0\.0 days ago.*?\+ 1\.25 <span[^>]*>\(2 votes, "
                     r"each .*?</span> = <strong>2\.25</strong>", why)


def test_a_hidden_idea_has_no_place_to_explain(app, caretaker_client, caretaker, make_idea):
    idea_id = make_idea()
    with app.app_context():
        ideas.set_idea_hidden(db.session.get(Idea, idea_id), True, caretaker)
        db.session.commit()

    html = caretaker_client.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(
        as_text=True)

    assert "This idea is hidden" in html and "Why it ranks here" not in html
