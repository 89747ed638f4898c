"""Moderation: visitor comments open, moderated or off; the queue; flags; suspending a
member. Every decision shows at once on the cached pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import AuditEntry, AuditKind, Comment, Flag, User
from ideaboard.services import comments, flags, members, settings
from tests.conftest import get_idea, post_form, sign_in


def _set_visitor_comments(app, caretaker, mode: str) -> None:
    with app.app_context():
        settings.change(caretaker, visitor_comments=settings.VisitorComments(mode))
        db.session.commit()


def _idea_page(client, idea_id: int) -> str:
    return client.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)


def _comment_as_visitor(client, idea_id: int, body: str, name: str = "Vera Visitor"):
    return post_form(client, f"/ideas/{idea_id}/comments", {"name": name, "body": body})


def test_settings_page_changes_visitor_comments_and_logs_it(app, caretaker_client):
    page = caretaker_client.get("/caretaker/settings").get_data(as_text=True)
    assert re.search(r'<input checked[^>]* value="open"', page)
    response = post_form(caretaker_client, "/caretaker/settings",
                         {"visitor_comments": "moderated", "chat_hashtag": "#HITsm",
                          "post_limit": "280"})
    assert response.status_code == 302
    with app.app_context():
        assert settings.current().visitor_comments is settings.VisitorComments.MODERATED
        entry = db.session.scalar(select(AuditEntry))
        assert entry.kind is AuditKind.SETTINGS
        assert (entry.before, entry.after) == ({"visitor_comments": "open"},
                                               {"visitor_comments": "moderated"})
    refused = post_form(caretaker_client, "/caretaker/settings",
                        {"visitor_comments": "wild", "chat_hashtag": "#HITsm",
                         "post_limit": "280"})
    assert refused.status_code == 400 and 'class="field-error"' in refused.get_data(as_text=True)


def test_moderated_visitor_comments_wait_then_show_once_approved(
        app, client, caretaker, make_idea):
    idea_id = make_idea()
    assert "comments appear once the caretaker" not in _idea_page(client, idea_id)  # cached: open
    _set_visitor_comments(app, caretaker, "moderated")
    assert "comments appear once the caretaker" in _idea_page(client, idea_id)
    response = _comment_as_visitor(client, idea_id, "Please add a **late-evening** slot")
    assert response.status_code == 302
    assert "approved" in _idea_page(client, idea_id)  # the flash
    assert "late-evening" not in _idea_page(client, idea_id)
    assert get_idea(app, idea_id).comment_count == 0

    desk = app.test_client()
    sign_in(desk, caretaker)
    queue = desk.get("/caretaker/queue").get_data(as_text=True)
    assert "late-evening" in queue and "Vera Visitor" in queue
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    approved = post_form(desk, f"/caretaker/comments/{comment_id}/approve", {"from": "queue"})
    assert approved.headers["Location"] == "/caretaker/queue"
    assert "<strong>late-evening</strong>" in _idea_page(client, idea_id)  # at once
    assert get_idea(app, idea_id).comment_count == 1
    assert "late-evening" not in desk.get("/caretaker/queue").get_data(as_text=True)


@pytest.mark.parametrize("decision", ["hide", "delete"])
def test_a_waiting_comment_hidden_or_deleted_as_spam_never_shows(
        app, visitor, caretaker, caretaker_client, make_idea, decision):
    idea_id = make_idea()
    _set_visitor_comments(app, caretaker, "moderated")
    _comment_as_visitor(visitor, idea_id, "Cheap pills here")
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    post_form(caretaker_client, f"/caretaker/comments/{comment_id}/{decision}",
              {"from": "queue"})
    assert "Cheap pills" not in _idea_page(visitor, idea_id)
    assert "Cheap pills" not in caretaker_client.get("/caretaker/queue").get_data(as_text=True)
    assert get_idea(app, idea_id).comment_count == 0
    with app.app_context():
        left = db.session.scalar(select(func.count()).select_from(Comment))
        kinds = list(db.session.scalars(select(AuditEntry.kind).order_by(AuditEntry.id)))
    assert left == (1 if decision == "hide" else 0)
    assert kinds[-1] is (AuditKind.HIDE if decision == "hide" else AuditKind.DELETE)


def test_deleting_a_visible_comment_as_spam_keeps_the_count(app, caretaker_client, visitor,
                                                            make_idea):
    idea_id = make_idea()
    _comment_as_visitor(visitor, idea_id, "Buy followers")
    _comment_as_visitor(visitor, idea_id, "A real comment")
    with app.app_context():
        spam_id = db.session.scalar(select(Comment.id).where(Comment.body == "Buy followers"))
    post_form(caretaker_client, f"/caretaker/comments/{spam_id}/delete")
    assert get_idea(app, idea_id).comment_count == 1
    page = _idea_page(visitor, idea_id)
    assert "Buy followers" not in page and "A real comment" in page


def test_visitor_comments_off_shows_no_form_and_refuses_a_post(app, client, caretaker,
                                                               make_idea, member):
    idea_id = make_idea()
    _set_visitor_comments(app, caretaker, "off")
    page = _idea_page(client, idea_id)
    assert "Only members comment on this board" in page and 'name="email"' not in page
    refused = _comment_as_visitor(client, idea_id, "Let me in")
    assert refused.status_code == 403
    assert "Only members can comment" in refused.get_data(as_text=True)
    sign_in(client, member)
    assert post_form(client, f"/ideas/{idea_id}/comments",
                     {"body": "Members still can"}).status_code == 302
    assert get_idea(app, idea_id).comment_count == 1


def test_anyone_flags_an_idea_or_a_comment_and_the_queue_shows_why(
        app, visitor, caretaker_client, make_idea, member):
    idea_id = make_idea("Sell my product")
    _comment_as_visitor(visitor, idea_id, "Nasty words")
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    page = _idea_page(visitor, idea_id)
    assert f'href="/ideas/{idea_id}/flag"' in page
    assert f'href="/ideas/comments/{comment_id}/flag"' in page
    form = visitor.get(f"/ideas/comments/{comment_id}/flag").get_data(as_text=True)
    assert "Nasty words" in form and "Why should the caretaker look at this?" in form
    sent = post_form(visitor, f"/ideas/comments/{comment_id}/flag",
                     {"reason": "abuse", "details": "Insults a host"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"#comment-{comment_id}")
    member_client = sign_in(app.test_client(), member)
    post_form(member_client, f"/ideas/{idea_id}/flag", {"reason": "spam"})
    queue = caretaker_client.get("/caretaker/queue").get_data(as_text=True)
    assert "Abusive or disrespectful: “Insults a host”" in queue
    assert "Spam or advertising" in queue and "Sell my product" in queue
    with app.app_context():
        reporters = set(db.session.scalars(select(Flag.reporter_id)))
    assert reporters == {None, member.id}


def test_a_bad_flag_reason_re_renders_and_records_nothing(app, client, make_idea):
    idea_id = make_idea()
    response = post_form(client, f"/ideas/{idea_id}/flag", {"reason": "boring"})
    assert response.status_code == 400 and 'class="field-error"' in response.get_data(
        as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Flag)) == 0


def test_hiding_flagged_content_settles_its_flags_and_dismissing_keeps_it(
        app, visitor, caretaker_client, make_idea):
    hidden_id, kept_id = make_idea("Spammy"), make_idea("Fine really")
    for idea_id in (hidden_id, kept_id):
        post_form(visitor, f"/ideas/{idea_id}/flag", {"reason": "spam"})
    post_form(caretaker_client, f"/caretaker/ideas/{hidden_id}/hide", {"from": "queue"})
    post_form(caretaker_client, f"/caretaker/ideas/{kept_id}/flags/dismiss")
    queue = caretaker_client.get("/caretaker/queue").get_data(as_text=True)
    assert "Spammy" not in queue and "Fine really" not in queue
    assert "Spammy" not in visitor.get("/").get_data(as_text=True)
    assert "Fine really" in visitor.get("/").get_data(as_text=True)
    with app.app_context():
        kinds = list(db.session.scalars(select(AuditEntry.kind).order_by(AuditEntry.id)))
    assert kinds == [AuditKind.HIDE, AuditKind.DISMISS]


def test_hidden_content_cannot_be_flagged(app, visitor, caretaker_client, make_idea):
    idea_id = make_idea()
    post_form(caretaker_client, f"/caretaker/ideas/{idea_id}/hide")
    assert visitor.get(f"/ideas/{idea_id}/flag").status_code == 404


def test_a_suspended_member_reads_but_cannot_post_vote_comment_or_flag(
        app, visitor, caretaker_client, make_idea, member):
    idea_id = make_idea(author=member)
    sign_in(visitor, member)
    assert 'New idea' in visitor.get("/").get_data(as_text=True)
    post_form(caretaker_client, f"/caretaker/members/{member.id}/suspend")
    assert visitor.get("/").status_code == 200
    assert "Account suspended" in visitor.get("/").get_data(as_text=True)
    assert visitor.get("/ideas/new").status_code == 403
    assert "suspended" in visitor.get(f"/ideas/{idea_id}/edit").get_data(as_text=True)
    assert post_form(visitor, "/ideas/new", {"title": "Another", "description": "x",
                                            "category": "1"}).status_code == 403
    assert post_form(visitor, f"/ideas/{idea_id}/vote", {"intent": "vote"}).status_code == 403
    assert post_form(visitor, f"/ideas/{idea_id}/comments",
                     {"body": "Still here"}).status_code == 403
    assert post_form(visitor, f"/ideas/{idea_id}/flag", {"reason": "spam"}).status_code == 403
    idea = get_idea(app, idea_id)
    assert (idea.vote_count, idea.comment_count) == (0, 0)
    post_form(caretaker_client, f"/caretaker/members/{member.id}/lift")
    assert post_form(visitor, f"/ideas/{idea_id}/vote", {"intent": "vote"}).status_code == 302


def test_suspending_with_content_hides_it_at_once_and_lifting_brings_back_only_that(
        app, visitor, caretaker, caretaker_client, make_idea, member):
    own_idea = make_idea("Idea by the member", author=member)
    other_idea = make_idea("Idea by someone else")
    with app.app_context():
        for body in ("First", "Second"):
            comments.add_member_comment(get_idea(app, other_idea), member, body)
        hidden_before = comments.add_member_comment(get_idea(app, other_idea), member,
                                                    "Hidden earlier")
        comments.set_comment_hidden(hidden_before, True, caretaker)
        db.session.commit()
    assert "Idea by the member" in visitor.get("/").get_data(as_text=True)
    post_form(caretaker_client, f"/caretaker/members/{member.id}/suspend",
              {"hide_content": "y"})
    assert "Idea by the member" not in visitor.get("/").get_data(as_text=True)
    assert "First" not in _idea_page(visitor, other_idea)
    assert get_idea(app, other_idea).comment_count == 0
    assert get_idea(app, own_idea).hidden_at is not None
    post_form(caretaker_client, f"/caretaker/members/{member.id}/lift",
              {"restore_content": "y"})
    assert "Idea by the member" in visitor.get("/").get_data(as_text=True)
    page = _idea_page(visitor, other_idea)
    assert "First" in page and "Second" in page and "Hidden earlier" not in page
    assert get_idea(app, other_idea).comment_count == 2
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        assert [e.kind for e in entries][-2:] == [AuditKind.SUSPEND, AuditKind.UNSUSPEND]
        assert entries[-2].after == {"suspended": True, "ideas_hidden": 1,
                                     "comments_hidden": 2}


def test_a_caretaker_cannot_be_suspended(app, caretaker_client, caretaker):
    response = post_form(caretaker_client, f"/caretaker/members/{caretaker.id}/suspend")
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(User, caretaker.id).suspended_at is None


def test_suspending_is_all_or_nothing(app, caretaker, make_idea, member, monkeypatch):
    idea_id = make_idea(author=member)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(members, "_move_comments", broken)
    with app.app_context():
        with pytest.raises(RuntimeError):
            members.suspend(db.session.get(User, member.id), True, caretaker)
        db.session.rollback()
        assert db.session.get(User, member.id).suspended_at is None
    assert get_idea(app, idea_id).hidden_at is None


def test_the_members_list_finds_by_name_or_email(app, caretaker_client, make_user):
    make_user("Zelda Zed", email="zelda@example.org")
    make_user("Yann Y", email="yann@hospital.example")
    by_name = caretaker_client.get("/caretaker/members?q=zel").get_data(as_text=True)
    assert "Zelda Zed" in by_name and "Yann Y" not in by_name
    by_email = caretaker_client.get("/caretaker/members?q=hospital").get_data(as_text=True)
    assert "Yann Y" in by_email and "Zelda Zed" not in by_email


def test_the_members_list_pages_newest_first(app, caretaker_client, make_user, monkeypatch):
    monkeypatch.setattr(members, "MEMBERS_PER_PAGE", 2)
    for name in ("Oldest Member", "Middle Member", "Newest Member"):
        make_user(name)
    first = caretaker_client.get("/caretaker/members").get_data(as_text=True)
    assert "Newest Member" in first and "Middle Member" in first
    assert "Oldest Member" not in first
    more = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = caretaker_client.get(more).get_data(as_text=True)
    assert "Oldest Member" in second and "Newest Member" not in second


def test_the_queue_pages_each_list_and_keeps_the_other_in_place(
        app, visitor, caretaker, caretaker_client, make_idea, monkeypatch):
    another_visitor = app.test_client()
    monkeypatch.setattr(comments, "WAITING_PER_PAGE", 2)
    monkeypatch.setattr(flags, "FLAGGED_PER_PAGE", 2)
    _set_visitor_comments(app, caretaker, "moderated")
    idea_id = make_idea("Somewhere to comment")
    for n in range(3):
        assert _comment_as_visitor(visitor, idea_id, f"Waiting number {n}").status_code == 302
    for n in range(3):
        flagged_id = make_idea(f"Flagged number {n}")
        post_form(visitor, f"/ideas/{flagged_id}/flag", {"reason": "spam"})
        post_form(another_visitor, f"/ideas/{flagged_id}/flag", {"reason": "abuse"})
    first = caretaker_client.get("/caretaker/queue").get_data(as_text=True)
    assert "Comments waiting for approval (3)" in first and "Flagged (3)" in first
    assert re.findall(r"Waiting number \d", first) == ["Waiting number 0", "Waiting number 1"]
    assert re.findall(r"Flagged number \d", first) == ["Flagged number 0", "Flagged number 1"]
    assert first.count("Spam or advertising") == 2 and first.count("Abusive") == 2
    links = dict((label, href.replace("&amp;", "&")) for href, label in re.findall(
        r'<a href="([^"]+)" rel="next">([^<]+)</a>', first))
    more_waiting = caretaker_client.get(links["More waiting comments"]).get_data(as_text=True)
    assert re.findall(r"Waiting number \d", more_waiting) == ["Waiting number 2"]
    assert "Flagged number 0" in more_waiting and "More waiting comments" not in more_waiting
    last = re.search(r'<a href="([^"]+)" rel="next">More flagged content</a>',
                     more_waiting).group(1).replace("&amp;", "&")
    both_ends = caretaker_client.get(last).get_data(as_text=True)
    assert re.findall(r"Waiting number \d", both_ends) == ["Waiting number 2"]
    assert re.findall(r"Flagged number \d", both_ends) == ["Flagged number 2"]
    assert 'rel="next"' not in both_ends and "Back to the start of the queue" in both_ends
