"""Search, on whichever database the suite runs on: relevance, prefixes, filters, and an
index that stays in step with every change to ideas and comments."""

from __future__ import annotations

import pytest

from ideaboard.extensions import db
from ideaboard.models import Comment, Idea, Status
from ideaboard.services import comments, ideas, merging, search
from ideaboard.services.categories import by_slug
from ideaboard.services.ranking import Filters


def _found(query: str, filters: Filters | None = None) -> list[str]:
    return [hit.idea.title for hit in search.search(query, filters or Filters()).hits]


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_a_title_match_ranks_above_a_description_or_comment_match(app, ctx, make_idea):
    in_comment = make_idea("Monthly chat about patients")
    make_idea("A rural meetup", description="Talk about telehealth in rural areas.")
    make_idea("Telehealth chat with a CMIO")
    comments.add_guest_comment(db.session.get(Idea, in_comment), "G", None, "telehealth too")
    db.session.commit()

    assert _found("telehealth") == ["Telehealth chat with a CMIO", "A rural meetup",
                                     "Monthly chat about patients"]


def test_every_word_must_match_and_each_is_a_prefix(app, ctx, make_idea):
    make_idea("Interoperability deep dive", description="FHIR and HL7 in practice")
    make_idea("Interoperability for patients", description="Apps, portals")

    assert _found("interop") == ["Interoperability for patients", "Interoperability deep dive"]
    assert _found("interop fhir") == ["Interoperability deep dive"]
    assert _found("INTEROP  FHIR!") == ["Interoperability deep dive"]
    assert _found("meeting interop") == []  # every word must match


def test_a_word_being_typed_finds_the_whole_word(app, ctx, make_idea):
    """Prefixes of words as written, not of stems: English stemming indexes "useful" as
    "use", which "usef" (typed on the way to "useful") would not find."""
    make_idea("Weekly meetings for caregivers", description="A useful hour")
    for typed in ("meetin", "meeting", "caregiver", "usef", "useful"):
        assert _found(typed) == ["Weekly meetings for caregivers"], typed
    assert _found("meetingz") == []


@pytest.mark.parametrize("query", ["the", "and of the", "!!!", "  ", "'\"*:&|()", "_ _"])
def test_stop_words_and_punctuation_find_nothing_without_an_error(app, ctx, make_idea, query):
    make_idea("The best chat of the year")
    page = search.search(query, Filters())
    assert page.hits == [] and not page.has_more


def test_query_syntax_is_taken_as_words(app, ctx, make_idea):
    """Nothing the user types reaches the engine as syntax (FTS5 or tsquery operators)."""
    make_idea("Chat OR meetup NEAR patients")
    for query in ('chat" OR "x', "chat:* | x", "NEAR(chat patients)", "chat* -x", "^chat"):
        search.search(query, Filters())  # no error
    assert _found('"chat"') == ["Chat OR meetup NEAR patients"]


def test_filters_apply(app, ctx, make_idea, caretaker):
    planned = make_idea("Telehealth planned")
    make_idea("Telehealth open", category=by_slug("other").id)
    ideas.respond(db.session.get(Idea, planned), Status.PLANNED, None, caretaker)
    db.session.commit()

    assert _found("telehealth", Filters(status=Status.PLANNED)) == ["Telehealth planned"]
    assert _found("telehealth", Filters(category_id=by_slug("other").id)) == ["Telehealth open"]


def test_matches_are_highlighted_and_everything_else_escaped(app, ctx, make_idea):
    make_idea("<b>Telehealth</b> & <script>x</script>", description="Why telehealth matters")
    [hit] = search.search("telehealth", Filters()).hits

    assert "<b>" not in hit.title_html and "<script>" not in hit.title_html
    assert "&lt;b&gt;<mark>Telehealth</mark>&lt;/b&gt; &amp; &lt;script&gt;" in hit.title_html
    assert "<mark>telehealth</mark>" in hit.excerpt_html


def test_pages(app, ctx, make_idea):
    for n in range(search.PER_PAGE + 1):
        make_idea(f"Telehealth idea number {n}")
    first = search.search("telehealth", Filters())
    second = search.search("telehealth", Filters(), page=2)
    assert len(first.hits) == search.PER_PAGE and first.has_more
    assert len(second.hits) == 1 and not second.has_more
    assert {h.idea.id for h in first.hits}.isdisjoint(h.idea.id for h in second.hits)


