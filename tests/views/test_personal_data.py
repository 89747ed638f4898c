"""A member downloads everything the board holds about them, as JSON."""

from __future__ import annotations

import json

from ideaboard.extensions import db
from ideaboard.models import Idea
from ideaboard.services import api_tokens, comments, personal_data, votes
from tests.conftest import sign_in


def test_a_member_downloads_their_data_and_nobody_else_s(app, member, make_user, make_idea):
    mine = make_idea("My own idea", author=member)
    theirs = make_idea("Someone else's idea")
    with app.app_context():
        first = comments.add_member_comment(db.session.get(Idea, theirs), member, "I agree")
        comments.add_member_comment(db.session.get(Idea, theirs), member, "And more",
                                    parent=first)
        comments.add_guest_comment(db.session.get(Idea, theirs), "Visitor", None, "Not hers")
        api_tokens.create_token(member.id, "My script")
        db.session.commit()
        votes.set_vote(member.id, theirs, True)
    other = make_user("Other Member")
    with app.app_context():
        votes.set_vote(other.id, mine, True)

    response = sign_in(app.test_client(), member).get("/account/export")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["format"] == personal_data.FORMAT
    assert data["account"]["email"] == member.email
    assert [idea["title"] for idea in data["ideas"]] == ["My own idea"]
    assert [c["body"] for c in data["comments"]] == ["I agree", "And more"]
    assert data["comments"][1]["reply_to"] == data["comments"][0]["id"]
    assert [v["idea_title"] for v in data["votes"]] == ["Someone else's idea"]
    assert [f["idea_title"] for f in data["following"]] == ["My own idea", "Someone else's idea"]
    assert data["notifications"] == {"status_changes_and_answers": "instant",
                                     "comments_on_followed_ideas": "off",
                                     "replies_to_my_comments": "instant", "weekly_digest": True}
    assert [t["name"] for t in data["api_tokens"]] == ["My script"]
    assert "token_hash" not in response.get_data(as_text=True)
    assert app.test_client().get("/account/export").headers["Location"].startswith("/login")
