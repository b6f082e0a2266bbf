"""One member's whole journey, against the app running as its own process over HTTP.

Sign up, confirm from the outbox, turn on two-factor sign-in, log out, log in
with a code, change the password, delete the account.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from app.infra import crypto
from tests.support import (
    CSRF_FIELD,
    child_environment,
    flask_server,
    mailed_link,
    run_flask,
    totp_code,
)


@pytest.fixture
def running_app(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`flask run` on a fresh instance folder and SQLite database; its URL and outbox."""
    instance = tmp_path / "instance"
    crypto.initialize(instance, secret_key="j" * 48)
    environment = child_environment(MARQUEE_INSTANCE_PATH=str(instance), MARQUEE_ENV="dev")
    run_flask(environment, "db", "upgrade")
    with flask_server(environment) as base:
        yield base, instance / "outbox"


class Browser:
    """A requests session that fills in the CSRF token the way a browser submits forms."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base + path, timeout=10)

    def submit(self, form_page: str, action: str, **fields: str) -> requests.Response:
        token = CSRF_FIELD.search(self.get(form_page).text).group(1)
        return self.session.post(
            self.base + action, data={**fields, "csrf_token": token}, timeout=10
        )


def test_a_member_signs_up_confirms_secures_and_leaves(running_app):
    base, outbox = running_app
    browser = Browser(base)
    password, new_password = "my long first passphrase", "my long second passphrase"

    signed_up = browser.submit(
        "/signup",
        "/signup",
        email="journey@example.com",
        username="journey",
        password=password,
        confirm=password,
    )
    assert "Check your email" in signed_up.text

    confirmed = browser.get(mailed_link(outbox, "journey@example.com"))
    assert "journey@example.com is confirmed" in confirmed.text
    browser.submit("/login", "/login", identifier="journey", password=password)

    setup = browser.submit("/account", "/account/two-factor/start").text
    secret = re.search(r'user-select-all">([A-Z2-7 ]+)<', setup).group(1).replace(" ", "")
    enabled = browser.submit(
        "/account/two-factor",
        "/account/two-factor",
        code=totp_code(secret, time.time()),
        current_password=password,
    )
    assert "Your backup codes" in enabled.text

    browser.submit("/", "/logout")
    asked = browser.submit("/login", "/login", identifier="journey", password=password)
    assert asked.url.endswith("/login/code")
    signed_in = browser.submit(
        "/login/code", "/login/code", code=totp_code(secret, time.time() + 30)
    )
    assert "Log out" in signed_in.text

    changed = browser.submit(
        "/account",
        "/account/password",
        current_password=password,
        password=new_password,
        confirm=new_password,
    )
    assert "Your password is changed" in changed.text

    deleted = browser.submit("/account", "/account/delete", current_password=new_password)
    assert "The account journey is deleted" in deleted.text
    gone = Browser(base).submit("/login", "/login", identifier="journey", password=new_password)
    assert gone.status_code == 401
