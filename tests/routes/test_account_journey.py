"""One member's whole journey, against the app running as its own process over HTTP.

Sign up, confirm from the outbox, turn on two-factor sign-in, log out, log in
with a code, change the password, delete the account.
"""

from __future__ import annotations

import base64
import email
import email.policy
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from app.infra import crypto
from tests.conftest import CSRF_FIELD, ROOT, free_port, wait_until_serving


@pytest.fixture
def running_app(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`flask run` on a fresh instance folder and SQLite database; its URL and outbox."""
    instance = tmp_path / "instance"
    crypto.initialize(instance, secret_key="j" * 48)
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "MARQUEE_"))},
        "MARQUEE_INSTANCE_PATH": str(instance),
        "MARQUEE_ENV": "dev",
    }
    flask = [sys.executable, "-m", "flask"]
    subprocess.run(
        [*flask, "db", "upgrade"], cwd=ROOT, env=environment, check=True, capture_output=True
    )
    port = free_port()
    server = subprocess.Popen(
        [*flask, "run", "--port", str(port), "--no-reload"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base + "/login", server)
        yield base, instance / "outbox"
    finally:
        server.terminate()
        server.wait(timeout=10)


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


def newest_link(outbox: Path, count: int = 1) -> str:
    """The link in the newest mail, once the server's mail thread has written `count` mails."""
    deadline = time.monotonic() + 10
    while len(mails := sorted(outbox.glob("*.eml"))) < count:
        assert time.monotonic() < deadline, "no mail arrived in the outbox"
        time.sleep(0.05)
    newest = mails[-1]
    message = email.message_from_bytes(newest.read_bytes(), policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/\S+)", text).group(1)


def totp_code(secret: str, at: float) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return TOTP(key, 6, SHA1(), 30).generate(at).decode()  # noqa: S303 (what apps use)


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

    confirmed = browser.get(newest_link(outbox))
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
