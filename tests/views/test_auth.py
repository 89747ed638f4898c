"""Sign up, log in, log out: CSRF on every form, nothing written on bad input."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from ideaboard.config import Config
from ideaboard.extensions import db
from ideaboard.models import LoginSession, User, utcnow
from ideaboard.services import accounts
from tests.conftest import PASSWORD, csrf_token, log_in, page_csrf_token, post_form


def _user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_signup_creates_a_member_with_an_scrypt_hash_and_logs_in(app, client):
    app.config["PASSWORD_HASH_METHOD"] = Config.PASSWORD_HASH_METHOD  # the board's own
    response = post_form(client, "/signup", {
        "display_name": "  Ana   Ruiz ", "email": "Ana@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.display_name, user.email, user.role.value) == ("Ana Ruiz", "ana@example.org",
                                                                     "member")
        assert user.password_hash.startswith("scrypt:")
    assert "Log out" in client.get("/").get_data(as_text=True)
    log_in(client.application.test_client(), user)  # and the scrypt hash lets them back in


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


def test_the_token_a_page_carries_is_the_one_its_forms_take(client, member):
    login_page = client.get("/login").get_data(as_text=True)
    logged_in = client.post("/login", data={"csrf_token": page_csrf_token(login_page),
                                            "email": member.email, "password": PASSWORD})
    assert logged_in.status_code == 302
    board = client.get("/").get_data(as_text=True)  # the token in its <meta>, for scripts
    logged_out = client.post("/logout", data={"csrf_token": page_csrf_token(board)})
    assert logged_out.status_code == 302
    assert "Log out" not in client.get("/").get_data(as_text=True)


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


def _signed_in(app, cookies: dict[str, str]) -> bool:
    """Whether a fresh browser holding just these cookies is signed in."""
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser.get("/ideas/new").status_code == 200


def _cookies(client, *names: str) -> dict[str, str]:
    return {name: client.get_cookie(name).value for name in names}


def test_logging_out_ends_the_session_and_remember_cookies_everywhere(app, client, member):
    post_form(client, "/login", {"email": member.email, "password": PASSWORD, "remember": "y"})
    session_copy = _cookies(client, "session")
    remember_copy = _cookies(client, "remember_token")
    assert _signed_in(app, session_copy) and _signed_in(app, remember_copy)
    logout = client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert client.get_cookie("remember_token") is None  # cleared in this browser
    assert any(c.startswith("remember_token=;") for c in logout.headers.getlist("Set-Cookie"))
    assert not _signed_in(app, session_copy)  # and a copy made before is worthless
    assert not _signed_in(app, remember_copy)


def test_a_members_other_sessions_can_be_ended(app, member):
    laptop, phone = app.test_client(), app.test_client()
    for browser in (laptop, phone):
        post_form(browser, "/login", {"email": member.email, "password": PASSWORD,
                                      "remember": "y"})
    laptop_token = _cookies(laptop, "session")
    phone_remember = _cookies(phone, "remember_token")
    with laptop.session_transaction() as session:
        keep = session["_user_id"].partition(":")[2]
    with app.app_context():
        assert accounts.end_other_sessions(member.id, keep_token=keep) == 1
        db.session.commit()
    assert _signed_in(app, laptop_token)
    assert phone.get("/ideas/new").status_code == 302
    assert not _signed_in(app, phone_remember)


def test_sessions_older_than_the_remember_cookie_are_forgotten_at_the_next_log_in(
        app, client, member):
    with app.app_context():
        old = accounts.start_session(member.id)
        db.session.execute(update(LoginSession).values(
            created_at=utcnow() - app.config["REMEMBER_COOKIE_DURATION"] - timedelta(days=1)))
        db.session.commit()
    log_in(client, member)
    with app.app_context():
        hashes = set(db.session.scalars(select(LoginSession.token_hash)))
    assert accounts.token_digest(old) not in hashes and len(hashes) == 1


def test_a_cookie_naming_a_member_without_a_session_token_signs_no_one_in(app, member):
    with app.test_client() as browser:
        with browser.session_transaction() as session:
            session["_user_id"] = str(member.id)  # as before login sessions existed
        assert browser.get("/ideas/new").status_code == 302
