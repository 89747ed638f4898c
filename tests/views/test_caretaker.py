"""The caretaker's ranked table, statuses and official responses, and moderation."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Comment, Status, StatusChange
from ideaboard.services import audit, comments, ideas, votes
from tests.conftest import get_idea, post_form


def _table_titles(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', page)


def test_dashboard_ranks_by_votes_with_recent_votes_and_comments(
    app, caretaker_client, make_idea, make_user
):
    quiet = make_idea("Quiet idea")
    loved = make_idea("Loved idea")
    voters = [make_user() for _ in range(4)]
    with app.app_context():
        for voter in voters[:3]:
            votes.cast_vote(voter.id, loved)
        votes.cast_vote(voters[3].id, quiet)
        db.session.commit()
    page = caretaker_client.get("/caretaker").get_data(as_text=True)
    assert _table_titles(page) == ["Loved idea", "Quiet idea"]
    assert "Votes, last 7 days" in page
    new_first = caretaker_client.get("/caretaker?sort=new").get_data(as_text=True)
    assert _table_titles(new_first) == ["Loved idea", "Quiet idea"]


def test_dashboard_lists_hidden_ideas_apart_with_a_restore_button(app, caretaker_client,
                                                                  make_idea):
    idea_id = make_idea("Hidden but listed")
    post_form(caretaker_client, f"/caretaker/ideas/{idea_id}/hide")
    page = caretaker_client.get("/caretaker").get_data(as_text=True)
    ranked, hidden_section = page.split('id="hidden-heading"')
    assert "Hidden but listed" not in ranked
    assert "Hidden but listed" in hidden_section
    assert f'action="/caretaker/ideas/{idea_id}/restore"' in hidden_section


def test_status_and_official_response_show_highlighted(app, caretaker_client, client, make_idea):
    idea_id = make_idea()
    response = post_form(caretaker_client, f"/caretaker/ideas/{idea_id}/status",
                         {"status": "planned", "response": "We'll do it in **May**."})
    assert response.status_code == 302
    idea = get_idea(app, idea_id)
    assert idea.status is Status.PLANNED
    page = app.test_client().get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="official-response"' in page and "<strong>May</strong>" in page


def test_bad_status_is_refused_and_changes_nothing(app, caretaker_client, make_idea):
    idea_id = make_idea()
    response = post_form(caretaker_client, f"/caretaker/ideas/{idea_id}/status",
                         {"status": "shipped", "response": "kept words"})
    assert response.status_code == 400
    assert "kept words" in response.get_data(as_text=True)
    idea = get_idea(app, idea_id)
    assert (idea.status, idea.official_response) == (Status.OPEN, None)


def test_caretaker_sees_the_status_form_and_members_do_not(caretaker_client, make_idea, client):
    idea_id = make_idea()
    page = caretaker_client.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    assert "Official response" in page and "Update status" in page


def test_members_cannot_reach_the_caretaker_desk(app, member_client, make_idea):
    idea_id = make_idea()
    assert member_client.get("/caretaker").status_code == 403
    page = member_client.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    assert "Update status" not in page
    response = post_form(member_client, f"/caretaker/ideas/{idea_id}/status",
                         {"status": "done", "response": ""})
    assert response.status_code == 403
    assert get_idea(app, idea_id).status is Status.OPEN


def test_hide_and_restore_an_idea(app, caretaker_client, make_idea):
    idea_id = make_idea("Moderated idea")
    post_form(caretaker_client, f"/caretaker/ideas/{idea_id}/hide")
    assert "Moderated idea" not in app.test_client().get("/").get_data(as_text=True)
    assert get_idea(app, idea_id).hidden_at is not None
    post_form(caretaker_client, f"/caretaker/ideas/{idea_id}/restore")
    assert "Moderated idea" in app.test_client().get("/").get_data(as_text=True)


def test_hide_and_restore_a_comment_keeps_the_count_right(app, caretaker_client, make_idea):
    idea_id = make_idea()
    with app.app_context():
        comment_id = comments.add_guest_comment(
            get_idea(app, idea_id), "Spammer", None, "Cheap pills").id
        db.session.commit()
    post_form(caretaker_client, f"/caretaker/comments/{comment_id}/hide")
    assert get_idea(app, idea_id).comment_count == 0
    visitor_page = app.test_client().get(f"/ideas/{idea_id}", follow_redirects=True)
    assert "Cheap pills" not in visitor_page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Comment, comment_id) is not None
    post_form(caretaker_client, f"/caretaker/comments/{comment_id}/restore")
    assert get_idea(app, idea_id).comment_count == 1


def test_a_demoted_caretaker_loses_the_desk_on_the_next_request(app, caretaker_client, caretaker):
    from ideaboard.models import Role, User

    assert caretaker_client.get("/caretaker").status_code == 200
    with app.app_context():
        db.session.get(User, caretaker.id).role = Role.MEMBER
        db.session.commit()
    assert caretaker_client.get("/caretaker").status_code == 403


def _set_status(client, idea_id: int, status: str, response: str = ""):
    return post_form(client, f"/caretaker/ideas/{idea_id}/status",
                     {"status": status, "response": response})


def test_needs_a_response_lists_open_unanswered_ideas_oldest_first(app, caretaker_client,
                                                                   make_idea):
    make_idea("Oldest")
    answered, planned = make_idea("Answered"), make_idea("Planned")
    make_idea("Newest")
    _set_status(caretaker_client, answered, "open", "Thanks, we are thinking about it.")
    _set_status(caretaker_client, planned, "planned")
    page = caretaker_client.get("/caretaker?view=needs-response").get_data(as_text=True)
    assert _table_titles(page) == ["Oldest", "Newest"]
    assert 'aria-current="page">Needs a response' in page


def test_needs_a_response_pages_by_age(app, caretaker_client, make_idea):
    app.config["IDEAS_PER_PAGE"] = 2
    for title in ("One", "Two", "Three"):
        make_idea(title)
    first = caretaker_client.get("/caretaker?view=needs-response").get_data(as_text=True)
    assert _table_titles(first) == ["One", "Two"]
    after = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert _table_titles(caretaker_client.get(after).get_data(as_text=True)) == ["Three"]


def test_bulk_status_sets_every_ticked_idea_with_its_response_and_history(
        app, caretaker_client, make_idea, visitor):
    ticked = [make_idea("First"), make_idea("Second")]
    untouched = make_idea("Untouched")
    response = post_form(caretaker_client, "/caretaker/ideas/status?sort=new",
                         {"ideas": [str(i) for i in ticked], "status": "under_review",
                          "response": "We are **looking** into these."})
    assert response.status_code == 302
    assert response.headers["Location"] == "/caretaker?sort=new"
    for idea_id in ticked:
        idea = get_idea(app, idea_id)
        assert idea.status is Status.UNDER_REVIEW
        assert "<strong>looking</strong>" in idea.official_response_html
    assert get_idea(app, untouched).status is Status.OPEN
    page = visitor.get(f"/ideas/{ticked[0]}", follow_redirects=True).get_data(as_text=True)
    history = page.split('id="history-heading"')[1]
    assert "Open" in history and "Under review" in history and "The Caretaker" in history


def test_bulk_status_without_a_response_keeps_each_ideas_own(app, caretaker_client, make_idea):
    answered = make_idea()
    _set_status(caretaker_client, answered, "open", "Our own answer.")
    post_form(caretaker_client, "/caretaker/ideas/status",
              {"ideas": [str(answered)], "status": "planned", "response": ""})
    idea = get_idea(app, answered)
    assert idea.status is Status.PLANNED and idea.official_response == "Our own answer."


def test_bulk_status_refuses_nothing_ticked_or_bad_ids_and_changes_nothing(
        app, caretaker_client, make_idea):
    idea_id = make_idea()
    # "\x1f": the input door's refusal, once put in the field as text, broke the page
    for ticked in ([], ["x"], [str(2**40)], ["0"], ["\x1f"], [str(idea_id), "\x1f"]):
        response = post_form(caretaker_client, "/caretaker/ideas/status",
                             {"ideas": ticked, "status": "done"})
        assert response.status_code == 400
        assert 'class="field-error"' in response.get_data(as_text=True)
    assert get_idea(app, idea_id).status is Status.OPEN


def test_bulk_status_is_all_or_nothing(app, caretaker, make_idea, monkeypatch):
    first, second = make_idea("First"), make_idea("Second")
    calls = []
    real_record = audit.record

    def fail_on_the_second(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(audit, "record", fail_on_the_second)
    with app.app_context():
        with pytest.raises(RuntimeError):
            ideas.respond_to_many([first, second], Status.DONE, "Done.", caretaker)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(StatusChange)) == 0
    assert {get_idea(app, i).status for i in (first, second)} == {Status.OPEN}


def test_the_idea_page_shows_its_status_history_newest_first(app, caretaker_client,
                                                             make_idea, visitor):
    idea_id = make_idea()
    _set_status(caretaker_client, idea_id, "under_review", "Looking at it.")
    _set_status(caretaker_client, idea_id, "planned", "Looking at it.")
    _set_status(caretaker_client, idea_id, "planned", "Set for **June**.")
    page = visitor.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    history = page.split('id="history-heading"')[1].split("</ol>")[0]
    items = history.split("<li>")[1:]
    assert len(items) == 3
    assert "Official response updated" in items[0] and "<strong>June</strong>" in items[0]
    assert "Under review" in items[1] and "Planned" in items[1]
    assert "Looking at it." not in items[1]  # that response came with the first change
    assert "Open" in items[2] and "Looking at it." in items[2]


def test_the_audit_log_lists_status_and_moderation_with_before_and_after(
        app, caretaker_client, make_idea):
    idea_id = make_idea("Invite a payer CMO")
    _set_status(caretaker_client, idea_id, "declined", "Out of scope.")
    post_form(caretaker_client, f"/caretaker/ideas/{idea_id}/hide")
    page = caretaker_client.get("/caretaker/log").get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("</tr>")
    assert "Hide" in rows[0] and "hidden: False" in rows[0] and "hidden: True" in rows[0]
    assert "Open → Declined" in rows[1] and "response: Out of scope." in rows[1]
    assert "The Caretaker" in rows[1] and "Invite a payer CMO" in rows[1]
    only_status = caretaker_client.get("/caretaker/log?kind=status").get_data(as_text=True)
    assert "Open → Declined" in only_status and "hidden: True" not in only_status
    assert caretaker_client.get("/caretaker/log?kind=nonsense").status_code == 400


def test_merge_from_the_idea_page_redirects_the_old_address_and_undo_brings_it_back(
        app, caretaker_client, visitor, make_idea, make_user):
    source = make_idea("Twice a month")
    target = make_idea("Every other week")
    with app.app_context():
        comments.add_guest_comment(get_idea(app, source), "Vera", None, "Love it")
        db.session.commit()
    panel = caretaker_client.get(f"/ideas/{source}", follow_redirects=True).get_data(
        as_text=True)
    assert '<label for="target">Merge into</label>' in panel and ">Merge</button>" not in panel
    assert 'value="Merge"' in panel
    merged = post_form(caretaker_client, f"/caretaker/ideas/{source}/merge",
                       {"target": str(target)})
    assert merged.status_code == 302 and merged.headers["Location"].startswith(
        f"/ideas/{target}-")
    old_address = visitor.get(f"/ideas/{source}-twice-a-month")
    assert old_address.status_code == 302
    assert old_address.headers["Location"] == (
        f"/ideas/{target}-every-other-week#merged-{source}")
    target_page = visitor.get(old_address.headers["Location"]).get_data(as_text=True)
    assert f'id="merged-{source}"' in target_page and "“Twice a month”" in target_page
    assert "From the merged idea “Twice a month”" in target_page and "Love it" in target_page
    assert "Twice a month" not in visitor.get("/").get_data(as_text=True)
    read_only = caretaker_client.get(f"/ideas/{source}", follow_redirects=True).get_data(
        as_text=True)
    assert "This idea is merged into" in read_only and "Undo merge" in read_only
    assert 'name="intent"' not in read_only and "Add a comment" not in read_only
    post_form(caretaker_client, f"/caretaker/ideas/{source}/unmerge")
    back = visitor.get(f"/ideas/{source}", follow_redirects=True).get_data(as_text=True)
    assert "Love it" in back and "Twice a month" in visitor.get("/").get_data(as_text=True)


def test_merge_into_a_missing_or_the_same_idea_re_renders_with_the_reason(
        app, caretaker_client, make_idea):
    idea_id = make_idea("Alone")
    for target, reason in ((str(idea_id + 1000), "No idea has that number."),
                           (str(idea_id), "cannot be merged into itself"),
                           ("", "Please give the number"), ("abc", "Not a valid integer"),
                           ("9" * 40, "No idea has that number."),
                           (str(2**40), "No idea has that number.")):
        response = post_form(caretaker_client, f"/caretaker/ideas/{idea_id}/merge",
                             {"target": target})
        assert response.status_code == 400, target
        assert reason in response.get_data(as_text=True), target
    assert get_idea(app, idea_id).merged_into_id is None


def test_a_merged_idea_cannot_be_restored_instead_of_unmerged(app, caretaker_client,
                                                              make_idea):
    source, target = make_idea("One"), make_idea("Two")
    post_form(caretaker_client, f"/caretaker/ideas/{source}/merge", {"target": str(target)})
    response = post_form(caretaker_client, f"/caretaker/ideas/{source}/restore")
    assert response.status_code == 409 and "undo the merge" in response.get_data(as_text=True)
    assert get_idea(app, source).merged_into_id == target
