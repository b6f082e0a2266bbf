"""Logging in and out."""

import pytest
from flask import session as flask_session
from sqlalchemy import select

from tests.factories import PASSWORD, make_user
from tests.support import AuthActions, csrf_token


def test_login_page_has_a_form(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="identifier"' in page
    assert 'name="password"' in page
    assert 'name="csrf_token"' in page


def test_login_with_username_then_logout(client, auth, db):
    make_user("Ana")
    db.session.commit()

    response = auth.login("ANA")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Log out" in client.get("/").get_data(as_text=True)

    auth.logout()
    assert "Log in" in client.get("/").get_data(as_text=True)


def test_login_with_email_records_the_login_time(client, auth, db):
    user = make_user("ana")
    db.session.commit()

    auth.login("ana@example.com")

    db.session.refresh(user)
    assert user.last_login_at is not None


def test_wrong_password_and_unknown_account_get_the_same_answer(client, auth, db):
    make_user("ana")
    db.session.commit()

    wrong_password = auth.login("ana", "not the password")
    unknown = auth.login("nobody", "not the password")

    assert wrong_password.status_code == unknown.status_code == 401
    message = "Wrong email, username or password."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert 'value="nobody"' in unknown.get_data(as_text=True)  # what was typed is kept


def test_login_follows_a_safe_next_and_ignores_another_site(client, db):
    make_user("ana")
    db.session.commit()

    for next_url, expected in (
        ("/movies/?page=2", "/movies/?page=2"),
        ("https://evil.example/", "/"),
    ):
        token = csrf_token(client, f"/login?next={next_url}")
        response = client.post(
            "/login",
            data={
                "identifier": "ana",
                "password": "correct horse battery",
                "csrf_token": token,
                "next": next_url,
            },
        )
        assert response.headers["Location"] == expected
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_a_signed_in_user_visiting_login_goes_home(client, auth, db):
    make_user("ana")
    db.session.commit()
    auth.login()
    response = client.get("/login")
    assert response.status_code == 302


def test_logout_needs_a_post_with_csrf(client, auth, db):
    make_user("ana")
    db.session.commit()
    auth.login()

    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert "Log out" in client.get("/").get_data(as_text=True)


def test_logout_when_signed_out_asks_to_log_in(client):
    token = csrf_token(client, "/login")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_deactivated_account_cannot_log_in(client, auth, db):
    user = make_user("ana")
    user.active = False
    db.session.commit()
    assert auth.login().status_code == 401


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        " //evil.example",
    ],
)
def test_a_next_pointing_elsewhere_is_refused(client, db, target):
    make_user("ana")
    db.session.commit()
    token = csrf_token(client, "/login")

    response = client.post(
        "/login",
        data={"identifier": "ana", "password": PASSWORD, "csrf_token": token, "next": target},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_form_without_its_csrf_token_is_a_400(client, db):
    make_user("ana")
    db.session.commit()

    response = client.post("/login", data={"identifier": "ana", "password": PASSWORD})

    assert response.status_code == 400
    assert "Log out" not in client.get("/").get_data(as_text=True)


def browser_with(app, **cookies):
    """A new test client holding only the given cookies, as a thief who copied them would."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_logout_ends_the_copied_session_and_remember_me_cookies(app, client, auth, db):
    make_user("ana")
    db.session.commit()
    auth.login(remember=True)
    copied_session = client.get_cookie("session").value
    copied_remember = client.get_cookie("remember_token").value
    assert signed_in(browser_with(app, session=copied_session))  # the copies work until logout
    assert signed_in(browser_with(app, remember_token=copied_remember))

    auth.logout()

    assert not signed_in(client)
    assert not signed_in(browser_with(app, session=copied_session))
    assert not signed_in(browser_with(app, remember_token=copied_remember))
    both = browser_with(app, session=copied_session, remember_token=copied_remember)
    assert not signed_in(both)


def test_logging_out_one_browser_keeps_the_others_signed_in(app, client, auth, db):
    make_user("ana")
    db.session.commit()
    laptop = app.test_client()
    AuthActions(laptop).login(remember=True)
    auth.login()

    auth.logout()

    assert not signed_in(client)
    assert signed_in(laptop)


def test_a_sign_in_past_its_lifetime_is_refused(app, client, auth, db):
    from datetime import timedelta

    from app.models import LoginSession

    make_user("ana")
    db.session.commit()
    auth.login(remember=True)
    copied_remember = client.get_cookie("remember_token").value
    login = db.session.scalar(select(LoginSession))
    login.expires_at = login.created_at - timedelta(seconds=1)
    db.session.commit()

    assert not signed_in(client)
    assert not signed_in(browser_with(app, remember_token=copied_remember))


def test_a_session_cookie_from_before_sign_ins_were_recorded_is_refused(app, client, db):
    from flask_login import login_user

    user = make_user("ana")
    db.session.commit()
    with app.test_request_context():  # an id with no sign-in key, as every cookie had before
        login_user(user)
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(flask_session))
    assert not signed_in(browser_with(app, session=cookie))
