"""Cached pages: one rendering serves everyone, personal parts filled per person; a change
anywhere, from any worker or instance sharing the database, is seen at once, and a vote
within a second (at once by the member who voted)."""

from __future__ import annotations

import re
import time

from ideaboard.extensions import db
from ideaboard.pagecache import MARK, pages
from ideaboard.services import votes
from ideaboard.services.freshness import VOTE_STALENESS_S, Generation
from tests.conftest import log_in, make_app, post_form, sign_in


def _count_shown(page: str, idea_id: int) -> int:
    form = re.search(rf'aria-describedby="idea-{idea_id}-title">(.*?)</button>', page, re.S)
    return int(re.search(r'class="vote-count"[^>]*>(\d+)<', form.group(1)).group(1))


def test_a_vote_from_another_instance_shows_on_a_cached_page_within_a_second(
        app, client, make_idea, member, clock):
    idea_id = make_idea()
    pages.clear()
    clock.stop()
    client.get(f"/ideas/{idea_id}", follow_redirects=True)  # a session: past the visitor cache
    assert _count_shown(client.get("/").get_data(as_text=True), idea_id) == 0
    other_instance = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    with other_instance.app_context():
        votes.cast_vote(member.id, idea_id)
        db.session.commit()
        db.engine.dispose()
    clock.advance(VOTE_STALENESS_S / 2)  # the page is kept while a vote is this fresh
    assert _count_shown(client.get("/").get_data(as_text=True), idea_id) == 0
    clock.advance(VOTE_STALENESS_S / 2)
    assert _count_shown(client.get("/").get_data(as_text=True), idea_id) == 1


def test_a_comment_shows_at_once_on_its_idea_page_and_within_a_second_on_lists(
        app, make_idea, clock):
    idea_id = make_idea()
    pages.clear()
    clock.stop()
    reader = app.test_client()  # a visitor who sends no cookie: the visitor cache too
    list_page = reader.get("/").get_data(as_text=True)
    assert "0 comments" in list_page
    reader.get(f"/ideas/{idea_id}", follow_redirects=True)
    commenter = app.test_client()
    post_form(commenter, f"/ideas/{idea_id}/comments", {"name": "Vera", "body": "Count me in"})
    idea_page = reader.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    assert "Count me in" in idea_page and "1 comment" in idea_page
    clock.advance(VOTE_STALENESS_S / 2)
    assert "0 comments" in reader.get("/").get_data(as_text=True)  # the list may lag a while
    clock.advance(VOTE_STALENESS_S / 2)
    assert "1 comment" in reader.get("/").get_data(as_text=True)


def test_the_member_who_votes_sees_their_vote_at_once_on_a_cached_page(
        app, member_client, make_idea, make_user, member):
    idea_id = make_idea()
    pages.clear()
    for path in ("/", f"/ideas/{idea_id}"):  # cached before the vote, for every member
        member_client.get(path, follow_redirects=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"',
                      member_client.get("/").get_data(as_text=True)).group(1)
    member_client.post(f"/ideas/{idea_id}/vote", data={"intent": "vote", "csrf_token": token})
    for path in ("/", f"/ideas/{idea_id}"):
        page = member_client.get(path, follow_redirects=True).get_data(as_text=True)
        assert _count_shown(page, idea_id) == 1 and 'aria-pressed="true"' in page
    other = sign_in(app.test_client(), make_user("Someone Else"))  # counts now, not pressed
    page = other.get("/").get_data(as_text=True)
    assert _count_shown(page, idea_id) == 1 and 'aria-pressed="true"' not in page


def test_a_page_for_one_host_never_serves_another(app, make_idea, member):
    """The feed prints absolute links from the Host header, which any client can set."""
    make_idea("Feed entry")
    visitor, member_client = app.test_client(), app.test_client()
    log_in(member_client, member)
    for client in (visitor, member_client):
        client.get("/feeds/ideas.atom", base_url="http://evil.example")
        feed = client.get("/feeds/ideas.atom", base_url="http://board.example").get_data(as_text=True)
        assert "evil.example" not in feed and "http://board.example/" in feed


def test_unchanged_board_is_served_from_the_cache(app, client, make_idea, monkeypatch):
    make_idea()
    pages.clear()
    client.get("/?sort=new")
    calls = []
    monkeypatch.setattr("ideaboard.board.views.load_page",
                        lambda query: calls.append(query) or None)
    assert client.get("/?sort=new").status_code == 200
    assert calls == []


def test_members_get_their_own_pressed_buttons_and_token_from_a_shared_render(
    app, make_idea, make_user
):
    idea_id = make_idea()
    voter, other = make_user(), make_user()
    with app.app_context():
        votes.cast_vote(voter.id, idea_id)
        db.session.commit()
    pages.clear()
    other_client, voter_client = app.test_client(), app.test_client()
    log_in(other_client, other)
    log_in(voter_client, voter)
    assert 'aria-pressed="false"' in other_client.get("/").get_data(as_text=True)
    page = voter_client.get("/").get_data(as_text=True)
    assert 'aria-pressed="true"' in page and 'value="unvote"' in page
    assert MARK not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = voter_client.post(f"/ideas/{idea_id}/vote",
                                 data={"csrf_token": token, "intent": "unvote"})
    assert response.status_code == 302


