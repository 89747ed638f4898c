"""Lighthouse (the npm package, pinned in tests/lighthouse) on the board, an idea page and
/decisions: at least 95 in performance, accessibility, best practices and SEO, in Debian's
Chromium, with the mobile profile Lighthouse uses by default."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from ideaboard.extensions import db
from ideaboard.models import Idea, Status, User
from ideaboard.services import comments, ideas, reviews
from tests.e2e.conftest import CHROMIUM

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LIGHTHOUSE = Path(__file__).parents[1] / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
LEAST = 0.95
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def _scores(url: str) -> dict[str, float]:
    result = subprocess.run(
        [str(LIGHTHOUSE), url, f"--chrome-path={CHROMIUM}", "--output=json", "--quiet",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
         f"--only-categories={','.join(CATEGORIES)}"],
        capture_output=True, text=True, timeout=180, check=True)
    report = json.loads(result.stdout)
    return {name: category["score"] for name, category in report["categories"].items()}


@pytest.fixture
def a_board(app, make_idea, make_user, caretaker) -> int:
    idea_id = make_idea("Invite a CMIO who led an EHR migration",
                        description="Someone who has been through a **go-live**.")
    make_idea("A slower async thread for other time zones")
    with app.app_context():
        actor = db.session.get(User, caretaker.id)
        idea = db.session.get(Idea, idea_id)
        ideas.respond(idea, Status.PLANNED, "Booked for January.", actor)
        comments.add_guest_comment(idea, "Maria", None, "Yes, please!")
        reviews.publish_summary(reviews.start_review(actor), "A CMIO is **on the way**.")
        db.session.commit()
    return idea_id


def test_lighthouse_scores_the_main_pages_95_or_more(live_server, a_board):
    if not LIGHTHOUSE.exists() or not CHROMIUM.exists():
        message = "needs Lighthouse (make lighthouse-deps) and /usr/bin/chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    scores = {path: _scores(live_server + path)
              for path in ("/", f"/ideas/{a_board}", "/decisions")}

    low = {path: {name: score for name, score in found.items() if score < LEAST}
           for path, found in scores.items()}
    assert not any(low.values()), f"below {LEAST:.0%}: {low}; all: {scores}"
