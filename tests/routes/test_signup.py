"""Signing up, confirming the email, and the links sent by mail."""

from __future__ import annotations

import time

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from app.models import User
from tests.factories import make_user
from tests.support import CSRF_FIELD, AuthActions, csrf_token

GOOD = {
    "email": "New.Person@Example.com",
    "username": "newperson",
    "password": "a fine long passphrase",
    "confirm": "a fine long passphrase",
}


def sign_up(client, **changes):
    data = {**GOOD, **changes, "csrf_token": csrf_token(client, "/signup")}
    return client.post("/signup", data=data)


def test_sign_up_mails_a_confirmation_link_then_the_member_logs_in(client, auth, db, mailbox):
    response = sign_up(client)

    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.username == "newperson"))
    assert user.email == "new.person@example.com"
    assert user.password_hash.startswith("scrypt:")
    assert not user.email_confirmed
    (message,) = mailbox.messages()
    assert message["To"] == "new.person@example.com"
    assert message["Subject"] == "Confirm your email for Marquee"

    confirmed = client.get(mailbox.last_link())

    assert confirmed.headers["Location"] == "/login"
    db.session.refresh(user)
    assert user.email_confirmed
    auth.login("newperson", GOOD["password"])
    assert "Confirm your email" not in client.get("/").get_data(as_text=True)


def test_an_unconfirmed_member_can_log_in_and_browse(client, auth, db, mailbox):
    sign_up(client)

    auth.login("newperson", GOOD["password"])

    page = client.get("/movies/").get_data(as_text=True)
    assert "Log out" in page
    assert "Confirm your email" in page


def test_sign_up_with_a_registered_email_answers_alike_and_tells_the_owner(client, db, mailbox):
    make_user("owner", email="new.person@example.com")
    db.session.commit()

    response = sign_up(client)

    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "newperson")) is None
    (message,) = mailbox.messages()
    assert message["To"] == "new.person@example.com"
    assert message["Subject"] == "You already have a Marquee account"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"username": "a"}, "Use between 3 and 30 characters"),
        ({"username": "has space"}, "Use letters a to z, digits, dots"),
        ({"username": "ａｄｍｉｎ"}, "Use letters a to z, digits, dots"),  # full-width look-alikes
        ({"username": "аdmin"}, "Use letters a to z, digits, dots"),  # a Cyrillic а
        ({"username": "ß" * 25}, "Use letters a to z, digits, dots"),
        ({"username": "admin"}, "That username is reserved"),
        ({"password": "short", "confirm": "short"}, "at least 10 characters"),
        ({"password": "password123", "confirm": "password123"}, "most common ones"),
        ({"password": "newperson", "confirm": "newperson"}, "at least 10 characters"),
        ({"password": "Newperson123", "confirm": "Newperson123"}, None),
        ({"confirm": "something else entirely"}, "The passwords do not match."),
    ],
)
def test_sign_up_refuses_bad_input_with_a_message(client, db, changes, message):
    response = sign_up(client, **changes)

    if message is None:
        assert response.status_code == 200  # a password merely containing the name is fine
        return
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert db.session.scalar(select(User).where(User.username == GOOD["username"])) is None


def test_a_password_equal_to_the_email_or_username_is_refused(client, db):
    long_name = "quitealongname"
    response = sign_up(client, username=long_name, password=long_name, confirm=long_name)
    assert "not your email address or username" in response.get_data(as_text=True)

    email = "someone.long@example.com"
    response = sign_up(client, email=email, password=email, confirm=email)
    assert "not your email address or username" in response.get_data(as_text=True)


def test_a_taken_username_is_refused_on_its_field(client, db):
    make_user("Taken", email="taken@example.com")
    db.session.commit()

    by_name = sign_up(client, username="taken").get_data(as_text=True)

    assert "That username is taken" in by_name


def test_a_confirmation_link_works_once(client, db, mailbox):
    sign_up(client)
    link = mailbox.last_link()
    assert client.get(link).status_code == 302

    again = client.get(link)

    assert again.status_code == 410
    assert "This link was already used" in again.get_data(as_text=True)


def test_an_expired_confirmation_link_says_what_to_do(client, app, auth, db, mailbox, monkeypatch):
    sign_up(client)
    auth.login("newperson", GOOD["password"])
    link = mailbox.last_link()
    monkeypatch.setitem(app.config, "CONFIRM_TOKEN_MAX_AGE", 1)
    time.sleep(2.1)

    response = client.get(link)

    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "This link has expired" in page
    assert "Send a new confirmation link" in page


@pytest.mark.parametrize("token", ["garbage", "a" * 300, "eyJpZCI6MX0.bad.sig"])
def test_a_mangled_link_is_a_clear_400(client, token):
    response = client.get(f"/confirm/{token}")

    assert response.status_code == 400
    assert "This link does not work" in response.get_data(as_text=True)


def test_a_token_for_one_purpose_does_not_work_for_another(client, app, db):
    user = make_user("ana")
    db.session.commit()
    with app.app_context():
        from app.services import accounts

        reset = accounts.reset_token(user)

    assert client.get(f"/confirm/{reset}").status_code == 400


def test_a_token_signed_with_another_key_is_refused(client, db):
    user = make_user("ana")
    db.session.commit()
    forged = URLSafeTimedSerializer("not-our-key", salt="marquee-confirm-email").dumps(
        {"id": user.id, "email": user.email}
    )

    assert client.get(f"/confirm/{forged}").status_code == 400


