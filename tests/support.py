"""What tests share besides fixtures: paths, settings, helpers and the servers they start."""

from __future__ import annotations

import base64
import email
import email.policy
import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Text, select, type_coerce

from app.models import User

ROOT = Path(__file__).resolve().parent.parent


THROTTLES = (
    "API_RATE_LIMIT_PER_TOKEN",
    "API_RATE_LIMIT_PER_ADDRESS",
    "RATELIMIT_LOGIN_PER_ACCOUNT",
    "RATELIMIT_LOGIN_PER_IP",
    "RATELIMIT_SIGNUP_PER_IP",
    "RATELIMIT_MAIL_PER_ACCOUNT",
)


MIGRATIONS = str(ROOT / "migrations")


# Variables that would point the tests at an operator's real services.
OUTSIDE_SETTINGS = re.compile(r"^(FLASK_|MARQUEE_|DATABASE_URL$|REDIS_URL$|TMDB_|OPENAI_)")


# Generated requests sent by tests/routes/test_fuzz.py, reported at the end of the run.
fuzz_cases: Counter[str] = Counter()


# Pages axe-core checked in the browser tests (path → runs).
axe_pages: Counter[str] = Counter()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on (for servers the tests start)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, server: subprocess.Popen, *, seconds: float = 30) -> None:
    """Return once the server started by a test answers `url`; fail if it exits or never does."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            assert server.poll() is None, f"the server exited with status {server.returncode}"
            assert time.monotonic() < deadline, f"nothing answered {url} in {seconds:.0f} s"
            time.sleep(0.2)


def child_environment(**settings: str) -> dict[str, str]:
    """This process's variables, less any pointing at an operator's services, plus `settings`."""
    return {k: v for k, v in os.environ.items() if not OUTSIDE_SETTINGS.match(k)} | settings


def run_flask(environment: dict[str, str], *args: str) -> None:
    """Run a `flask` command in a child process with `environment`; raise if it fails."""
    subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
    )


def make_config(instance_path: Path, database_url: str, **overrides) -> dict:
    """Settings for a test app: its own instance folder and database."""
    return {
        "MARQUEE_ENV": "test",
        "TESTING": True,
        "INSTANCE_PATH": str(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Jobs wait for jobs.run_pending(), which runs them inside the test's transaction.
        "JOBS_ENGINE": "manual",
        # Throttling is on, with limits no test reaches; the `throttled` fixture
        # sets real ones (limits are read per request).
        **{name: "100000 per minute" for name in THROTTLES},
        **overrides,
    }


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token in the form on a page, as a browser would submit it."""
    match = CSRF_FIELD.search(client.get(url).get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class AuthActions:
    """Logs the test client in and out, through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(
        self, identifier: str = "ana", password: str = "correct horse battery", *, remember=False
    ):
        token = csrf_token(self._client, "/login")
        data = {"identifier": identifier, "password": password, "csrf_token": token}
        return self._client.post("/login", data={**data, **({"remember": "y"} if remember else {})})

    def logout(self):
        token = csrf_token(self._client, "/")
        return self._client.post("/logout", data={"csrf_token": token})


class Mailbox:
    """The mails the app wrote to its outbox since the test began (file backend)."""

    def __init__(self, app: Flask) -> None:
        from app.infra import mail

        mail.drain()  # mail an earlier test committed is not this test's
        self._outbox = lambda: mail.outbox(app)
        self._seen = set(self._outbox())

    def messages(self) -> list:
        """New mails, oldest first, parsed (once the mail threads have delivered them)."""
        from app.infra import mail

        mail.drain()

        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in self._outbox()
            if path not in self._seen
        ]

    def last_link(self, to: str | None = None) -> str:
        """The path of the first link in the newest mail (to `to`, if given)."""
        messages = [m for m in self.messages() if to is None or m["To"] == to]
        assert messages, "no mail was sent"
        text = messages[-1].get_body(preferencelist=("plain",)).get_content()
        match = re.search(r"https?://[^/\s]+(/\S+)", text)
        assert match, f"no link in {text!r}"
        return match.group(1)


def mailed_mail(
    outbox: Path, to: str, *, count: int = 1, seconds: float = 10
) -> email.message.EmailMessage:
    """The `count`-th mail to `to`, once the mail thread wrote it."""
    deadline = time.monotonic() + seconds
    while True:
        messages = (
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(outbox.glob("*.eml"))
        )
        mails = [mail for mail in messages if mail["To"].addresses[0].addr_spec == to]
        if len(mails) >= count:
            return mails[count - 1]
        assert time.monotonic() < deadline, f"no mail to {to} arrived in {outbox}"
        time.sleep(0.05)


def mailed_link(outbox: Path, to: str, *, count: int = 1, seconds: float = 10) -> str:
    """The path of the link in the `count`-th mail to `to`, once the mail thread wrote it."""
    mail = mailed_mail(outbox, to, count=count, seconds=seconds)
    text = mail.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/\S+)", text).group(1)


def totp_code(secret: str, at: float) -> str:
    """The six-digit code an authenticator app shows for `secret` at time `at`."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return TOTP(key, 6, SHA1(), 30).generate(at).decode()  # noqa: S303 (what apps use)


@contextmanager
def running_server(
    command: list[str],
    environment: dict[str, str],
    *,
    port: int,
    log: Path | None = None,
    stop_seconds: float = 10,
) -> Iterator[subprocess.Popen]:
    """A server a test starts, once it answers /healthz on `port`; stopped (SIGTERM) after."""
    output = log.open("w") if log else subprocess.DEVNULL
    server = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/healthz", server)
        yield server
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=stop_seconds)
        if log:
            output.close()


@contextmanager
def flask_server(environment: dict[str, str], *, log: Path | None = None) -> Iterator[str]:
    """`flask run` on a free port of 127.0.0.1 with `environment`; its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "flask", "run", "--port", str(port), "--no-reload"]
    with running_server(command, environment, port=port, log=log):
        yield f"http://127.0.0.1:{port}"


def titles_in(page: str, *names: str) -> list[str]:
    """The given titles in the order they appear on the page."""
    return sorted((name for name in names if name in page), key=page.index)


def stored_secret(db, user: User) -> str | None:
    """The totp_secret column as the database holds it, past the type's decryption."""
    return db.session.scalar(select(type_coerce(User.totp_secret, Text)).where(User.id == user.id))


def point_at_tmdb(app, monkeypatch, base_url: str, output) -> None:
    """Point the session's app at a stand-in TMDB server, with its seed output in `output`."""
    from tests.seeder.tmdb_server import API_KEY

    for key, value in {
        "TMDB_API_KEY": API_KEY,
        "TMDB_API_BASE_URL": base_url,
        "TMDB_RATE_LIMIT": 500.0,
        "SEED_OUTPUT_DIR": str(output),
    }.items():
        monkeypatch.setitem(app.config, key, value)
