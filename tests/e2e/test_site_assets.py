"""Every page names its icon, web manifest and a description, and a browser fetching
them meets no missing file and logs no error."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.e2e


def test_pages_load_their_icon_and_manifest_without_a_missing_file(page: Page, make_idea):
    idea_id = make_idea("Invite a CMIO", description="Once a month, a CMIO answers questions.")
    failed, errors = [], []
    page.on("response", lambda response: failed.append(response.url)
            if response.status >= 400 else None)
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)

    for path in ("/", f"/ideas/{idea_id}", "/chats", "/decisions", "/roadmap"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        icon = page.locator('link[rel="icon"]').get_attribute("href")
        manifest = page.locator('link[rel="manifest"]').get_attribute("href")
        assert page.request.get(icon).ok and page.request.get(manifest).ok
    assert page.locator('meta[name="description"]').get_attribute("content") == (
        "Ideaboard: the #HITsm community decides together what comes next.")
    page.goto(f"/ideas/{idea_id}")
    assert page.locator('meta[name="description"]').get_attribute("content") == (
        "Once a month, a CMIO answers questions.")
    manifest = page.request.get("/static/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert manifest.json()["icons"][0]["src"] == "/static/favicon.svg"
    assert failed == [] and errors == []