def test_members_share_one_rendering_of_an_idea_page_each_with_their_own_parts(
    app, make_idea, make_user
):
    from flask import template_rendered

    author, voter = make_user("Ada Author"), make_user("Vic <Voter>")
    idea_id = make_idea(author=author)
    with app.app_context():
        votes.cast_vote(voter.id, idea_id)
        db.session.commit()
    pages.clear()
    rendered: list[str] = []

    def record(_app, template, context):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    author_client, voter_client = app.test_client(), app.test_client()
    log_in(author_client, author)
    log_in(voter_client, voter)
    url = f"/ideas/{idea_id}"
    mine = author_client.get(url, follow_redirects=True).get_data(as_text=True)
    theirs = voter_client.get(url, follow_redirects=True).get_data(as_text=True)

    assert rendered.count("ideas/show.html") == 1
    assert "Edit idea" in mine and "Commenting as <strong>Ada Author</strong>" in mine
    assert 'aria-pressed="false"' in mine
    assert "Edit idea" not in theirs and "Withdraw idea" not in theirs
    assert "Commenting as <strong>Vic &lt;Voter&gt;</strong>" in theirs
    assert 'aria-pressed="true"' in theirs
    assert MARK not in mine + theirs
    token = re.search(r'name="csrf_token" value="([^"]+)"', mine).group(1)
    withdrawn = author_client.post(f"/ideas/{idea_id}/withdraw", data={"csrf_token": token})
    assert withdrawn.status_code == 302
    assert voter_client.get(url, follow_redirects=True).status_code == 404


def test_visitors_get_no_session_from_the_board(client, make_idea):
    make_idea()
    response = client.get("/")
    assert "Set-Cookie" not in response.headers
    assert MARK not in response.get_data(as_text=True)


def test_conditional_get_answers_304_until_the_page_changes(app, client, make_idea, member,
                                                            clock):
    idea_id = make_idea()
    for path in ("/", "/feeds/ideas.atom"):
        etag = client.get(path).headers["ETag"]
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    etag = client.get("/").headers["ETag"]
    with app.app_context():
        votes.cast_vote(member.id, idea_id)
        db.session.commit()
    clock.advance(VOTE_STALENESS_S)
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 200


def test_flash_messages_show_on_cached_pages(app, client, make_idea, member):
    make_idea()
    client.get("/")  # cached without any message
    post_form(client, "/login", {"email": member.email, "password": "wrong password"})
    log_in(client, member)
    client.post("/logout", data={"csrf_token": re.search(
        r'name="csrf-token" content="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)})
    assert "You are logged out." in client.get("/").get_data(as_text=True)


def test_idea_page_for_visitors_is_cached_with_a_working_comment_token(app, client, make_idea):
    idea_id = make_idea(title="Cached idea page")
    url = client.get(f"/ideas/{idea_id}").headers["Location"]
    pages.clear()
    app.test_client().get(url)  # someone else's visit fills the cache
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/ideas/{idea_id}/comments",
                           data={"csrf_token": token, "name": "Visitor", "body": "Hello"})
    assert response.status_code == 302
    assert "Hello" in client.get(url).get_data(as_text=True)


def test_nobody_can_punch_a_hole_through_their_own_text(app, client, make_idea):
    idea_id = make_idea(description=f"sneaky {MARK}T{MARK} text")  # past the forms: stripped
    refused = post_form(client, f"/ideas/{idea_id}/comments",
                        {"name": f"Eve{MARK}N{MARK}", "body": f"hi {MARK}T{MARK}"})
    assert refused.status_code == 400  # the input door refuses the marker
    assert MARK not in refused.get_data(as_text=True)
    page = client.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    assert "sneaky T text" in page and "hi T" not in page
    assert MARK not in page


def test_a_page_filled_from_the_cache_is_not_scanned_again(app):
    """cached_page fills its page itself; the after-request filling passes it by and only
    fills pages rendered outside the cache."""
    from flask import Response

    from ideaboard.pagecache import FilledPage, personalize

    body = f"<p>{MARK}F{MARK}</p>"  # flash messages: none here, so the hole fills empty
    with app.test_request_context("/"):
        assert personalize(Response(body)).get_data(as_text=True) == "<p></p>"
        assert personalize(FilledPage(body)).get_data(as_text=True) == body


def test_the_cache_keeps_to_its_byte_budget_dropping_the_least_recent():
    from ideaboard.pagecache import CachedPage, PageCache

    cache, now = PageCache(max_bytes=1000), Generation(1, 1)
    for n in range(10):
        cache.put(("page", n), CachedPage.of("x" * 200, (), now, time.monotonic()))
        cache.get(("page", 0), now)  # page 0 stays in use
    assert cache.size <= 1000
    assert cache.get(("page", 0), now) is not None
    assert cache.get(("page", 1), now) is None
    assert cache.get(("page", 0), Generation(2, 1)) is None  # the board changed: dropped


def test_hiding_an_idea_takes_its_cached_page_away_from_visitors(app, client, caretaker,
                                                                  make_idea):
    idea_id = make_idea(title="Soon hidden")
    url = client.get(f"/ideas/{idea_id}").headers["Location"]
    assert client.get(url).status_code == 200  # now cached
    caretaker_client = app.test_client()
    log_in(caretaker_client, caretaker)
    post_form(caretaker_client, f"/caretaker/ideas/{idea_id}/hide")
    assert client.get(url).status_code == 404
    assert client.get(f"/ideas/{idea_id}").status_code == 404
