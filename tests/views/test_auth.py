"""Sign up, log in, log out: CSRF on every form, nothing written on bad input."""

from __future__ import annotations

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import User
from tests.conftest import PASSWORD, csrf_token, post_form


def _user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_signup_creates_a_member_with_an_scrypt_hash_and_logs_in(app, client):
    response = post_form(client, "/signup", {
        "display_name": "  Ana   Ruiz ", "email": "Ana@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.display_name, user.email, user.role.value) == ("Ana Ruiz", "ana@example.org",
                                                                     "member")
        assert user.password_hash.startswith("scrypt:")
    assert "Log out" in client.get("/").get_data(as_text=True)


def test_signup_errors_rerender_with_messages_and_write_nothing(app, client):
    response = post_form(client, "/signup", {
        "display_name": "", "email": "not-an-email", "password": "short"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please enter a name." in page
    assert "Please enter a valid email address." in page
    assert "Please use at least 8 characters." in page
    assert 'value="not-an-email"' in page
    assert _user_count(app) == 0


def test_signup_refuses_a_taken_email_in_any_case(app, client, member):
    response = post_form(client, "/signup", {
        "display_name": "Other", "email": member.email.upper(), "password": PASSWORD})
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert _user_count(app) == 1


def test_display_name_is_length_limited(app, client):
    response = post_form(client, "/signup", {
        "display_name": "x" * 51, "email": "a@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert _user_count(app) == 0


def test_login_does_not_reveal_whether_an_email_exists(client, member):
    wrong_password = post_form(client, "/login", {"email": member.email, "password": "nope nope"})
    no_account = post_form(client, "/login", {"email": "ghost@example.org", "password": "nope"})
    assert wrong_password.status_code == no_account.status_code == 400
    message = "That email and password do not match an account."
    assert message in wrong_password.get_data(as_text=True)
    assert message in no_account.get_data(as_text=True)


def test_login_redirects_only_to_local_next(client, member):
    response = post_form(client, "/login?next=/ideas/new",
                         {"email": member.email, "password": PASSWORD})
    assert response.headers["Location"] == "/ideas/new"
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = post_form(client, f"/login?next={evil}",
                             {"email": member.email, "password": PASSWORD})
        assert response.headers["Location"] == "/"
        client.post("/logout", data={"csrf_token": csrf_token(client)})


def test_remember_me_sets_a_lasting_cookie(client, member):
    post_form(client, "/login", {"email": member.email, "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is not None


def test_without_remember_me_no_lasting_cookie(client, member):
    post_form(client, "/login", {"email": member.email, "password": PASSWORD})
    assert client.get_cookie("remember_token") is None


def test_logout_needs_post_and_csrf(member_client):
    assert member_client.get("/logout").status_code == 405
    assert member_client.post("/logout").status_code == 400
    assert "Log out" in member_client.get("/").get_data(as_text=True)
    member_client.post("/logout", data={"csrf_token": csrf_token(member_client)})
    assert "Log out" not in member_client.get("/").get_data(as_text=True)


def test_forms_without_a_csrf_token_are_refused(app, client):
    response = client.post("/signup", data={
        "display_name": "Bot", "email": "bot@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)
    assert _user_count(app) == 0


def test_login_is_rate_limited_per_address(client, member):
    codes = [post_form(client, "/login", {"email": member.email, "password": "bad password"})
             .status_code for _ in range(11)]
    assert codes[:10] == [400] * 10
    assert codes[10] == 429
