"""Browser fixtures: the real app served on a free port, Debian's Chromium driven by
Playwright, and the checks every page must pass (axe, and usable at 390 px wide)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright
from werkzeug.serving import make_server

from tests.servers import serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ("serious", "critical")

_axe = Axe()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app (same database as `app`) served over HTTP; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    with serving(server):
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium; never a downloaded browser."""
    if not CHROMIUM.exists():
        message = "needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server: str) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh browser context (its own cookies) on the live server;
    every context is closed before the server stops."""
    contexts: list[BrowserContext] = []

    def _open(**context_options) -> Page:
        context = browser.new_context(base_url=live_server, viewport=DESKTOP, **context_options)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A page in its own context, 1280x900, on the live server."""
    return new_page()


def assert_accessible(page: Page) -> None:
    """Fail listing every serious or critical axe violation on the page as it is now."""
    results = _axe.run(page)
    problems = [
        f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
        + "\n".join(f"    at {_target(node['target'])}" for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert not problems, f"axe found on {page.url}:\n" + "\n".join(problems)


def _target(target: list) -> str:
    """A node's selector path (nested lists for frames and shadow roots)."""
    return " >> ".join(part if isinstance(part, str) else " ".join(part) for part in target)


# For the failure message: elements reaching past the right edge that no scroll box clips
# (an absolutely positioned element escapes a scroll box that is not itself positioned).
_TOO_WIDE = """width => {
  const clipped = el => {
    if (getComputedStyle(el).position === "absolute") return false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  return Array.from(document.querySelectorAll("body *"))
    .filter(el => el.getBoundingClientRect().right > width && !clipped(el))
    .slice(0, 8)
    .map(el => el.outerHTML.slice(0, 120) + " right=" + el.getBoundingClientRect().right);
}"""


def assert_usable_on_phone(page: Page, *key_controls: Locator) -> None:
    """At 390x844 the page has no horizontal scroll and its key controls are visible."""
    original = page.viewport_size or DESKTOP
    page.set_viewport_size(PHONE)
    try:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= PHONE["width"], (
            f"{page.url} scrolls sideways at {PHONE['width']}px: scrollWidth={scroll_width}; "
            f"too wide: {page.evaluate(_TOO_WIDE, PHONE['width'])}"
        )
        for control in key_controls:
            expect(control).to_be_visible()
            box = control.bounding_box()
            assert box is not None
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
                f"{control} sticks out of the {PHONE['width']}px screen on {page.url}: {box}"
            )
    finally:
        page.set_viewport_size(original)


def check_page(page: Page, *key_controls: Locator) -> None:
    """Both checks every page of the journey must pass (they run scripts: JavaScript on)."""
    assert_accessible(page)
    assert_usable_on_phone(page, *key_controls)
