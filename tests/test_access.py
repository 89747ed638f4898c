"""Who may use each route: a matrix built from the app's own URL map, so a new route
without an expectation fails here."""

from __future__ import annotations

import pytest
from flask import url_for

from ideaboard.extensions import db
from ideaboard.models import Chat, Message, User, utcnow
from ideaboard.services import api_tokens, caretakers, comments, reviews
from tests.conftest import csrf_token, get_idea, post_form, sign_in

# author: the member who wrote the idea; suspended: another member, suspended
ROLES = ("visitor", "author", "other", "suspended", "caretaker")
ANYONE = dict.fromkeys(ROLES, 200)
MEMBERS = {"visitor": "login", "author": 302, "other": 302, "caretaker": 302}
CARETAKER_ONLY = {"visitor": "login", "author": 403, "other": 403, "caretaker": 302}
AUTHOR_ONLY = {"visitor": "login", "author": 302, "other": 403, "caretaker": 403}
API_MEMBERS = {"visitor": 401, "author": 200, "other": 200, "caretaker": 200}

# endpoint -> (method, {role: expected status}); "login" means a redirect to /login.
MATRIX = {
    "board.index": ("GET", ANYONE),
    "board.roadmap": ("GET", ANYONE),
    "board.decisions": ("GET", ANYONE),
    "board.feed": ("GET", dict.fromkeys(ROLES, 301)),  # moved to feeds.ideas
    "feeds.ideas": ("GET", ANYONE),
    "feeds.updates": ("GET", ANYONE),
    "feeds.comments": ("GET", ANYONE),
    "auth.signup": ("GET", {"visitor": 200, "author": 302, "other": 302, "caretaker": 302}),
    "auth.login": ("GET", {"visitor": 200, "author": 302, "other": 302, "caretaker": 302}),
    "auth.logout": ("POST", MEMBERS),
    "auth.forgot_password": ("GET", ANYONE),
    "auth.verify_email": ("GET", dict.fromkeys(ROLES, 302)),  # not genuine: to the login
    "auth.resend_verification": ("POST", MEMBERS),
    "auth.change_password": ("GET", {**MEMBERS, "author": 200, "other": 200, "caretaker": 200}),
    "auth.change_email": ("GET", {**MEMBERS, "author": 200, "other": 200, "caretaker": 200}),
    # Anyone may follow a reset link; one that is not genuine leads back to the form.
    "auth.reset_password": ("GET", dict.fromkeys(ROLES, 302)),
    "ideas.show": ("GET", ANYONE),
    "ideas.new": ("GET", {"visitor": "login", "author": 200, "other": 200, "caretaker": 200}),
    "ideas.edit": ("GET", {**AUTHOR_ONLY, "author": 200}),
    "ideas.withdraw": ("POST", AUTHOR_ONLY),
    "ideas.vote": ("POST", MEMBERS),
    "ideas.follow": ("POST", MEMBERS),  # suspended members too: it only changes their mail
    "notifications.settings": ("GET", {**MEMBERS, "author": 200, "other": 200,
                                       "caretaker": 200}),
    # Anyone may follow an unsubscribe link; one that is not genuine is not found.
    "notifications.unsubscribe": ("GET", dict.fromkeys(ROLES, 404)),
    "ideas.comment": ("POST", {**MEMBERS, "visitor": 302}),
    # the comment is the author's (and posted just now, so still editable)
    "ideas.edit_comment": ("GET", {**AUTHOR_ONLY, "author": 200}),
    "ideas.delete_comment": ("POST", AUTHOR_ONLY),
    "caretaker.dashboard": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "caretaker.update_status": ("POST", CARETAKER_ONLY),
    "caretaker.bulk_status": ("POST", CARETAKER_ONLY),
    "caretaker.log": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "caretaker.queue": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "caretaker.approve_comment": ("POST", CARETAKER_ONLY),
    "caretaker.delete_comment": ("POST", CARETAKER_ONLY),
    "caretaker.dismiss_idea_flags": ("POST", CARETAKER_ONLY),
    "caretaker.dismiss_comment_flags": ("POST", CARETAKER_ONLY),
    "caretaker.member_list": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "caretaker.suspend_member": ("POST", CARETAKER_ONLY),
    "caretaker.lift_suspension": ("POST", CARETAKER_ONLY),
    "caretaker.board_settings": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "caretaker.merge_idea": ("POST", CARETAKER_ONLY),
    "caretaker.unmerge_idea": ("POST", {**CARETAKER_ONLY, "caretaker": 409}),  # not merged
    "caretaker.chat_list": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "caretaker.plan_chat": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "caretaker.hosts": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "caretaker.chat": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "caretaker.chat_done": ("POST", CARETAKER_ONLY),
    "caretaker.inbox_list": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "caretaker.mail": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "caretaker.retry_mail": ("POST", {**CARETAKER_ONLY, "caretaker": 404}),  # none failed
    "caretaker.message": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "caretaker.mark_unread": ("POST", CARETAKER_ONLY),
    "caretaker.archive_message": ("POST", CARETAKER_ONLY),
    "caretaker.unarchive_message": ("POST", CARETAKER_ONLY),
    "caretaker.export_ideas": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "caretaker.export_votes": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "caretaker.invite_caretaker": ("POST", CARETAKER_ONLY),
    "webhooks.index": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "webhooks.add": ("POST", {**CARETAKER_ONLY, "caretaker": 400}),  # no address given
    "webhooks.send_test": ("POST", {**CARETAKER_ONLY, "caretaker": 404}),  # none yet
    "webhooks.delete": ("POST", {**CARETAKER_ONLY, "caretaker": 404}),
    "reviews.index": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "reviews.start": ("POST", CARETAKER_ONLY),
    "reviews.show": ("GET", {**CARETAKER_ONLY, "caretaker": 200}),
    "reviews.summary": ("POST", CARETAKER_ONLY),
    "auth.account": ("GET", {**MEMBERS, "author": 200, "other": 200, "caretaker": 200}),
    # "other" has an invitation to answer; nobody else does
    "auth.answer_invitation": ("POST", {**MEMBERS, "author": 409, "other": 302,
                                        "suspended": 409, "caretaker": 409}),
    "auth.step_down": ("POST", {**MEMBERS, "author": 409, "other": 409, "caretaker": 409}),
    "auth.create_token": ("POST", {**MEMBERS, "author": 201, "other": 201, "caretaker": 201}),
    # the token is the author's: no one else may revoke it, nor learn that it exists
    "auth.revoke_token": ("POST", {**MEMBERS, "other": 404, "caretaker": 404}),
    "contact.contact": ("GET", ANYONE),
    "hosting.offer": ("GET", ANYONE),
    "hosting.make_offer": ("POST", MEMBERS),
    "hosting.withdraw": ("POST", MEMBERS),
    # anyone may follow a nomination's link; one that is not genuine is not found
    "hosting.answer": ("GET", dict.fromkeys(ROLES, 404)),
    # members choose the digest in their own settings
    "newsletter.subscribe": ("GET", {**dict.fromkeys(ROLES, 302), "visitor": 200}),
    # anyone may follow a confirmation link; one that is not genuine is not found
    "newsletter.confirm": ("GET", dict.fromkeys(ROLES, 404)),
    "members.profile": ("GET", ANYONE),
    "members.comments": ("GET", ANYONE),
    "members.my_ideas": ("GET", {**MEMBERS, "author": 200, "other": 200, "caretaker": 200}),
    "members.my_votes": ("GET", {**MEMBERS, "author": 200, "other": 200, "caretaker": 200}),
    "auth.edit_profile": ("GET", {**MEMBERS, "author": 200, "other": 200, "caretaker": 200}),
    "auth.export_data": ("GET", {**MEMBERS, "author": 200, "other": 200, "caretaker": 200}),
    "auth.delete_account": ("GET", {**MEMBERS, "author": 200, "other": 200, "caretaker": 200}),
    "chats.index": ("GET", ANYONE),
    "chats.calendar": ("GET", ANYONE),
    "ideas.flag_idea": ("GET", ANYONE),
    "ideas.flag_comment": ("GET", ANYONE),
    "ideas.comment_link": ("GET", dict.fromkeys(ROLES, 302)),
    "caretaker.hide_idea": ("POST", CARETAKER_ONLY),
    "caretaker.restore_idea": ("POST", CARETAKER_ONLY),
    "caretaker.hide_comment": ("POST", CARETAKER_ONLY),
    "caretaker.restore_comment": ("POST", CARETAKER_ONLY),
    "static": ("GET", ANYONE),
    "health.healthz": ("GET", ANYONE),
    "health.readyz": ("GET", ANYONE),
    "search.results": ("GET", ANYONE),
    # The API, with the browser's session (its writes carry the CSRF token in a header).
    "api.openapi": ("GET", ANYONE),
    "api.docs": ("GET", ANYONE),
    "api.list_ideas": ("GET", ANYONE),
    "api.get_idea": ("GET", ANYONE),
    "api.list_comments": ("GET", ANYONE),
    "api.list_categories": ("GET", ANYONE),
    "api.me": ("GET", {**ANYONE, "visitor": 401}),
    "api.post_idea": ("POST", {**API_MEMBERS, "author": 201, "other": 201, "caretaker": 201}),
    "api.change_idea": ("PATCH", {**API_MEMBERS, "other": 403, "caretaker": 403}),
    "api.vote": ("PUT", API_MEMBERS),
    "api.unvote": ("DELETE", API_MEMBERS),
    "api.post_comment": ("POST", {**API_MEMBERS, "visitor": 201, "author": 201, "other": 201,
                                  "caretaker": 201}),
}
API_BODIES = {
    "api.post_idea": {"title": "Posted through the API", "description": "Yes",
                      "category": "other"},
    "api.change_idea": {"title": "A new title for it"},
    "api.post_comment": {"body": "A comment"},
}
FORM_DATA = {
    "ideas.vote": {"intent": "vote"},
    "ideas.follow": {"intent": "follow"},
    "ideas.comment": {"name": "Visitor", "body": "A comment"},
    "caretaker.update_status": {"status": "planned", "response": "Yes"},
    "caretaker.bulk_status": {"ideas": "{idea_id}", "status": "planned"},
    "caretaker.merge_idea": {"target": "{other_idea_id}"},
    "auth.create_token": {"name": "A script"},
    "reviews.summary": {"summary": "What we heard"},
    "hosting.make_offer": {"topics": "Nursing informatics"},
}
# Path values other than the usual ones (a role's name stands for that member's id).
PATH_VALUES = {"caretaker.invite_caretaker": {"user_id": "author"},
               "auth.reset_password": {"token": "not-a-signed-token"},
               "auth.verify_email": {"token": "not-a-signed-token"},
               "notifications.unsubscribe": {"token": "not-a-signed-token"},
               "newsletter.confirm": {"token": "not-a-signed-token"},
               "hosting.answer": {"token": "not-a-signed-token"}}
