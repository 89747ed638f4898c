"""The health-data guardrail on every way in: the idea and comment forms ask before
publishing what looks like someone's health information, publish it when the author
confirms, and flag it for the caretaker; the API does the same with `publish_anyway`."""

from __future__ import annotations

import re

from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import Comment, Flag, Idea
from ideaboard.services import api_tokens, flags
from tests.conftest import database_snapshot, post_form
from tests.views.test_ideas import _category_id

PHI = "My patient John Smith (DOB 03/14/1962) asked for this."


def _flags(app) -> list[tuple[int | None, int | None, str, str]]:
    with app.app_context():
        return [(f.idea_id, f.comment_id, f.reason, f.details)
                for f in db.session.scalars(select(Flag).order_by(Flag.id))]


def test_an_idea_form_points_out_health_information_and_publishes_nothing(app, member_client):
    before = database_snapshot(app)

    response = post_form(member_client, "/ideas/new", {
        "title": "Open notes for everyone", "description": PHI, "category": _category_id(app)})

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Before this is published:" in page
    assert "My <mark>patient John Smith</mark> (DOB 03/14/1962) asked" in page
    assert "<mark>DOB 03/14/1962</mark>" in page
    assert re.search(r'<input[^>]*id="publish_anyway"[^>]*type="checkbox"|'
                     r'<input[^>]*type="checkbox"[^>]*id="publish_anyway"', page)
    assert "it looks like a patient&#39;s name" in page or "it looks like a patient's name" in page
    assert database_snapshot(app) == before


def test_confirmed_it_is_published_and_flagged_for_the_caretaker(app, member_client):
    response = post_form(member_client, "/ideas/new", {
        "title": "Open notes for everyone", "description": PHI, "category": _category_id(app),
        "publish_anyway": "y"})

    assert response.status_code == 302
    with app.app_context():
        idea_id = db.session.scalar(select(Idea.id))
    assert _flags(app) == [(idea_id, None, flags.Reason.HEALTH_DATA.value,
                            "Published after the author confirmed it: it looks like a "
                            "patient's name and a date of birth.")]


def test_ordinary_text_is_published_without_a_question(app, member_client):
    response = post_form(member_client, "/ideas/new", {
        "title": "Open notes for everyone", "description": "Patients read their notes.",
        "category": _category_id(app)})

    assert response.status_code == 302 and _flags(app) == []


def test_a_visitors_comment_is_asked_too(app, visitor, make_idea):
    idea_id = make_idea()
    form = {"name": "Maria", "body": "Call me on 555-123-4567 about my mother's MRN 0012345"}
    before = database_snapshot(app)

    asked = post_form(visitor, f"/ideas/{idea_id}/comments", form)

    assert asked.status_code == 400 and "<mark>555-123-4567</mark>" in asked.get_data(
        as_text=True)
    assert database_snapshot(app) == before
    assert post_form(visitor, f"/ideas/{idea_id}/comments",
                     {**form, "publish_anyway": "y"}).status_code == 302
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    assert [(f[1], f[2]) for f in _flags(app)] == [(comment_id, "health_data")]


def test_editing_a_comment_is_asked_too(app, member_client, member, make_idea):
    idea_id = make_idea()
    post_form(member_client, f"/ideas/{idea_id}/comments", {"body": "Good idea"})
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))

    asked = post_form(member_client, f"/ideas/comments/{comment_id}/edit",
                      {"body": "Mail jane@example.org"})
    confirmed = post_form(member_client, f"/ideas/comments/{comment_id}/edit",
                          {"body": "Mail jane@example.org", "publish_anyway": "y"})

    assert asked.status_code == 400 and "<mark>jane@example.org</mark>" in asked.get_data(
        as_text=True)
    assert confirmed.status_code == 302
    assert [(f[1], f[2]) for f in _flags(app)] == [(comment_id, "health_data")]


def test_the_api_refuses_until_told_to_publish_anyway(app, client, member):
    with app.app_context():
        _token, secret = api_tokens.create_token(member.id, "A script")
        db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    body = {"title": "Open notes", "description": PHI, "category": "other"}

    refused = client.post("/api/v1/ideas", json=body, headers=headers)
    posted = client.post("/api/v1/ideas", json={**body, "publish_anyway": True},
                         headers=headers)

    assert refused.status_code == 422
    assert "patient's name" in refused.get_json()["error"]["fields"]["description"]
    assert posted.status_code == 201
    assert [(f[0], f[2]) for f in _flags(app)] == [(posted.get_json()["id"], "health_data")]