def test_the_index_follows_edits_hiding_withdrawing_and_deleting(app, ctx, make_idea, caretaker):
    idea_id = make_idea("Telehealth office hours")
    idea = db.session.get(Idea, idea_id)

    ideas.edit_idea(idea, "Genomics office hours", idea.description, idea.category_id)
    db.session.commit()
    assert _found("telehealth") == [] and _found("genomics") == ["Genomics office hours"]

    ideas.set_idea_hidden(idea, True, caretaker)
    db.session.commit()
    assert _found("genomics") == []
    ideas.set_idea_hidden(idea, False, caretaker)
    db.session.commit()
    assert _found("genomics") == ["Genomics office hours"]

    ideas.withdraw_idea(idea)
    db.session.commit()
    assert _found("genomics") == []

    db.session.delete(idea)
    db.session.commit()
    assert search.search("genomics", Filters()).hits == []


def test_the_index_follows_comments_posted_hidden_held_and_deleted(app, ctx, make_idea,
                                                                    caretaker):
    idea = db.session.get(Idea, make_idea("A chat idea"))
    comment = comments.add_guest_comment(idea, "G", None, "Invite a radiologist")
    held = comments.add_guest_comment(idea, "G", None, "Invite a pharmacist", held=True)
    db.session.commit()
    assert _found("radiologist") == ["A chat idea"]
    assert _found("pharmacist") == []  # waiting for approval: not public yet

    comments.approve(held, caretaker)
    comments.set_comment_hidden(comment, True, caretaker)
    db.session.commit()
    assert _found("pharmacist") == ["A chat idea"] and _found("radiologist") == []

    comments.delete_as_spam(db.session.get(Comment, held.id), caretaker)
    db.session.commit()
    assert _found("pharmacist") == []


def test_the_index_follows_a_merge_and_its_undoing(app, ctx, make_idea, caretaker):
    source = db.session.get(Idea, make_idea("Radiology chat"))
    target = db.session.get(Idea, make_idea("Imaging chat"))
    comments.add_guest_comment(source, "G", None, "Ask about PACS")
    db.session.commit()

    merging.merge(source, target, caretaker)
    db.session.commit()
    assert _found("pacs") == ["Imaging chat"]  # the comment moved; the source is hidden

    merging.undo(source, caretaker)
    db.session.commit()
    assert _found("pacs") == ["Radiology chat"]


def test_any_word_is_enough_for_similar_ideas(app, ctx, make_idea):
    make_idea("Telehealth in rural areas")
    make_idea("Rural broadband and chats")
    make_idea("Genomics")

    def similar(typed: str) -> list[str]:
        return [hit.idea.title for hit in
                search.search(typed, Filters(), every_word=False).hits]

    # The idea sharing two words ranks above the one sharing one.
    assert similar("telehealth for rural clinics") == ["Telehealth in rural areas",
                                                       "Rural broadband and chats"]
    assert similar("the and of") == []


def test_a_query_matching_more_than_the_candidates_ranks_the_newest(app, ctx, make_idea,
                                                                   monkeypatch):
    monkeypatch.setattr(search, "MAX_CANDIDATES", 3)
    other = by_slug("other").id
    make_idea("Telehealth telehealth, all about telehealth", category=other)  # oldest
    for n in range(4):
        make_idea(f"Idea {n} mentions telehealth")

    assert _found("telehealth") == ["Idea 3 mentions telehealth", "Idea 2 mentions telehealth",
                                    "Idea 1 mentions telehealth"]
    # Narrowing the search (the candidates are counted within the filters) reaches it.
    assert _found("telehealth", Filters(category_id=other)) == [
        "Telehealth telehealth, all about telehealth"]


def test_the_excerpt_is_the_passage_around_the_first_match(app, ctx, make_idea):
    make_idea("A long one", description="Lorem ipsum dolor sit amet. " * 20
              + "Then **telehealth** and [a link](https://example.org) to it. " + "Ending. " * 30)
    [hit] = search.search("telehealth", Filters()).hits
    assert hit.excerpt_html.startswith("…") and hit.excerpt_html.endswith("…")
    assert "Then <mark>telehealth</mark> and a link to it." in hit.excerpt_html
    assert len(str(hit.excerpt_html)) < search.EXCERPT_LENGTH + 40