def test_resending_the_confirmation_mails_again(client, auth, db, mailbox):
    make_user("ana")
    db.session.commit()
    auth.login()

    response = client.post("/confirm/resend", data={"csrf_token": csrf_token(client, "/")})

    assert response.status_code == 302
    assert len(mailbox.messages()) == 1
    assert client.post("/confirm/resend").status_code == 400  # no CSRF token


def test_a_signed_in_user_is_sent_home_from_sign_up(client, auth, db):
    make_user("ana")
    db.session.commit()
    auth.login()

    assert client.get("/signup").status_code == 302


def test_password_reset_answers_the_same_for_unknown_accounts(client, db, mailbox):
    make_user("ana")
    db.session.commit()

    def ask(email: str) -> str:
        token = csrf_token(client, "/password/forgot")
        return client.post("/password/forgot", data={"email": email, "csrf_token": token})

    known, unknown, nonsense = ask("ana@example.com"), ask("nobody@example.com"), ask("x")

    assert known.status_code == unknown.status_code == 200
    assert nonsense.status_code == 200
    strip = lambda response, email: response.get_data(as_text=True).replace(email, "")  # noqa: E731
    assert strip(known, "ana@example.com") == strip(unknown, "nobody@example.com")
    assert [m["To"] for m in mailbox.messages()] == ["ana@example.com"]


def test_password_reset_sets_a_new_password_once_and_ends_sessions(app, client, db, mailbox):
    user = make_user("ana")
    db.session.commit()
    other_device = app.test_client()
    AuthActions(other_device).login(remember=False)
    assert "Log out" in other_device.get("/").get_data(as_text=True)
    token = csrf_token(client, "/password/forgot")
    client.post("/password/forgot", data={"email": "ana@example.com", "csrf_token": token})
    link = mailbox.last_link()

    form = csrf_token(client, link)
    new = "a brand new passphrase"
    response = client.post(link, data={"password": new, "confirm": new, "csrf_token": form})

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    db.session.refresh(user)
    from app.services import accounts

    assert accounts.authenticate(identifier="ana", password=new) is user
    assert "Log in" in other_device.get("/").get_data(as_text=True)  # signed out there
    reused = client.get(link)
    assert reused.status_code == 410
    assert "This link was already used" in reused.get_data(as_text=True)
    assert "Ask for a new link" in reused.get_data(as_text=True)


def test_an_expired_reset_link_offers_a_new_one(app, client, db, mailbox, monkeypatch):
    make_user("ana")
    db.session.commit()
    token = csrf_token(client, "/password/forgot")
    client.post("/password/forgot", data={"email": "ana@example.com", "csrf_token": token})
    link = mailbox.last_link()
    monkeypatch.setitem(app.config, "RESET_TOKEN_MAX_AGE", 1)
    time.sleep(2.1)

    response = client.get(link)

    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)


def test_a_reset_with_a_weak_password_keeps_the_link_usable(client, db, mailbox):
    make_user("ana")
    db.session.commit()
    client.post(
        "/password/forgot",
        data={"email": "ana@example.com", "csrf_token": csrf_token(client, "/password/forgot")},
    )
    link = mailbox.last_link()

    weak = client.post(
        link,
        data={
            "password": "qwerty123456",
            "confirm": "qwerty123456",
            "csrf_token": csrf_token(client, link),
        },
    )

    assert weak.status_code == 200
    assert "most common ones" in weak.get_data(as_text=True)
    assert client.get(link).status_code == 200


def test_links_in_mail_are_built_on_base_url_not_the_request_host(
    client, app, db, mailbox, monkeypatch
):
    monkeypatch.setitem(app.config, "BASE_URL", "https://movies.example.org")
    make_user("ana")
    db.session.commit()
    forged = {"Host": "evil.example"}
    page = client.get("/password/forgot", headers=forged).get_data(as_text=True)
    token = CSRF_FIELD.search(page).group(1)

    client.post(
        "/password/forgot", data={"email": "ana@example.com", "csrf_token": token}, headers=forged
    )

    (message,) = mailbox.messages()
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "https://movies.example.org/password/reset/" in text
    assert "evil.example" not in text


def test_mail_is_written_in_the_readers_saved_language(client, db, mailbox):
    make_user("ana").locale = "pt-BR"
    db.session.commit()
    token = csrf_token(client, "/password/forgot")
    client.post(
        "/password/forgot",
        data={"email": "ana@example.com", "csrf_token": token},
        headers={"Accept-Language": "en"},
    )

    mail = mailbox.messages()[-1]
    assert mail["Subject"] == "Redefina sua senha do Marquee"
    assert "pediu para redefinir a senha" in mail.get_body(preferencelist=("plain",)).get_content()
    # The page the requester sees stays in their own language.
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )


def test_without_a_saved_language_mail_follows_the_request(client, db, mailbox):
    make_user("ana")
    db.session.commit()
    token = csrf_token(client, "/password/forgot")
    client.post(
        "/password/forgot",
        data={"email": "ana@example.com", "csrf_token": token},
        headers={"Accept-Language": "pt-BR"},
    )

    assert mailbox.messages()[-1]["Subject"] == "Redefina sua senha do Marquee"
