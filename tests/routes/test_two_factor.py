"""Two-factor sign-in: set-up, the second step at log-in, backup codes, turning it off."""

from __future__ import annotations

import base64
import re
import time

import pytest
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from tests.factories import PASSWORD
from tests.support import AuthActions, csrf_token


def code_for(secret: str, at: float | None = None) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key, 6, SHA1(), 30)  # noqa: S303 (what authenticator apps use)
    return totp.generate(at if at is not None else time.time()).decode()


def start(client) -> str:
    """Press "Set up two-factor sign-in"; returns the key the page shows."""
    client.post("/account/two-factor/start", data={"csrf_token": csrf_token(client, "/account")})
    page = client.get("/account/two-factor").get_data(as_text=True)
    return re.search(r'user-select-all">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")


def enrol(client) -> tuple[str, list[str]]:
    """Set up two-factor through the pages; returns the secret and the backup codes."""
    secret = start(client)
    response = client.post(
        "/account/two-factor",
        data={
            "code": code_for(secret),
            "current_password": PASSWORD,
            "csrf_token": csrf_token(client, "/account/two-factor"),
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    codes = re.findall(r'<li class="col">([a-z0-9-]+)</li>', response.get_data(as_text=True))
    return secret, codes


@pytest.fixture
def ana(ana, instance):
    """Ana, signed in, with a working keyring for her encrypted secret."""
    return ana


def log_in_again(client, auth):
    auth.logout()
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/code"
    return response


def second_step(client, code: str):
    return client.post(
        "/login/code", data={"code": code, "csrf_token": csrf_token(client, "/login/code")}
    )


def test_set_up_begins_with_a_post_and_shows_a_qr_code_and_the_key(client, ana):
    assert client.get("/account/two-factor").status_code == 302  # nothing begun yet
    start(client)
    response = client.get("/account/two-factor")

    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert 'src="data:image/svg+xml' in page
    assert re.search(r'user-select-all">[A-Z2-7]{4}( [A-Z2-7]{4})+<', page)


@pytest.mark.parametrize(("right_code", "password"), [(False, PASSWORD), (True, "not mine")])
def test_enrolment_needs_a_right_code_and_the_password(client, ana, db, right_code, password):
    secret = start(client)
    response = client.post(
        "/account/two-factor",
        data={
            "code": code_for(secret) if right_code else "000000",
            "current_password": password,
            "csrf_token": csrf_token(client, "/account/two-factor"),
        },
    )

    assert response.status_code == 422
    db.session.refresh(ana)
    assert not ana.two_factor_enabled


def test_enrolment_signs_out_other_devices(app, client, ana):
    other_device = app.test_client()
    AuthActions(other_device).login(remember=True)

    enrol(client)

    assert "Log out" in client.get("/").get_data(as_text=True)
    assert "Log out" not in other_device.get("/").get_data(as_text=True)


def test_enrolment_shows_ten_backup_codes_once(client, ana, db):
    _secret, codes = enrol(client)

    assert len(codes) == 10
    assert len(set(codes)) == 10
    db.session.refresh(ana)
    assert ana.two_factor_enabled
    assert client.get("/account/two-factor").status_code == 302  # already on
    assert "10 of 10 backup codes left" in client.get("/account").get_data(as_text=True)


def test_log_in_asks_for_a_code_after_the_password(client, auth, ana, db):
    secret, _codes = enrol(client)
    log_in_again(client, auth)
    assert "Log out" not in client.get("/").get_data(as_text=True)  # not signed in yet

    wrong = second_step(client, "123456")
    assert wrong.status_code == 401
    assert "That code is not right" in wrong.get_data(as_text=True)

    right = second_step(client, code_for(secret, time.time() + 30))
    assert right.status_code == 302
    assert "Log out" in client.get("/").get_data(as_text=True)
    db.session.refresh(ana)
    assert ana.last_login_at is not None


def test_a_code_cannot_be_used_twice(client, auth, ana):
    secret, _codes = enrol(client)
    log_in_again(client, auth)
    code = code_for(secret, time.time() + 30)
    assert second_step(client, code).status_code == 302

    log_in_again(client, auth)
    replay = second_step(client, code)

    assert replay.status_code == 401


def test_a_backup_code_signs_in_once(client, auth, ana, db):
    _secret, codes = enrol(client)
    log_in_again(client, auth)

    assert second_step(client, codes[0].upper().replace("-", " ")).status_code == 302
    log_in_again(client, auth)
    assert second_step(client, codes[0]).status_code == 401
    assert second_step(client, codes[1]).status_code == 302
    assert "8 of 10 backup codes left" in client.get("/account").get_data(as_text=True)


def test_the_second_step_needs_a_password_first(client, db):
    response = client.get("/login/code")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"


def test_the_second_step_expires(client, auth, ana, monkeypatch):
    secret, _codes = enrol(client)
    log_in_again(client, auth)
    from app.routes import auth as auth_routes

    token = csrf_token(client, "/login/code")
    monkeypatch.setattr(auth_routes, "SECOND_STEP_SECONDS", -1)
    response = client.post(
        "/login/code", data={"code": code_for(secret, time.time() + 30), "csrf_token": token}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"


def test_renewing_backup_codes_needs_the_password(client, ana):
    _secret, old = enrol(client)
    token = csrf_token(client, "/account")

    refused = client.post(
        "/account/two-factor/backup-codes", data={"current_password": "nope", "csrf_token": token}
    )
    renewed = client.post(
        "/account/two-factor/backup-codes",
        data={"current_password": PASSWORD, "csrf_token": token},
    )

    assert refused.status_code == 422
    new = re.findall(r'<li class="col">([a-z0-9-]+)</li>', renewed.get_data(as_text=True))
    assert len(new) == 10
    assert not set(new) & set(old)


def test_turning_off_needs_the_password_and_a_code(client, ana, db):
    secret, _codes = enrol(client)
    token = csrf_token(client, "/account")
    url = "/account/two-factor/disable"

    no_code = client.post(
        url, data={"current_password": PASSWORD, "code": "000000", "csrf_token": token}
    )
    no_password = client.post(
        url,
        data={
            "current_password": "wrong",
            "code": code_for(secret, time.time() + 30),
            "csrf_token": token,
        },
    )
    assert no_code.status_code == no_password.status_code == 422
    db.session.refresh(ana)
    assert ana.two_factor_enabled

    done = client.post(
        url,
        data={
            "current_password": PASSWORD,
            "code": code_for(secret, time.time() + 30),
            "csrf_token": token,
        },
    )

    assert done.status_code == 302
    db.session.refresh(ana)
    assert not ana.two_factor_enabled
    assert ana.totp_secret is None
