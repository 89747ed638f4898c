"""Search in a real browser: from the box in every page's header to highlighted results,
and similar ideas listed (through the API) while a new idea's title is typed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import check_page
from tests.e2e.test_journey import label, log_in

pytestmark = pytest.mark.e2e


def test_search_from_the_header_highlights_matches(page: Page, make_idea):
    make_idea("Interoperability office hours", description="Bring your FHIR questions.")
    make_idea("A caregivers' chat")
    page.goto("/")

    page.get_by_role("search").get_by_label("Search ideas").fill("interop")
    page.get_by_role("search").get_by_role("button", name="Search").click()

    result = page.get_by_role("link", name="Interoperability office hours")
    expect(result).to_be_visible()
    expect(result.locator("mark")).to_have_text("Interoperability")
    expect(page.get_by_role("link", name="A caregivers' chat")).to_have_count(0)
    check_page(page, page.get_by_label("Words to find in titles, descriptions and comments"))


def test_similar_ideas_appear_while_a_title_is_typed(page: Page, make_idea, member):
    make_idea("Telehealth for rural clinics")
    make_idea("Genomics and the EHR")
    log_in(page, member.email, check=False)
    page.goto("/ideas/new")

    label(page, "Title").press_sequentially("Rural telehealth", delay=20)

    similar = page.get_by_role("region", name="Similar ideas already on the board")
    expect(similar.get_by_role("link", name="Telehealth for rural clinics")).to_be_visible()
    expect(similar.get_by_role("listitem")).to_have_text(
        "Telehealth for rural clinics (0 votes, Open)")
    expect(similar.get_by_role("link", name="Genomics and the EHR")).to_have_count(0)
    check_page(page, label(page, "Title"))

    label(page, "Title").fill("")
    label(page, "Title").press_sequentially("zz", delay=20)  # too short to ask
    expect(similar).to_be_hidden()
