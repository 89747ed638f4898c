"""Replies and one's own comments in a real browser: "Reply" opens a form under the
comment (with scripts, and without them by its link), the reply shows indented under it;
the author edits and deletes their comment. Each page accessible and usable on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ideaboard.extensions import db
from ideaboard.models import Idea, User
from ideaboard.services import comments
from tests.e2e.conftest import check_page
from tests.e2e.test_journey import label, log_in

pytestmark = pytest.mark.e2e


def _commented_idea(app, make_idea, author: User) -> int:
    idea_id = make_idea("Invite a patient advocate to host")
    with app.app_context():
        comments.add_member_comment(db.session.get(Idea, idea_id), author,
                                    "Who would you ask first?")
        db.session.commit()
    return idea_id


def _thread(page: Page, text: str):
    """The comment (its <li>, replies included) that says `text`."""
    return page.locator("ol.comment-list > li").filter(has_text=text)


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_a_visitor_replies_under_a_comment(app, new_page, make_idea, make_user, scripts):
    idea_id = _commented_idea(app, make_idea, make_user("Dana Member"))
    page = new_page(java_script_enabled=scripts)
    page.goto(f"/ideas/{idea_id}")
    thread = _thread(page, "Who would you ask first?")
    thread.get_by_role("link", name="Reply to Dana Member").click()

    form = thread.locator("form.comment-form")
    body = form.get_by_label("Comment", exact=True)
    expect(body).to_be_visible()
    if scripts:  # the checks run scripts in the page: only where it runs them
        expect(body).to_be_focused()
        check_page(page, body, form.get_by_role("button", name="Post comment"))
    form.get_by_label("Name", exact=True).fill("Lee Visitor")
    body.fill("Someone who lived it")
    form.get_by_role("button", name="Post comment").click()

    expect(page.get_by_text("Thank you, your comment is posted.")).to_be_visible()
    reply = _thread(page, "Who would you ask first?").locator("ol.reply-list > li")
    expect(reply).to_have_count(1)
    expect(reply).to_contain_text("Someone who lived it")
    expect(reply).to_contain_text("Lee Visitor")


def test_the_author_edits_then_deletes_their_comment(app, page: Page, make_idea, member):
    idea_id = _commented_idea(app, make_idea, member)
    log_in(page, member.email)
    page.goto(f"/ideas/{idea_id}")
    thread = _thread(page, "Who would you ask first?")
    thread.get_by_role("link", name="Edit your comment").click()

    body = label(page, "Comment")
    save = page.get_by_role("button", name="Save changes")
    check_page(page, body, save)
    body.fill("Who would you ask first, and why?")
    save.click()
    expect(page.get_by_text("Your comment is updated.")).to_be_visible()
    thread = _thread(page, "Who would you ask first, and why?")
    expect(thread.get_by_text("(edited)")).to_be_visible()

    thread.get_by_role("link", name="Delete your comment").click()
    delete = page.get_by_role("button", name="Delete comment")
    check_page(page, delete)
    delete.click()
    expect(page.get_by_text("Your comment is deleted.")).to_be_visible()
    expect(page.get_by_text("Who would you ask first")).to_have_count(0)
    expect(page.get_by_role("heading", name="0 comments")).to_be_visible()
