"""Replies one level deep, and a member's own edits and deletions, on an idea's page."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Comment, Idea, utcnow
from ideaboard.services import comments, merging, settings
from tests.conftest import database_snapshot, get_idea, post_form, sign_in


def _comment(app, idea_id: int, body: str, parent_id: int | None = None,
             author=None, minutes_ago: int = 0) -> int:
    with app.app_context():
        idea = db.session.get(Idea, idea_id)
        parent = db.session.get(Comment, parent_id) if parent_id else None
        if author is None:
            comment = comments.add_guest_comment(idea, "Guest", None, body, parent=parent)
        else:
            comment = comments.add_member_comment(idea, author, body, parent)
        comment.created_at = utcnow() - timedelta(minutes=minutes_ago)
        db.session.commit()
        return comment.id


def _row(app, comment_id: int) -> Comment | None:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        if comment is not None:
            db.session.expunge(comment)
        return comment


def _visible_rows(app, idea_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(
            Comment.idea_id == idea_id, Comment.hidden_at.is_(None)))


def _thread_of(page: str, comment_id: int) -> str:
    """The HTML of a comment's <li>, its replies included (up to the next top-level one)."""
    start = page.index(f'<li class="comment" id="comment-{comment_id}"')
    following = re.search(r'<li class="comment(?: comment-hidden)?" id=', page[start + 10:])
    return page[start:start + 10 + following.start()] if following else page[start:]


def test_a_reply_shows_indented_under_its_comment(app, member_client, make_idea, make_user):
    idea_id = make_idea()
    first = _comment(app, idea_id, "First thought", author=make_user("Bo"))
    second = _comment(app, idea_id, "Second thought", author=make_user("Cy"))
    response = post_form(member_client, f"/ideas/{idea_id}/comments",
                         {"body": "Answering the first", "reply_to": str(first)})
    assert response.status_code == 302
    reply = _latest(app)
    assert response.headers["Location"].endswith(f"#comment-{reply.id}")
    assert reply.parent_id == first
    page = member_client.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    thread = _thread_of(page, first)
    assert '<ol class="reply-list">' in thread and "Answering the first" in thread
    assert "Answering the first" not in _thread_of(page, second)
    assert get_idea(app, idea_id).comment_count == 3 == _visible_rows(app, idea_id)


def _latest(app) -> Comment:
    with app.app_context():
        comment = db.session.scalar(select(Comment).order_by(Comment.id.desc()).limit(1))
        db.session.expunge(comment)
        return comment


def test_a_visitor_replies_and_a_moderated_reply_waits(app, client, make_idea, caretaker):
    idea_id = make_idea()
    first = _comment(app, idea_id, "First thought")
    post_form(client, f"/ideas/{idea_id}/comments",
              {"name": "Lurker", "body": "Me too", "reply_to": str(first)})
    assert _latest(app).parent_id == first and _latest(app).held_at is None
    with app.app_context():
        settings.change(caretaker, visitor_comments=settings.VisitorComments.MODERATED)
        db.session.commit()
    post_form(client, f"/ideas/{idea_id}/comments",
              {"name": "Lurker", "body": "Waiting reply", "reply_to": str(first)})
    held = _latest(app)
    assert held.parent_id == first and held.held_at is not None
    page = client.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    assert "Me too" in page and "Waiting reply" not in page
    assert get_idea(app, idea_id).comment_count == 2 == _visible_rows(app, idea_id)


def test_a_reply_to_a_reply_goes_under_the_same_comment(app, member_client, make_idea):
    idea_id = make_idea()
    first = _comment(app, idea_id, "First thought")
    reply = _comment(app, idea_id, "A reply", parent_id=first)
    post_form(member_client, f"/ideas/{idea_id}/comments",
              {"body": "Replying to the reply", "reply_to": str(reply)})
    assert _latest(app).parent_id == first


