"""Throttled log-ins, sign-ups and mails (Flask-Limiter, in memory here)."""

from __future__ import annotations

from tests.factories import PASSWORD, make_user
from tests.support import csrf_token


def attempt(client, identifier: str, password: str = "not the password"):
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"identifier": identifier, "password": password, "csrf_token": token}
    )


def test_log_in_attempts_on_one_account_are_throttled(client, db, throttled):
    make_user("ana")
    db.session.commit()

    answers = [attempt(client, "ana").status_code for _ in range(5)]
    blocked = attempt(client, "ANA")  # the same account, however it is written

    assert answers == [401] * 5
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert "Too many" in blocked.get_data(as_text=True)
    assert attempt(client, "bea").status_code == 401  # another account is not blocked


def test_unknown_accounts_are_throttled_the_same_way(client, db, throttled):
    answers = [attempt(client, "nobody").status_code for _ in range(6)]

    assert answers == [401] * 5 + [429]


def test_log_in_attempts_from_one_address_are_throttled(client, db, throttled):
    throttled("RATELIMIT_LOGIN_PER_IP", "3 per minute")

    answers = [attempt(client, f"user{number}").status_code for number in range(4)]

    assert answers == [401, 401, 401, 429]


def test_looking_at_the_login_page_is_not_throttled(client, throttled):
    throttled("RATELIMIT_LOGIN_PER_IP", "1 per minute")

    assert {client.get("/login").status_code for _ in range(5)} == {200}


def test_sign_ups_from_one_address_are_throttled(client, db, throttled):
    throttled("RATELIMIT_SIGNUP_PER_IP", "2 per hour")

    def sign_up(number: int, **changes: str) -> int:
        password = "a fine long passphrase"
        data = {
            "email": f"person{number}@example.com",
            "username": f"person{number}",
            "password": password,
            "confirm": password,
            "csrf_token": csrf_token(client, "/signup"),
        }
        return client.post("/signup", data={**data, **changes}).status_code

    assert sign_up(0, confirm="a typo in the second one") == 422  # mistakes do not count
    assert [sign_up(number) for number in range(3)] == [200, 200, 429]


def test_resending_the_confirmation_is_throttled(client, auth, db, throttled, mailbox):
    make_user("ana")
    db.session.commit()
    auth.login()
    token = csrf_token(client, "/")

    answers = [
        client.post("/confirm/resend", data={"csrf_token": token}).status_code for _ in range(4)
    ]

    assert answers == [302, 302, 302, 429]
    assert len(mailbox.messages()) == 3


def test_reset_requests_for_one_email_are_throttled(client, db, throttled, mailbox):
    make_user("ana")
    db.session.commit()

    def ask() -> int:
        token = csrf_token(client, "/password/forgot")
        data = {"email": "ana@example.com", "csrf_token": token}
        return client.post("/password/forgot", data=data).status_code

    assert [ask() for _ in range(4)] == [200, 200, 200, 429]
    assert len(mailbox.messages()) == 3


def test_the_per_account_limit_holds_however_the_account_is_named(client, db, throttled, mailbox):
    make_user("ana")
    db.session.commit()
    names = ["ana", "ANA", "ana@example.com", " Ana@Example.com ", "ana"]

    answers = [attempt(client, name).status_code for name in names]
    answers.append(attempt(client, "ana@EXAMPLE.com").status_code)

    assert answers == [401] * 5 + [429]


def test_reset_requests_count_one_address_however_it_is_written(client, db, throttled, mailbox):
    make_user("bob")
    db.session.commit()

    def ask(email: str) -> int:
        token = csrf_token(client, "/password/forgot")
        return client.post(
            "/password/forgot", data={"email": email, "csrf_token": token}
        ).status_code

    written = ["bob@example.com", "BOB@example.com", "bob@ｅxample.com", "bob@exａmple.com"]

    assert [ask(email) for email in written] == [200, 200, 200, 429]
    assert len(mailbox.messages()) == 3


def test_wrong_passwords_on_the_account_page_are_throttled(client, auth, db, throttled):
    make_user("ana")
    db.session.commit()
    auth.login()
    throttled("RATELIMIT_PASSWORD_CHECKS", "3 per hour")
    token = csrf_token(client, "/account")

    def delete(password: str) -> int:
        return client.post(
            "/account/delete", data={"current_password": password, "csrf_token": token}
        ).status_code

    assert [delete("wrong guess") for _ in range(3)] == [422, 422, 422]
    assert delete(PASSWORD) == 429  # even the right one, until the hour is over
