"""API tokens on the account page: made and shown once, named, listed, revoked; CSRF on
every form; a suspended member may revoke but not create."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import ApiToken, User, utcnow
from ideaboard.services import api_tokens
from tests.conftest import post_form, sign_in

_SHOWN_TOKEN = re.compile(r'<code class="secret"[^>]*>(ib_[A-Za-z0-9_-]+)</code>')


def _token_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ApiToken))


def _create(app, user_id: int, name: str = "Nightly export") -> tuple[int, str]:
    with app.app_context():
        row, token = api_tokens.create_token(user_id, name)
        db.session.commit()
        return row.id, token


def test_a_new_token_is_shown_once_and_works(app, client, member):
    sign_in(client, member)
    response = post_form(client, "/account/tokens", {"name": "  Nightly   export "})
    page = response.get_data(as_text=True)
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    [token] = _SHOWN_TOKEN.findall(page)
    assert "Copy it now: it will not be shown again." in page
    assert "Your new token “Nightly export”" in page
    with app.app_context():
        assert api_tokens.holder_of(token).user_id == member.id

    again = client.get("/account").get_data(as_text=True)
    assert token not in again and "Copy it now" not in again
    assert _last_used_cell(again, "Nightly export").startswith("<time")  # just used above


def test_the_account_page_shows_when_a_token_was_last_used(app, client, member):
    _create(app, member.id)
    _token_id, token = _create(app, member.id, "Used one")
    with app.app_context():
        api_tokens.holder_of(token)
    sign_in(client, member)
    page = client.get("/account").get_data(as_text=True)
    assert _last_used_cell(page, "Used one").startswith("<time datetime=")
    assert _last_used_cell(page, "Nightly export") == "never"


def _last_used_cell(page: str, name: str) -> str:
    row = re.search(rf'<th scope="row">{name}</th>\s*<td>.*?</td>\s*<td>(.*?)</td>', page,
                    re.DOTALL)
    return row.group(1).strip()


def test_a_bad_name_rerenders_with_the_field_error_and_writes_nothing(app, client, member):
    sign_in(client, member)
    for name, error in [("", "Please name the token"), ("x" * 61, "under 61 characters"),
                        ("two\nlines", "on one line")]:
        response = post_form(client, "/account/tokens", {"name": name})
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert error in page and 'aria-invalid="true"' in page
        assert not _SHOWN_TOKEN.search(page)
    assert f'value="{"x" * 61}"' in post_form(client, "/account/tokens",
                                              {"name": "x" * 61}).get_data(as_text=True)
    assert _token_count(app) == 0


def test_too_many_tokens_is_the_forms_error(app, client, member):
    with app.app_context():
        for n in range(api_tokens.MAX_TOKENS):
            api_tokens.create_token(member.id, f"Script {n}")
        db.session.commit()
    sign_in(client, member)
    response = post_form(client, "/account/tokens", {"name": "One more"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"You have {api_tokens.MAX_TOKENS} tokens" in page and 'value="One more"' in page
    assert _token_count(app) == api_tokens.MAX_TOKENS


def test_revoking_a_token_stops_it(app, client, member):
    token_id, token = _create(app, member.id)
    sign_in(client, member)
    response = post_form(client, f"/account/tokens/{token_id}/revoke")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert "The token is revoked" in page and "Nightly export" not in page
    with app.app_context():
        assert api_tokens.holder_of(token) is None


def test_another_members_token_cannot_be_revoked(app, client, member, make_user):
    token_id, token = _create(app, member.id)
    sign_in(client, make_user())
    assert post_form(client, f"/account/tokens/{token_id}/revoke").status_code == 404
    assert post_form(client, "/account/tokens/999999/revoke").status_code == 404
    with app.app_context():
        assert api_tokens.holder_of(token).user_id == member.id


def test_token_forms_need_the_csrf_token(app, client, member):
    token_id, _token = _create(app, member.id)
    sign_in(client, member)
    assert client.post("/account/tokens", data={"name": "Sneaky"}).status_code == 400
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 400
    assert _token_count(app) == 1


def test_a_suspended_member_may_revoke_but_not_create(app, client, member):
    token_id, _token = _create(app, member.id)
    with app.app_context():
        db.session.get(User, member.id).suspended_at = utcnow()
        db.session.commit()
    sign_in(client, member)
    page = client.get("/account").get_data(as_text=True)
    assert "Create token" not in page and "Revoke" in page
    assert post_form(client, "/account/tokens", {"name": "Another"}).status_code == 403
    assert post_form(client, f"/account/tokens/{token_id}/revoke").status_code == 302
    assert _token_count(app) == 0
