"""/caretaker/reviews: start a review from the caretaker's desk, read it against the one
before, and publish its summary to /decisions."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Review, ReviewEntry
from ideaboard.reviews.forms import SUMMARY_MAX
from ideaboard.services import votes
from tests.conftest import database_snapshot, post_form, sign_in


def _vote(app, voters, idea_id: int) -> None:
    with app.app_context():
        for voter in voters:
            votes.cast_vote(voter.id, idea_id)
        db.session.commit()


def _start(client) -> str:
    response = post_form(client, "/caretaker/reviews")
    assert response.status_code == 302
    return response.headers["Location"]


def test_the_caretaker_starts_reviews_from_the_desk_and_sees_what_moved(
        app, caretaker_client, make_idea, make_user):
    voters = [make_user(f"Voter {n}") for n in range(3)]
    riser, first = make_idea("Invite a CMIO"), make_idea("Monthly AMA")
    _vote(app, voters[:2], first)
    assert 'action="/caretaker/reviews"' in caretaker_client.get("/caretaker").get_data(
        as_text=True)
    earlier = _start(caretaker_client)
    _vote(app, voters, riser)

    page = caretaker_client.get(_start(caretaker_client), follow_redirects=True)

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Review started" in html
    assert f'href="{earlier}"' in html  # compared with the review before
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]
    assert "Invite a CMIO" in rows[0] and "up 1" in rows[0] and "+3" in rows[0]
    assert "Monthly AMA" in rows[1] and "down 1" in rows[1] and "+0" in rows[1]
    assert '<svg class="bar-chart"' in html
    assert 'aria-label="Votes per week, oldest first: 0, 0, 0, 0, 0, 0, 0, 3"' in html
    listing = caretaker_client.get("/caretaker/reviews").get_data(as_text=True)
    assert listing.count("Review of ") == 2 and "no summary yet" in listing


def test_an_idea_new_to_the_top_is_marked_new(app, caretaker_client, make_idea):
    make_idea("Only idea")

    html = caretaker_client.get(_start(caretaker_client)).get_data(as_text=True)

    assert '<span class="move move-new">new</span>' in html
    assert "This is the first review" in html


def test_starting_a_review_needs_the_csrf_token(app, caretaker_client, make_idea):
    make_idea()
    assert caretaker_client.post("/caretaker/reviews").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == 0


def test_the_summary_is_published_on_decisions_sanitised(app, caretaker_client, visitor,
                                                         make_idea):
    make_idea()
    review_url = _start(caretaker_client)

    response = post_form(caretaker_client, f"{review_url}/summary",
                         {"summary": "We heard you: **a CMIO** in January. <script>x()</script>"})

    assert response.status_code == 302
    assert "Summary saved" in caretaker_client.get(review_url).get_data(as_text=True)
    decisions = visitor.get("/decisions").get_data(as_text=True)
    assert "<strong>a CMIO</strong> in January" in decisions
    assert "<script>x()" not in decisions
    post_form(caretaker_client, f"{review_url}/summary", {"summary": ""})
    assert "a CMIO" not in visitor.get("/decisions").get_data(as_text=True)


def test_a_too_long_summary_is_a_field_error_and_changes_nothing(app, caretaker_client,
                                                                  make_idea):
    make_idea()
    review_url = _start(caretaker_client)
    before = database_snapshot(app)

    response = post_form(caretaker_client, f"{review_url}/summary",
                         {"summary": "x" * (SUMMARY_MAX + 1)})

    assert response.status_code == 400
    assert f"under {SUMMARY_MAX:,} characters" in response.get_data(as_text=True)
    assert database_snapshot(app) == before


def test_reviews_are_the_caretakers_alone(app, client, member, make_idea):
    make_idea()
    sign_in(client, member)
    assert client.get("/caretaker/reviews").status_code == 403
    assert post_form(client, "/caretaker/reviews").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReviewEntry)) == 0


def test_an_unknown_review_is_not_found(caretaker_client):
    assert caretaker_client.get("/caretaker/reviews/99").status_code == 404
    assert post_form(caretaker_client, "/caretaker/reviews/99/summary",
                     {"summary": "x"}).status_code == 404