# What a suspended member may no longer do (they still read everything).
TAKING_PART = {"ideas.new", "ideas.vote", "ideas.comment", "ideas.flag_idea",
               "ideas.flag_comment", "contact.contact", "auth.create_token", "api.post_idea",
               "auth.edit_profile", "hosting.make_offer", "hosting.withdraw",
               "api.change_idea", "api.vote", "api.unvote", "api.post_comment"}


def _api_call(client, method: str, url: str, endpoint: str, signed_in: bool):
    body = API_BODIES.get(endpoint)
    if endpoint == "api.post_comment" and not signed_in:
        body = {**body, "name": "Visitor"}
    headers = {"X-CSRFToken": csrf_token(client)} if signed_in and method != "GET" else {}
    return client.open(url, method=method, json=body, headers=headers)


def _expected(endpoint: str, role: str):
    expected = MATRIX[endpoint][1]
    if role != "suspended":
        return expected[role]
    if endpoint in TAKING_PART:
        return 403
    return expected.get("suspended", expected["other"])


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(app, client, make_user, make_idea, member, caretaker, endpoint, role):
    idea_id = make_idea(author=member)
    with app.app_context():
        comment_id = comments.add_member_comment(get_idea(app, idea_id), member, "Hi").id
        db.session.commit()
    other_idea_id = make_idea("Another idea")
    signed_in = {"author": member, "other": make_user("Another Member"),
                 "suspended": make_user("Suspended Member"), "caretaker": caretaker}
    with app.app_context():
        db.session.get(User, signed_in["suspended"].id).suspended_at = utcnow()
        chat = Chat(title="A chat", starts_at=utcnow(), time_zone="UTC", host_handle="@h")
        message = Message(name="V", email="v@example.org", body="Private", created_at=utcnow())
        db.session.add_all([chat, message])
        caretakers.invite(caretaker, db.session.get(User, signed_in["other"].id))
        token_id = api_tokens.create_token(member.id, "The author's script")[0].id
        review_id = reviews.start_review(caretaker).id
        db.session.commit()
        chat_id, message_id = chat.id, message.id
    if role in signed_in:
        sign_in(client, signed_in[role])
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {"idea_id": idea_id, "comment_id": comment_id, "slug": "x",
              "filename": "css/ideaboard.css", "user_id": signed_in["other"].id,
              "chat_id": chat_id, "message_id": message_id, "answer": "accept",
              "token_id": token_id, "review_id": review_id, "webhook_id": 1,
              **PATH_VALUES.get(endpoint, {})}
    values = {name: signed_in[value].id if value in signed_in else value
              for name, value in values.items()}
    with app.test_request_context():
        url = url_for(endpoint, **{k: v for k, v in values.items() if k in rule.arguments})
    method, expected = MATRIX[endpoint][0], _expected(endpoint, role)
    data = {name: value.format(idea_id=idea_id, comment_id=comment_id,
                               other_idea_id=other_idea_id)
            for name, value in FORM_DATA.get(endpoint, {}).items()}
    if endpoint.startswith("api."):
        response = _api_call(client, method, url, endpoint, signed_in=role in signed_in)
    elif method == "POST":
        response = post_form(client, url, data)
    else:
        response = client.get(url)
    response.close()
    if expected == "login":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    elif endpoint == "ideas.show":
        assert response.status_code in (200, 301)
    else:
        assert response.status_code == expected, response.get_data(as_text=True)[:500]