def test_a_reply_to_a_comment_that_is_not_there_is_refused_and_writes_nothing(
        app, member_client, make_idea, caretaker):
    idea_id, other_idea = make_idea(), make_idea("Another idea on the board")
    elsewhere = _comment(app, other_idea, "On the other idea")
    hidden = _comment(app, idea_id, "Soon hidden")
    with app.app_context():
        comments.set_comment_hidden(db.session.get(Comment, hidden), True, caretaker)
        db.session.commit()
    before = database_snapshot(app)
    for target in (str(elsewhere), str(hidden), "0", "99999999999", "1 OR 1=1"):
        response = post_form(member_client, f"/ideas/{idea_id}/comments",
                             {"body": "Kept words", "reply_to": target})
        page = response.get_data(as_text=True)
        assert response.status_code == 400, target
        assert "The comment you replied to is no longer there" in page, target
        assert "Kept words" in page
    assert database_snapshot(app) == before


def test_without_javascript_reply_opens_the_form_under_the_comment(app, client, make_idea):
    idea_id = make_idea()
    first = _comment(app, idea_id, "First thought")
    page = client.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    link = re.search(rf'<a class="reply-link" href="([^"]+)" data-reply-to="{first}"', page)
    assert link and link.group(1).endswith(f"reply_to={first}#reply-{first}")
    assert f'id="reply-{first}"' not in page
    opened = client.get(link.group(1).replace("&amp;", "&"), follow_redirects=True)
    thread = _thread_of(opened.get_data(as_text=True), first)
    form = re.search(rf'<form [^>]*id="reply-{first}".*?</form>', thread, re.S)
    assert form, "the reply form is under the comment"
    assert f'name="reply_to" type="hidden" value="{first}"' in form.group(0)
    assert 'id="reply-body"' in form.group(0)
    assert opened.get_data(as_text=True).count('id="body"') == 1  # the thread's own form


def test_a_refused_reply_comes_back_under_its_comment(app, client, make_idea):
    idea_id = make_idea()
    first = _comment(app, idea_id, "First thought")
    response = post_form(client, f"/ideas/{idea_id}/comments",
                         {"name": "", "body": "My reply", "reply_to": str(first)})
    assert response.status_code == 400
    thread = _thread_of(response.get_data(as_text=True), first)
    assert "Please enter a name." in thread and "My reply" in thread


