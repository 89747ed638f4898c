"""Template helpers: dates and URLs written the same way by the fast helpers as by the
filters and url_for."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ideaboard.services.categories import slugify
from ideaboard.templating import (
    category_url,
    full_date,
    idea_url,
    iso,
    time_ago,
    url_for_id,
    when,
)

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                       timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))]))


@given(moment=moments)
def test_when_writes_the_moment_as_iso_full_date_and_time_ago_do(moment):
    expected = (f'<time datetime="{iso(moment)}" title="{full_date(moment)}">'
                f"{time_ago(moment)}</time>")
    assert str(when(moment)) == expected


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(idea_id=st.integers(min_value=1, max_value=2**63 - 1), title=st.text(max_size=60))
def test_idea_and_row_urls_are_what_url_for_builds(app, idea_id, title):
    idea = SimpleNamespace(id=idea_id, title=title)
    for script_root in ("", "/board"):
        with app.test_request_context("/", base_url=f"http://localhost{script_root}"):
            assert idea_url(idea) == url_for("ideas.show", idea_id=idea_id,
                                             slug=slugify(title) or None)
            assert idea_url(idea, _anchor="c") == url_for(
                "ideas.show", idea_id=idea_id, slug=slugify(title) or None, _anchor="c")
            for endpoint, name in (("ideas.vote", "idea_id"), ("ideas.show", "idea_id"),
                                   ("ideas.flag_comment", "comment_id")):
                assert url_for_id(endpoint, idea_id) == url_for(endpoint, **{name: idea_id})
            assert category_url("a-b") == url_for("board.index", category="a-b")


def test_no_page_title_holds_markup():
    """A title is text: markup in one ends up in the <title> and the share cards' meta."""
    templates = Path(__file__).parents[1] / "templates"
    for template in templates.rglob("*.html"):
        for title in re.findall(r"{% block title %}(.*?){% endblock %}",
                                template.read_text(), re.S):
            assert "<" not in title, f"{template}: {title[:80]}"
