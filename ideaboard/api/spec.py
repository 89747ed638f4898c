"""The API's OpenAPI 3.1 description, written here by hand beside the views it describes.

The request bodies' schemas are the ones the views validate against (views.read_body), and
tests/api/test_spec.py fails when a route is missing from `paths` or `paths` names one that
is not there, so the description cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from ideaboard.caretaker.forms import RESPONSE_MAX
from ideaboard.ideas.forms import COMMENT_MAX, DESCRIPTION_MAX, TITLE_MAX
from ideaboard.inputs import ID_MAX
from ideaboard.models import Role, Status
from ideaboard.services.ranking import Sort

MAX_LIMIT = 100
STATUSES = [status.value for status in Status]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(required: list[str] | None = None, **properties: Any) -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties,
                              "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def _text(description: str, max_length: int, min_length: int = 0,
          one_line: bool = False) -> dict:
    schema: dict[str, Any] = {"type": "string", "description": description,
                              "maxLength": max_length}
    if min_length:
        schema["minLength"] = min_length
    # What the input door (inputs.py) refuses: control characters, but for line breaks and
    # tabs in multi-line text.
    schema["pattern"] = (r"^[^\x00-\x1f\x7f-\x9f\ue000]*$" if one_line
                         else r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000]*$")
    return schema


_ID = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
_VOTES = {"type": ["integer", "null"], "minimum": 0,
          "description": "null while only the caretaker sees it: a host nomination whose "
                         "nominee has not answered yet."}
_PUBLISH_ANYWAY = {
    "type": "boolean", "default": False,
    "description": "Text that looks like someone's personal health information (a record "
                   "number, a date of birth, a phone number, an email address, a patient's "
                   "name) is refused with 422 naming what was found; send it again with "
                   "`true` to publish it anyway, flagged for the caretaker."}
_TIME = {"type": "string", "format": "date-time"}
_CURSOR = {"type": ["string", "null"],
           "description": "Pass as `cursor` to get the next page; null on the last page."}

SCHEMAS: dict[str, dict] = {
    "Error": _object(["error"], error=_object(
        ["code", "message", "fields"],
        code={"type": "string", "examples": ["not_found", "unprocessable_entity"]},
        message={"type": "string"},
        fields={"type": "object", "additionalProperties": {"type": "string"},
                "description": "For a refused body or parameter: what is wrong with each."})),
    "Category": _object(["id", "name", "slug"], id=_ID, name={"type": "string"},
                        slug={"type": "string"}),
    "Idea": _object(
        ["id", "title", "body_html", "category", "status", "votes", "comments", "author",
         "created_at", "updated_at", "official_response", "url"],
        id=_ID, title={"type": "string"},
        body_html={"type": "string", "description": "The description, as sanitized HTML."},
        category=_ref("Category"), status={"enum": STATUSES},
        votes=_VOTES, comments={"type": "integer", "minimum": 0},
        author=_object(["name"], name={"type": "string"}),
        created_at=_TIME, updated_at=_TIME,
        official_response={"oneOf": [{"type": "null"}, _object(
            ["body_html", "responded_at"], body_html={"type": "string"},
            responded_at=_TIME)]},
        url={"type": "string", "format": "uri"},
        voted={"type": "boolean",
               "description": "Whether the caller voted for it: only for a member."}),
    "IdeaList": _object(["ideas", "next_cursor"], ideas={"type": "array", "items": _ref("Idea")},
                        next_cursor=_CURSOR),
    "Comment": _object(
        ["id", "parent_id", "body_html", "author", "created_at", "edited_at", "held", "url"],
        id=_ID,
        parent_id={"oneOf": [{"type": "null"}, _ID],
                   "description": "The comment this one replies to (null: not a reply)."},
        body_html={"type": "string"},
        author=_object(["name", "member"], name={"type": "string"},
                       member={"type": "boolean"}),
        created_at=_TIME,
        edited_at={"oneOf": [{"type": "null"}, _TIME],
                   "description": "When its author last edited it, if they did."},
        held={"type": "boolean",
              "description": "Waiting for the caretaker's approval (a visitor's comment on a "
                             "moderated board): not shown until approved."},
        url={"type": "string", "format": "uri"}),
    "CommentList": _object(["comments", "next_cursor"],
                           comments={"type": "array", "items": _ref("Comment")},
                           next_cursor=_CURSOR),
    "CategoryList": _object(["categories"],
                            categories={"type": "array", "items": _ref("Category")}),
    "Me": _object(["id", "name", "role", "suspended"], id=_ID, name={"type": "string"},
                  role={"enum": [role.value for role in Role]}, suspended={"type": "boolean"}),
    "VoteState": _object(["votes", "voted"], votes=_VOTES,
                         voted={"type": "boolean"}),
    "NewIdea": _object(
        ["title", "description", "category"],
        title=_text("5 to 140 characters, one line.", TITLE_MAX, 5, one_line=True),
        description=_text("Markdown.", DESCRIPTION_MAX, 1),
        category={"oneOf": [{"type": "string", "description": "The category's slug.",
                             "examples": ["chat-format", "host-to-invite"]},
                            {**_ID, "description": "The category's id."}]},
        publish_anyway=_PUBLISH_ANYWAY),
    "IdeaChanges": {
        **_object(
            title=_text("The author's, while the idea is on the board.", TITLE_MAX, 5,
                        one_line=True),
            description=_text("The author's: Markdown.", DESCRIPTION_MAX, 1),
            category={"oneOf": [{"type": "string"}, _ID],
                      "description": "The author's: the category's slug or id."},
            status={"enum": STATUSES, "description": "The caretaker's."},
            response=_text("The caretaker's official response (Markdown); empty removes "
                           "it.", RESPONSE_MAX),
            publish_anyway=_PUBLISH_ANYWAY),
        "minProperties": 1},
    "NewComment": _object(
        ["body"], body=_text("Markdown.", COMMENT_MAX, 1),
        name=_text("A visitor's name, shown with the comment (members: leave out).", 50, 1,
                   one_line=True),
        email=_text("A visitor's email, never shown (optional).", 254),
        parent_id={**_ID, "description": "To reply to a comment of this idea: its id. A "
                                          "reply to a reply goes under the same comment "
                                          "(threads are one level deep)."},
        publish_anyway=_PUBLISH_ANYWAY),
}

_PARAMETERS = {
    "sort": {"name": "sort", "in": "query", "schema": {"enum": [s.value for s in Sort],
                                                       "default": "top"}},
    "status": {"name": "status", "in": "query",
               "description": "Only ideas with this status (empty: every status).",
               "schema": {"enum": ["", *STATUSES]}},
    "category": {"name": "category", "in": "query",
                 "description": "Only ideas in the category with this slug (404 if there is "
                                "none; empty: every category).",
                 "schema": {"type": "string"}},
    "limit": {"name": "limit", "in": "query",
              "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 20}},
    "q": {"name": "q", "in": "query",
          "description": "Words to search for in titles, descriptions and comments: every "
                         "word must match, each as a prefix; the most relevant ideas come "
                         "first (and `sort` is not used).",
          "schema": {"type": "string", "maxLength": 200}},
    "match": {"name": "match", "in": "query",
              "description": "With `q`: `all` of its words must match, or `any` of them "
                             "(the ideas similar to a title being typed).",
              "schema": {"enum": ["all", "any"], "default": "all"}},
    "cursor": {"name": "cursor", "in": "query",
               "description": "The `next_cursor` of the page before.",
               "schema": {"type": "string"}},
    "idea_id": {"name": "idea_id", "in": "path", "required": True, "schema": _ID},
}

_PUBLIC = [{}, {"bearerAuth": []}]  # anyone; a member's token adds what is theirs
_MEMBERS = [{"bearerAuth": []}]


def _json(schema_name: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": _ref(schema_name)}}}


_ERRORS = {
    400: "The request is malformed: a parameter, the JSON, or characters that cannot be "
         "accepted.",
    401: "A member's token is needed, or the one sent is not valid.",
    403: "Not allowed for this member.",
    404: "No such idea (or it is not on the board).",
    413: "The body is too large.",
    415: "The body is not JSON (`Content-Type: application/json`).",
    422: "The body is JSON but not valid here: see `fields`.",
    429: "Too many requests: wait for the Retry-After seconds.",
}


def _operation(operation_id: str, summary: str, description: str, security: list, ok: dict,
               errors: tuple[int, ...], parameters: tuple[str, ...] = (),
               body: str | None = None) -> dict:
    operation: dict[str, Any] = {
        "operationId": operation_id, "summary": summary, "description": description,
        "security": security,
        "responses": {**ok, **{str(code): _json("Error", _ERRORS[code]) for code in errors}},
    }
    if parameters:
        operation["parameters"] = [_PARAMETERS[name] for name in parameters]
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": _ref(body)}}}
    return operation


_READ, _WRITE = (400,), (400, 401, 403, 404, 413, 415, 422, 429)
# What a client can do next with the idea it posted (and schemathesis follows, statefully).
_IDEA_LINKS = {
    operation: {"operationId": operation, "parameters": {"idea_id": "$response.body#/id"}}
    for operation in ("getIdea", "changeIdea", "vote", "unvote", "listComments",
                      "postComment")}

PATHS: dict[str, dict] = {
    "/api/v1/ideas": {
        "get": _operation(
            "listIdeas", "List ideas", "Ranked, filtered and paged like the board. Keyset pages: a "
            "cursor stays right while ideas are added or voted for.", _PUBLIC,
            {"200": _json("IdeaList", "A page of ideas.")}, (*_READ, 401, 404),
            ("sort", "status", "category", "q", "match", "limit", "cursor")),
        "post": _operation(
            "postIdea", "Post an idea", "As a member: it goes on the board at once.", _MEMBERS,
            {"201": {**_json("Idea", "The new idea (its address in Location)."),
                     "links": _IDEA_LINKS}},
            tuple(code for code in _WRITE if code != 404), body="NewIdea"),
    },
    "/api/v1/ideas/{idea_id}": {
        "get": _operation("getIdea", "An idea", "", _PUBLIC, {"200": _json("Idea", "The idea.")},
                          (*_READ, 401, 404), ("idea_id",)),
        "patch": _operation(
            "changeIdea", "Change an idea",
            "The author changes the title, description and category while the idea is on "
            "the board; the caretaker sets the status and the official response.", _MEMBERS,
            {"200": _json("Idea", "The idea as changed.")}, _WRITE,
            ("idea_id",), body="IdeaChanges"),
    },
    "/api/v1/ideas/{idea_id}/vote": {
        "put": _operation("vote", "Vote for an idea", "Idempotent: voting twice counts once.",
                          _MEMBERS, {"200": _json("VoteState", "The vote as it now is.")},
                          (400, 401, 403, 404, 429), ("idea_id",)),
        "delete": _operation("unvote", "Take back a vote", "Idempotent.", _MEMBERS,
                             {"200": _json("VoteState", "The vote as it now is.")},
                             (400, 401, 403, 404, 429), ("idea_id",)),
    },
    "/api/v1/ideas/{idea_id}/comments": {
        "get": _operation("listComments", "An idea's comments", "Oldest first, 50 a page.", _PUBLIC,
                          {"200": _json("CommentList", "A page of comments.")},
                          (*_READ, 401, 404), ("idea_id", "cursor")),
        "post": _operation(
            "postComment", "Comment on an idea",
            "A member with their token; a visitor, without one, gives a `name` (and may give "
            "an email, never shown) when the board takes visitors' comments. On a moderated "
            "board a visitor's comment waits for the caretaker (`held`).", _PUBLIC,
            {"201": _json("Comment", "The comment.")}, _WRITE, ("idea_id",),
            body="NewComment"),
    },
    "/api/v1/categories": {
        "get": _operation("listCategories", "Categories", "In the board's order.", _PUBLIC,
                          {"200": _json("CategoryList", "Every category.")}, (*_READ, 401)),
    },
    "/api/v1/me": {
        "get": _operation("me", "Who the token belongs to", "", _MEMBERS,
                          {"200": _json("Me", "The member.")}, (*_READ, 401)),
    },
    "/api/v1/openapi.json": {
        "get": {"operationId": "openapi", "summary": "This description", "security": [{}],
                "responses": {
            "200": {"description": "OpenAPI 3.1",
                    "content": {"application/json": {"schema": {"type": "object"}}}},
            "400": _json("Error", _ERRORS[400])}},
    },
}

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Ideaboard API", "version": "1",
        "description": "Read the board's ideas, post and vote as a member. Send a personal "
                       "token (create one on your account page) as "
                       "`Authorization: Bearer <token>`. Every error is JSON: "
                       "`{\"error\": {\"code\", \"message\", \"fields\"}}`.",
    },
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                           "description": "A personal API token."}},
    },
}

