"""The caretaker's CSV exports: every idea and every vote, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from ideaboard.extensions import db
from ideaboard.services import comments, votes
from ideaboard.services.export import neutralised
from tests.conftest import get_idea


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_dashboard_links_both_exports(caretaker_client):
    page = caretaker_client.get("/caretaker").get_data(as_text=True)
    assert "Export ideas (CSV)" in page and "Export votes (CSV)" in page


def test_ideas_export_has_votes_comments_status_category_and_dates(
        app, caretaker_client, make_idea, make_user):
    idea_id = make_idea("=HYPERLINK(\"http://evil.example\")", description="x")
    voter = make_user("@Voter")
    with app.app_context():
        votes.cast_vote(voter.id, idea_id)
        comments.add_guest_comment(get_idea(app, idea_id), "V", None, "Hi")
        db.session.commit()
    [row] = _rows(caretaker_client.get("/caretaker/export/ideas.csv"))
    assert row["title"] == "'=HYPERLINK(\"http://evil.example\")"
    assert (row["votes"], row["comments"], row["status"]) == ("1", "1", "open")
    assert row["category"] == "Chat format" and row["created_at"].startswith("20")
    [vote] = _rows(caretaker_client.get("/caretaker/export/votes.csv"))
    assert vote["member"] == "'@Voter" and vote["idea_id"] == str(idea_id)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_run_are_neutralised(text):
    assert neutralised(text) == "'" + text


@pytest.mark.parametrize("value", ["A plain title", "1+1=2", 42, -3, None])
def test_other_cells_are_left_alone(value):
    assert neutralised(value) == value
