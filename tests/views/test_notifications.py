"""Following ideas and the mail it brings: status changes and answers, comments, replies
(to members and to visitors who asked), each member's settings, and the one-click
unsubscribe link in every mail."""

from __future__ import annotations

import re

import pytest

from ideaboard.extensions import db
from ideaboard.models import Comment, Delivery, Status, User, utcnow
from ideaboard.services import comments, follows, outbox, settings
from ideaboard.services.mail import as_email
from tests.conftest import get_idea, post_form, queued_mail, sign_in
from tests.servers import smtp_server


@pytest.fixture
def author(make_user) -> User:
    return make_user("Ana Author", verified=True)


@pytest.fixture
def idea_id(make_idea, author) -> int:
    return make_idea("Invite a CMIO to host", author=author)


def _set(app, user: User, **values) -> None:
    with app.app_context():
        row = db.session.get(User, user.id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


def _answer(caretaker_client, idea_id: int, status: str, response: str = ""):
    response = post_form(caretaker_client, f"/caretaker/ideas/{idea_id}/status",
                         {"status": status, "response": response})
    assert response.status_code == 302, response.get_data(as_text=True)


def _comment(app, idea_id: int, author: User, body: str, parent_id: int | None = None) -> int:
    with app.app_context():
        idea = db.session.get(type(get_idea(app, idea_id)), idea_id)
        parent = db.session.get(Comment, parent_id) if parent_id else None
        comment = comments.add_member_comment(idea, db.session.get(User, author.id), body,
                                              parent)
        db.session.commit()
        return comment.id


def _following(app, user: User, idea_id: int) -> bool:
    with app.app_context():
        return follows.is_following(user.id, idea_id)


def _unsubscribe_path(mail) -> str:
    found = re.search(r"<http://127\.0\.0\.1:5000(/unsubscribe/[^>]+)>",
                      mail.headers["List-Unsubscribe"])
    assert found, mail.headers
    return found.group(1)


def test_a_status_change_mails_the_followers_who_want_it_at_once(
        app, client, caretaker_client, make_user, author, idea_id):
    voter = make_user("Vic Voter", verified=True)
    commenter = make_user("Cora Commenter", verified=True)
    unconfirmed = make_user("Una Unconfirmed")
    quiet = make_user("Quinn Quiet", verified=True)
    weekly = make_user("Wes Weekly", verified=True)
    bystander = make_user("Bea Bystander", verified=True)
    for follower in (voter, unconfirmed, quiet, weekly):
        sign_in(app.test_client(), follower)
        assert post_form(sign_in(app.test_client(), follower), f"/ideas/{idea_id}/vote",
                         {"intent": "vote"}).status_code == 302
    _comment(app, idea_id, commenter, "Count me in")
    _set(app, quiet, notify_updates=Delivery.OFF)
    _set(app, weekly, notify_updates=Delivery.DIGEST)

    _answer(caretaker_client, idea_id, "planned", "We will invite **Dr. Lee** in March.")

    mails = {mail.recipient: mail for mail in queued_mail(app)}
    assert set(mails) == {author.email, voter.email, commenter.email}
    assert bystander.email not in mails
    mail = mails[voter.email]
    assert mail.subject == "“Invite a CMIO to host” is now Planned"
    assert "We will invite **Dr. Lee** in March." in mail.text_body
    assert "<strong>Dr. Lee</strong>" in mail.html_body
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.search(rf"/ideas/{idea_id}-invite-a-cmio-to-host", mail.text_body)


def test_an_answer_without_a_status_change_is_mailed_and_taking_it_back_is_not(
        app, caretaker_client, author, idea_id):
    _answer(caretaker_client, idea_id, "open", "Thanks, we are asking around.")
    [mail] = queued_mail(app, to=author.email)
    assert mail.subject == "The caretaker answered “Invite a CMIO to host”"

    _answer(caretaker_client, idea_id, "open", "")

    assert len(queued_mail(app, to=author.email)) == 1


def test_the_caretaker_who_answers_an_idea_they_follow_is_not_mailed(
        app, caretaker_client, caretaker, idea_id):
    _set(app, caretaker, email_verified_at=utcnow())
    with app.app_context():
        follows.follow(caretaker.id, idea_id)
        db.session.commit()

    _answer(caretaker_client, idea_id, "under_review")

    assert queued_mail(app, to=caretaker.email) == []


def test_a_reply_mails_the_comment_author_once_and_comments_go_to_who_asked(
        app, make_user, author, idea_id):
    first = make_user("Fay First", verified=True)
    replier = make_user("Ray Replier", verified=True)
    _set(app, author, notify_comments=Delivery.INSTANT)
    _set(app, first, notify_comments=Delivery.INSTANT)  # follows by commenting
    first_comment = _comment(app, idea_id, first, "What about nurses?")

    _comment(app, idea_id, replier, "Nurses too, yes", parent_id=first_comment)

    to_first = queued_mail(app, to=first.email)
    assert [mail.subject for mail in to_first] == [
        "Ray Replier replied to your comment on “Invite a CMIO to host”"]
    assert "Nurses too, yes" in to_first[0].text_body
    assert re.search(r"/ideas/comments/\d+", to_first[0].text_body)
    assert [mail.subject for mail in queued_mail(app, to=author.email)] == [
        "Fay First commented on “Invite a CMIO to host”",
        "Ray Replier commented on “Invite a CMIO to host”"]
    assert queued_mail(app, to=replier.email) == []


def test_replies_reach_a_member_only_as_their_settings_say(app, make_user, idea_id):
    first = make_user("Fay First", verified=True)
    replier = make_user("Ray Replier", verified=True)
    first_comment = _comment(app, idea_id, first, "What about nurses?")
    _set(app, first, notify_replies=Delivery.OFF)

    _comment(app, idea_id, replier, "Nurses too", parent_id=first_comment)

    assert queued_mail(app, to=first.email) == []


def test_a_visitor_who_asked_is_mailed_replies_until_they_unsubscribe(
        app, visitor, make_user, idea_id):
    response = post_form(visitor, f"/ideas/{idea_id}/comments", {
        "name": "Vera Visitor", "email": "vera@example.org", "email_replies": "y",
        "body": "Great idea"})
    assert response.status_code == 302
    replier = make_user("Ray Replier", verified=True)
    with app.app_context():
        vera_comment = db.session.scalar(db.select(Comment.id).where(
            Comment.guest_name == "Vera Visitor"))

    _comment(app, idea_id, replier, "Thank you, Vera", parent_id=vera_comment)

    [mail] = queued_mail(app, to="vera@example.org")
    assert mail.subject == "Ray Replier replied to your comment on “Invite a CMIO to host”"
    assert "settings" not in mail.text_body  # a visitor has none

    # RFC 8058: the mail client POSTs the link, with no session and no CSRF token.
    one_click = app.test_client().post(_unsubscribe_path(mail),
                                       data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    assert "no longer receive emails about replies to your comment" in one_click.get_data(
        as_text=True)
    _comment(app, idea_id, replier, "Anyone else?", parent_id=vera_comment)
    assert len(queued_mail(app, to="vera@example.org")) == 1


def test_asking_for_replies_without_an_email_is_refused_and_nothing_is_posted(
        app, visitor, idea_id):
    response = post_form(visitor, f"/ideas/{idea_id}/comments", {
        "name": "Vera Visitor", "email_replies": "y", "body": "Great idea"})

    assert response.status_code == 400
    assert "Please give your email, so that replies can reach you." in response.get_data(
        as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 0


def test_a_held_reply_is_mailed_when_the_caretaker_approves_it(
        app, visitor, caretaker_client, caretaker, make_user, idea_id):
    first = make_user("Fay First", verified=True)
    first_comment = _comment(app, idea_id, first, "What about nurses?")
    with app.app_context():
        settings.change(caretaker, visitor_comments=settings.VisitorComments.MODERATED)
        db.session.commit()
    post_form(visitor, f"/ideas/{idea_id}/comments", {
        "name": "Vera Visitor", "body": "Nurses too", "reply_to": str(first_comment)})
    assert queued_mail(app, to=first.email) == []
    with app.app_context():
        held = db.session.scalar(db.select(Comment.id).where(Comment.held_at.is_not(None)))

    post_form(caretaker_client, f"/caretaker/comments/{held}/approve")

    [mail] = queued_mail(app, to=first.email)
    assert mail.subject.startswith("Vera Visitor replied to your comment")


def test_the_unsubscribe_link_asks_first_and_then_turns_that_mail_off(
        app, caretaker_client, author, idea_id):
    _answer(caretaker_client, idea_id, "planned")
    [mail] = queued_mail(app, to=author.email)
    path = _unsubscribe_path(mail)
    reader = app.test_client()

    asked = reader.get(path)  # link checkers fetch links: that must change nothing

    assert asked.status_code == 200 and "Stop receiving emails about status changes" in \
        asked.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, author.id).notify_updates is Delivery.INSTANT
    assert reader.post(path).status_code == 200
    with app.app_context():
        assert db.session.get(User, author.id).notify_updates is Delivery.OFF
    _answer(caretaker_client, idea_id, "in_progress")
    assert len(queued_mail(app, to=author.email)) == 1


@pytest.mark.parametrize("token", ["not-a-token", "WyJtIiwxLCJ1cGRhdGVzIl0.forged"])
def test_an_unsubscribe_link_that_is_not_genuine_changes_nothing(app, author, token):
    response = app.test_client().post(f"/unsubscribe/{token}")

    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(User, author.id).notify_updates is Delivery.INSTANT


def test_a_member_follows_and_unfollows_from_the_idea_page(app, client, make_user, idea_id):
    reader = make_user("Rita Reader", verified=True)
    sign_in(client, reader)
    path = f"/ideas/{idea_id}-invite-a-cmio-to-host"
    page = client.get(path)
    assert ">Follow<" in page.get_data(as_text=True)
    etag = page.headers["ETag"]

    assert post_form(client, f"/ideas/{idea_id}/follow", {"intent": "follow"}).status_code == 302
    assert _following(app, reader, idea_id)
    client.get("/account")  # shows the flash message: the idea page may answer 304 again
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 200  # the cached copy's button would be wrong
    assert ">Unfollow<" in again.get_data(as_text=True)

    post_form(client, f"/ideas/{idea_id}/follow", {"intent": "unfollow"})
    assert not _following(app, reader, idea_id)
    assert ">Follow<" in client.get(path).get_data(as_text=True)


def test_visitors_see_no_follow_button(app, visitor, idea_id):
    page = visitor.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    assert "Invite a CMIO to host" in page
    assert f'action="/ideas/{idea_id}/follow"' not in page


def test_following_takes_a_known_intent_and_an_idea_on_the_board(app, member_client, idea_id):
    assert post_form(member_client, f"/ideas/{idea_id}/follow",
                     {"intent": "watch"}).status_code == 400
    assert post_form(member_client, "/ideas/99999/follow",
                     {"intent": "follow"}).status_code == 404


def test_voting_posting_and_commenting_follow_the_idea(app, make_user, author, idea_id):
    voter = make_user("Vic Voter")
    assert _following(app, author, idea_id)
    assert not _following(app, voter, idea_id)

    post_form(sign_in(app.test_client(), voter), f"/ideas/{idea_id}/vote", {"intent": "vote"})

    assert _following(app, voter, idea_id)


def test_notification_settings_are_saved_and_a_bad_choice_changes_nothing(
        app, member_client, member):
    page = member_client.get("/account/notifications")
    assert page.status_code == 200 and "Weekly digest" in page.get_data(as_text=True)

    saved = post_form(member_client, "/account/notifications", {
        "notify_updates": "digest", "notify_comments": "instant", "notify_replies": "off"})

    assert saved.status_code == 302
    with app.app_context():
        user = db.session.get(User, member.id)
        assert (user.notify_updates, user.notify_comments, user.notify_replies,
                user.digest_subscribed) == (Delivery.DIGEST, Delivery.INSTANT, Delivery.OFF,
                                            False)
    refused = post_form(member_client, "/account/notifications", {
        "notify_updates": "hourly", "notify_comments": "instant", "notify_replies": "off",
        "digest_subscribed": "y"})
    assert refused.status_code == 400
    with app.app_context():
        user = db.session.get(User, member.id)
        assert user.notify_updates is Delivery.DIGEST and not user.digest_subscribed


def test_status_changes_skip_suspended_followers(app, caretaker_client, make_user, idea_id):
    follower = make_user("Sam Suspended", verified=True)
    with app.app_context():
        follows.follow(follower.id, idea_id)
        db.session.get(User, follower.id).suspended_at = utcnow()
        db.session.commit()

    _answer(caretaker_client, idea_id, "planned")

    assert queued_mail(app, to=follower.email) == []
    with app.app_context():
        assert db.session.get(type(get_idea(app, idea_id)), idea_id).status is Status.PLANNED


def test_a_follower_gets_the_news_through_a_real_mail_server_and_unsubscribes_in_one_click(
        app, caretaker_client, author, idea_id):
    _answer(caretaker_client, idea_id, "planned", "See you in *March*.")

    with smtp_server() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=1)
        with app.app_context():
            assert outbox.send_due().sent == 1

    [mail] = server.received
    assert mail["To"] == author.email and mail["Message-ID"] and mail["Date"]
    assert mail.get_content_type() == "multipart/alternative"
    assert "See you in *March*." in mail.get_body(("plain",)).get_content()
    assert "<em>March</em>" in mail.get_body(("html",)).get_content()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = mail["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:5000")
    assert app.test_client().post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with app.app_context():
        assert db.session.get(User, author.id).notify_updates is Delivery.OFF


def test_the_unsubscribe_header_stays_a_plain_link_however_long(
        app, caretaker_client, author, idea_id):
    _answer(caretaker_client, idea_id, "planned")
    [queued] = queued_mail(app, to=author.email)

    with app.app_context():
        raw = as_email(queued, app.config["MAIL_DEFAULT_SENDER"]).as_bytes()

    line = next(line for line in raw.splitlines() if line.startswith(b"List-Unsubscribe:"))
    assert len(line) > 78  # long enough that the default policy would have encoded it
    assert line.startswith(b"List-Unsubscribe: <http://127.0.0.1:5000/unsubscribe/")
    assert b"=?utf-8?" not in line
