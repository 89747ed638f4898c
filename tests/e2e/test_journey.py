"""The main journey in a real browser, driven by the names people (and screen readers) see:
sign up, post, vote in place, log out, comment as a visitor, answer as the caretaker."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import check_page

pytestmark = pytest.mark.e2e

UPVOTE = re.compile(r"^Upvote")
SORTS = ("Top", "Trending", "New", "Most discussed")
TITLE = "A monthly AMA with a CMIO"
DESCRIPTION = "Once a month, a **CMIO** answers our questions.\n\n- live\n- recorded"
CATEGORY = "Chat format"
RESPONSE = "We will host the first one in **May**."


def label(page: Page, text: str) -> Locator:
    return page.get_by_label(text, exact=True)


def upvote_button(page: Page) -> Locator:
    return page.get_by_role("button", name=UPVOTE)


def vote_count(button: Locator) -> int:
    """The only number in the vote form's text."""
    form = button.locator("xpath=ancestor::form[1]")
    numbers = re.findall(r"\d+", form.inner_text())
    assert len(numbers) == 1, f"expected one number in the vote form, got {numbers}"
    return int(numbers[0])


def account_nav(page: Page) -> Locator:
    """The header's account navigation: Sign up, Log in, New idea, Log out."""
    return page.get_by_role("navigation", name="Account")


def sort_links(page: Page) -> list[Locator]:
    return [page.get_by_role("link", name=name, exact=True) for name in SORTS]


def log_in(page: Page, email: str, *, check: bool = True) -> None:
    """Log in through /login (checking the page unless scripts are off)."""
    page.goto("/login")
    button = page.get_by_role("button", name="Log in")
    if check:
        check_page(page, label(page, "Email"), label(page, "Password"), button)
    label(page, "Email").fill(email)
    label(page, "Password").fill(PASSWORD)
    button.click()
    expect(account_nav(page).get_by_role("button", name="Log out")).to_be_visible()