def test_the_author_edits_for_fifteen_minutes_and_it_shows_edited(
        app, client, member, make_idea):
    idea_id = make_idea()
    mine = _comment(app, idea_id, "Tpyo here", author=member)
    old = _comment(app, idea_id, "Said long ago", author=member, minutes_ago=16)
    sign_in(client, member)
    page = client.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    assert f"/ideas/comments/{mine}/edit" in page and f"/ideas/comments/{old}/edit" not in page
    assert f"/ideas/comments/{old}/delete" in page
    response = post_form(client, f"/ideas/comments/{mine}/edit", {"body": "Typo fixed"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Typo fixed" in page and "Tpyo" not in page and "(edited)" in page
    assert _row(app, mine).edited_at is not None
    late = post_form(client, f"/ideas/comments/{old}/edit", {"body": "Rewritten history"})
    assert late.status_code == 302
    assert _row(app, old).body == "Said long ago"
    assert "can no longer be" in client.get(late.headers["Location"],
                                            follow_redirects=True).get_data(as_text=True)


def test_only_the_author_sees_and_uses_edit_and_delete(
        app, client, member, make_user, make_idea):
    idea_id = make_idea()
    mine = _comment(app, idea_id, "Mine", author=member)
    other = sign_in(app.test_client(), make_user("Someone Else"))
    page = other.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    assert f"/ideas/comments/{mine}/edit" not in page
    assert f"/ideas/comments/{mine}/delete" not in page
    before = database_snapshot(app)
    assert post_form(other, f"/ideas/comments/{mine}/edit", {"body": "Hijack"}).status_code == 403
    assert post_form(other, f"/ideas/comments/{mine}/delete").status_code == 403
    visitor = post_form(client, f"/ideas/comments/{mine}/delete")
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]
    assert database_snapshot(app) == before


def test_deleting_a_comment_without_replies_removes_it(app, member, make_idea):
    idea_id = make_idea()
    mine = _comment(app, idea_id, "Take it back", author=member)
    client = sign_in(app.test_client(), member)
    assert "Take it back" in client.get(f"/ideas/comments/{mine}/delete").get_data(as_text=True)
    response = post_form(client, f"/ideas/comments/{mine}/delete")
    assert response.status_code == 302
    assert _row(app, mine) is None
    assert get_idea(app, idea_id).comment_count == 0 == _visible_rows(app, idea_id)


def test_deleting_a_comment_with_replies_leaves_its_place(app, member, make_idea):
    idea_id = make_idea()
    mine = _comment(app, idea_id, "Something I regret", author=member)
    reply = _comment(app, idea_id, "An answer", parent_id=mine)
    client = sign_in(app.test_client(), member)
    post_form(client, f"/ideas/comments/{mine}/delete")
    place = _row(app, mine)
    assert place.deleted_at is not None and place.body == "" and place.hidden_at is not None
    assert get_idea(app, idea_id).comment_count == 1 == _visible_rows(app, idea_id)
    page = app.test_client().get(f"/ideas/{idea_id}", follow_redirects=True)
    page = page.get_data(as_text=True)
    assert "Comment deleted." in page and "Something I regret" not in page
    assert "An answer" in page
    with app.app_context():  # the last reply goes: so does the emptied place
        comments.delete_as_spam(db.session.get(Comment, reply), member)
        db.session.commit()
    assert _row(app, mine) is None
    assert get_idea(app, idea_id).comment_count == 0 == _visible_rows(app, idea_id)


def test_a_hidden_comment_keeps_its_place_for_its_replies(app, client, caretaker, make_idea):
    idea_id = make_idea()
    first = _comment(app, idea_id, "Out of line remark")
    _comment(app, idea_id, "A calm answer", parent_id=first)
    lonely = _comment(app, idea_id, "Hidden, unanswered")
    with app.app_context():
        for comment_id in (first, lonely):
            comments.set_comment_hidden(db.session.get(Comment, comment_id), True, caretaker)
        db.session.commit()
    page = client.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    assert "Comment hidden by the caretaker." in page and "A calm answer" in page
    assert "Out of line remark" not in page and "Hidden, unanswered" not in page
    assert f'id="comment-{lonely}"' not in page
    post_form(client, f"/ideas/{idea_id}/comments",
              {"name": "Guest", "body": "Still talking", "reply_to": str(first)})
    assert _latest(app).parent_id == first
    desk = sign_in(app.test_client(), caretaker)
    page = desk.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    assert "Out of line remark" in page and "Hidden, unanswered" in page


def test_spam_deletion_takes_the_replies_and_counts_stay_exact(app, caretaker, make_idea):
    idea_id = make_idea()
    spam = _comment(app, idea_id, "Buy now")
    for n in range(3):
        _comment(app, idea_id, f"Reply {n}", parent_id=spam)
    _comment(app, idea_id, "Unrelated")
    with app.app_context():
        comments.delete_as_spam(db.session.get(Comment, spam), caretaker)
        db.session.commit()
    assert get_idea(app, idea_id).comment_count == 1 == _visible_rows(app, idea_id)


def test_threads_are_paged_with_their_replies(app, client, make_idea, monkeypatch):
    monkeypatch.setattr(comments, "THREAD_PAGE", 2)
    idea_id = make_idea()
    tops = [_comment(app, idea_id, f"Comment {n}") for n in range(3)]
    replies = [_comment(app, idea_id, f"Reply to {n}", parent_id=top)
               for n, top in enumerate(tops)]
    page = client.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    assert re.findall(r"(?:Comment|Reply to) \d", page) == [
        "Comment 0", "Reply to 0", "Comment 1", "Reply to 1"]
    linked = client.get(f"/ideas/comments/{replies[2]}")
    assert linked.headers["Location"].endswith(
        f"?comments_after={tops[1]}#comment-{replies[2]}")
    page = client.get(linked.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert re.findall(r"(?:Comment|Reply to) \d", page) == ["Comment 2", "Reply to 2"]


def test_undoing_a_merge_takes_the_replies_back_with_their_comment(
        app, caretaker, make_idea):
    source, target = make_idea("The idea merged away"), make_idea("The idea kept")
    first = _comment(app, source, "Said on the source")
    with app.app_context():
        merging.merge(db.session.get(Idea, source), db.session.get(Idea, target), caretaker)
        db.session.commit()
    reply = _comment(app, target, "Replied after the merge", parent_id=first)
    with app.app_context():
        merging.undo(db.session.get(Idea, source), caretaker)
        db.session.commit()
    assert _row(app, reply).idea_id == source
    assert get_idea(app, source).comment_count == 2 == _visible_rows(app, source)
    assert get_idea(app, target).comment_count == 0 == _visible_rows(app, target)
