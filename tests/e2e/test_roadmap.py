"""The roadmap in a real browser: reached from every page's footer, accessible, and its
columns stacked on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ideaboard.extensions import db
from ideaboard.models import Idea, Status, User
from ideaboard.services import ideas
from tests.e2e.conftest import check_page

pytestmark = pytest.mark.e2e


def test_anyone_reads_the_roadmap_on_a_phone(app, page: Page, caretaker, make_idea):
    for title, status in (("Invite a CMIO", Status.PLANNED), ("Monthly AMA", Status.IN_PROGRESS),
                          ("A transcript archive", Status.DONE)):
        idea_id = make_idea(title)
        with app.app_context():
            ideas.respond(db.session.get(Idea, idea_id), status, None,
                          db.session.get(User, caretaker.id))
            db.session.commit()

    page.goto("/")
    page.get_by_role("link", name="Roadmap").click()
    link = page.get_by_role("link", name="Invite a CMIO")
    expect(link).to_be_visible()
    check_page(page, link, page.get_by_role("link", name="A transcript archive"))
    page.set_viewport_size({"width": 390, "height": 800})
    columns = page.locator(".roadmap-column")
    first, second = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    assert second["y"] >= first["y"] + first["height"]  # stacked, not side by side