def sign_up_from_the_board(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    sign_up_link = account_nav(page).get_by_role("link", name="Sign up")
    check_page(page, *sort_links(page), sign_up_link,
               account_nav(page).get_by_role("link", name="Log in"))

    sign_up_link.click()
    expect(page).to_have_url(re.compile(r"/signup$"))
    button = page.get_by_role("button", name="Sign up")
    check_page(page, label(page, "Display name"), label(page, "Email"),
               label(page, "Password"), button)
    label(page, "Display name").fill("Ana Member")
    label(page, "Email").fill("ana@example.org")
    label(page, "Password").fill("a long enough password")
    button.click()
    expect(page.get_by_role("status")).to_contain_text("Welcome, Ana Member")


def post_idea(page: Page) -> str:
    """Post the idea from the header's New idea link; returns the idea page's URL."""
    account_nav(page).get_by_role("link", name="New idea").click()
    button = page.get_by_role("button", name="Post idea")
    check_page(page, label(page, "Title"), label(page, "Description"),
               label(page, "Category"), button)
    label(page, "Title").fill(TITLE)
    label(page, "Description").fill(DESCRIPTION)
    label(page, "Category").select_option(label=CATEGORY)
    button.click()

    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    description = page.locator(".prose").first
    expect(description.locator("strong", has_text="CMIO")).to_be_visible()
    expect(description.get_by_role("listitem")).to_have_text(["live", "recorded"])
    return page.url


def upvote_in_place(page: Page) -> None:
    """With JavaScript on, Upvote updates the button without leaving the page."""
    upvote = upvote_button(page)
    check_page(page, upvote, account_nav(page).get_by_role("button", name="Log out"))
    expect(upvote).to_have_attribute("aria-pressed", "false")
    assert vote_count(upvote) == 0
    url = page.url
    page.evaluate("window.__stillTheSamePage = true")

    upvote.click()

    expect(upvote).to_have_attribute("aria-pressed", "true")
    expect(upvote).to_contain_text("1")
    assert vote_count(upvote) == 1
    assert page.url == url
    assert page.evaluate("window.__stillTheSamePage") is True


def board_shows_my_vote_then_log_out(page: Page) -> None:
    page.goto("/")
    row_vote = upvote_button(page)
    check_page(page, *sort_links(page), row_vote, page.get_by_role("link", name=TITLE))
    expect(row_vote).to_have_attribute("aria-pressed", "true")
    assert vote_count(row_vote) == 1

    account_nav(page).get_by_role("button", name="Log out").click()
    expect(account_nav(page).get_by_role("link", name="Log in")).to_be_visible()
    expect(account_nav(page).get_by_role("button", name="Log out")).to_have_count(0)


def comment_as_visitor(visitor: Page, idea_url: str) -> None:
    visitor.goto(idea_url)
    button = visitor.get_by_role("button", name="Post comment")
    check_page(visitor, label(visitor, "Name"), label(visitor, "Comment"), button,
               upvote_button(visitor))
    label(visitor, "Name").fill("Visiting Vera")
    label(visitor, "Comment").fill("Yes please, *monthly* is perfect.")
    button.click()

    comment = visitor.get_by_role("listitem").filter(has_text="Visiting Vera")
    expect(comment).to_contain_text("Yes please, monthly is perfect.")
    expect(comment.locator("em", has_text="monthly")).to_be_visible()
    expect(visitor.get_by_role("heading", name="1 comment", exact=True)).to_be_visible()


def caretaker_sees_it_ranked(desk: Page) -> None:
    """The idea is first in the caretaker's table, with 1 vote and 1 comment."""
    desk.goto("/caretaker")
    table = desk.get_by_role("table")
    idea_link = table.get_by_role("link", name=TITLE)
    check_page(desk, *sort_links(desk), idea_link)
    rows = table.locator("tbody").get_by_role("row")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("rowheader")).to_contain_text(TITLE)
    headers = table.get_by_role("columnheader").all_inner_texts()
    cells = rows.first.get_by_role("cell").all_inner_texts()
    columns = dict(zip(headers[1:], cells, strict=True))  # headers[0] heads the row header
    assert columns["Votes"] == "1", columns
    assert columns["Comments"] == "1", columns
    idea_link.click()


def caretaker_answers(desk: Page) -> None:
    status = label(desk, "Status")
    response = label(desk, "Official response")
    button = desk.get_by_role("button", name="Update status")
    check_page(desk, status, response, button)
    status.select_option(label="Planned")
    response.fill(RESPONSE)
    button.click()
    assert_answer_shown(desk)


def assert_answer_shown(page: Page) -> None:
    answer = page.get_by_role("region", name="Official response")
    expect(answer).to_contain_text("We will host the first one in May.")
    expect(answer).to_contain_text("Planned")
    expect(answer.locator("strong", has_text="May")).to_be_visible()


def test_member_visitor_and_caretaker_journey(
    page: Page, new_page: Callable[..., Page], caretaker
) -> None:
    sign_up_from_the_board(page)
    idea_url = post_idea(page)
    upvote_in_place(page)
    board_shows_my_vote_then_log_out(page)

    comment_as_visitor(new_page(), idea_url)

    desk = new_page()
    log_in(desk, caretaker.email)
    caretaker_sees_it_ranked(desk)
    caretaker_answers(desk)

    everyone = new_page()
    everyone.goto(idea_url)
    assert_answer_shown(everyone)


def test_voting_works_without_javascript(new_page: Callable[..., Page], make_idea, member) -> None:
    """With scripts off the Upvote form posts, and the reloaded page shows the vote."""
    make_idea(title=TITLE)
    page = new_page(java_script_enabled=False)
    log_in(page, member.email, check=False)  # axe and the width check need scripts

    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    idea_url = page.url
    upvote = upvote_button(page)
    expect(upvote).to_have_attribute("aria-pressed", "false")
    assert vote_count(upvote) == 0

    with page.expect_navigation():
        upvote.click()

    expect(page).to_have_url(idea_url)
    upvote = upvote_button(page)
    expect(upvote).to_have_attribute("aria-pressed", "true")
    assert vote_count(upvote) == 1
