"""Shared fixtures: one app per test session, one rolled-back transaction per test.

Set TEST_DATABASE_URL to run the whole suite against PostgreSQL.
"""

from __future__ import annotations

import base64
import contextvars
import email
import email.policy
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
import requests
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from flask import Flask, abort
from flask.globals import app_ctx
from flask.testing import FlaskClient
from playwright.sync_api import sync_playwright
from sqlalchemy import create_engine, orm
from sqlalchemy.exc import OperationalError

from app import create_app
from app.infra import crypto
from app.infra.config import normalize_database_url
from app.infra.db import db as database
from app.models import Genre

pytest_plugins = ("pytester",)

ROOT = Path(__file__).resolve().parent.parent
THROTTLES = (
    "RATELIMIT_LOGIN_PER_ACCOUNT",
    "RATELIMIT_LOGIN_PER_IP",
    "RATELIMIT_SIGNUP_PER_IP",
    "RATELIMIT_MAIL_PER_ACCOUNT",
)
MIGRATIONS = str(ROOT / "migrations")
# Variables that would point the tests at an operator's real services.
_OUTSIDE_SETTINGS = re.compile(r"^(FLASK_|MARQUEE_|DATABASE_URL$|REDIS_URL$|TMDB_|OPENAI_)")


class IsolatedClient(FlaskClient):
    """A test client whose requests each get their own app context, as in production."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def _clean_environment() -> Iterator[None]:
    saved = {
        name: os.environ.pop(name) for name in list(os.environ) if _OUTSIDE_SETTINGS.match(name)
    }
    yield
    os.environ.update(saved)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """TEST_DATABASE_URL when set (it must answer), else a SQLite file for this session."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    url = normalize_database_url(url)
    engine = create_engine(url)
    try:
        engine.connect().close()
    except OperationalError as error:
        pytest.exit(f"TEST_DATABASE_URL is set but does not answer: {error.orig}", returncode=3)
    finally:
        engine.dispose()
    return url


# Generated requests sent by tests/routes/test_fuzz.py, reported at the end of the run.
fuzz_cases: Counter[str] = Counter()
# Pages axe-core checked in the browser tests (path → runs).
axe_pages: Counter[str] = Counter()


def pytest_terminal_summary(terminalreporter) -> None:
    """Say how many fuzz cases ran, so a run shows what it covered."""
    if fuzz_cases:
        parts = ", ".join(f"{count:,} {kind}" for kind, count in sorted(fuzz_cases.items()))
        terminalreporter.write_line(f"fuzz: {sum(fuzz_cases.values()):,} requests ({parts})")
    if axe_pages:
        terminalreporter.write_line(
            f"axe-core: {len(axe_pages)} pages checked ({sum(axe_pages.values())} runs, "
            "light and dark)"
        )


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
    return {k: v for k, v in os.environ.items() if not _OUTSIDE_SETTINGS.match(k)} | settings


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
        # Throttling is on, with limits no test reaches; the `throttled` fixture
        # sets real ones (limits are read per request).
        **{name: "100000 per minute" for name in THROTTLES},
        **overrides,
    }


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Flask]:
    """The application, with its schema built once by running the migrations."""
    instance = tmp_path_factory.mktemp("instance")
    # Keys as `flask crypto init` makes them, so encrypted columns work in every test.
    crypto.initialize(instance, secret_key="test-" + "k" * 40)
    application = create_app(make_config(instance, database_url))
    application.test_client_class = IsolatedClient
    with application.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
    yield application
    with application.app_context():
        database.engine.dispose()


@pytest.fixture
def db(app: Flask) -> Iterator:
    """The database, inside a transaction that is rolled back after the test.

    Commits by the code under test only release savepoints, so nothing leaks
    from one test into the next.
    """
    with app.app_context():
        connection = database.engine.connect()
        transaction = connection.begin()
        factory = orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        original_session = database.session
        database.session = orm.scoped_session(
            factory, scopefunc=lambda: id(app_ctx._get_current_object())
        )
        try:
            yield database
        finally:
            database.session.remove()
            database.session = original_session
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask, db) -> FlaskClient:
    """A browser-like client; its requests see the test's committed data."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask, db):
    """Runs `flask …` commands against the test database."""
    return app.test_cli_runner()


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


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    """Log the client in and out."""
    return AuthActions(client)


@pytest.fixture
def ana(client: FlaskClient, auth: AuthActions, db):
    """Ana (tests.factories.make_user), signed in on the client."""
    from tests.factories import make_user

    user = make_user("ana")
    db.session.commit()
    auth.login()
    return user


@pytest.fixture
def empty_instance(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh instance folder with no keys, which the app and `flask crypto` use."""
    instance = tmp_path / "instance"
    instance.mkdir()
    monkeypatch.setattr(app, "instance_path", str(instance))
    monkeypatch.setitem(app.extensions, "marquee.keyring", None)
    monkeypatch.setenv("MARQUEE_INSTANCE_PATH", str(instance))
    return instance


@pytest.fixture
def instance(empty_instance: Path, app: Flask, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh instance folder set up as `flask crypto init` does; the app uses its keys."""
    setup = crypto.initialize(empty_instance, secret_key="s" * 48)
    monkeypatch.setitem(app.extensions, "marquee.keyring", setup.environment.keyring())
    return empty_instance


class Mailbox:
    """The mails the app wrote to its outbox since the test began (file backend)."""

    def __init__(self, app: Flask) -> None:
        from app.infra import mail

        mail.drain()  # mail an earlier test committed is not this test's
        self._outbox = lambda: mail.outbox(app)
        self._seen = set(self._outbox())

    def messages(self) -> list:
        """New mails, oldest first, parsed (once the mail threads have delivered them)."""
        import email
        import email.policy

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


@pytest.fixture
def mailbox(app: Flask) -> Mailbox:
    """What the app mails during the test."""
    return Mailbox(app)


@pytest.fixture
def throttled(app: Flask, monkeypatch: pytest.MonkeyPatch):
    """The production limits, on a fresh count; returns a setter for one limit."""
    from app.infra.config import DEFAULTS
    from app.infra.limits import limiter

    for name in THROTTLES:
        monkeypatch.setitem(app.config, name, DEFAULTS[name])
    limiter.reset()
    yield lambda name, value: monkeypatch.setitem(app.config, name, value)
    limiter.reset()


@pytest.fixture
def tmdb_server() -> Iterator:
    """A TMDB-shaped server on 127.0.0.1 with a small catalog (movies 1–3)."""
    from tests.seeder.tmdb_data import small_catalog
    from tests.seeder.tmdb_server import TMDBServer

    movies, people = small_catalog()
    with TMDBServer(movies=movies, people=people, popular=[3, 1, 2], top_rated=[2]) as server:
        yield server


@pytest.fixture
def tmdb_settings(tmdb_server):
    """Client settings pointing at the stand-in server, with quick retries."""
    from seeder.tmdb import ClientSettings
    from tests.seeder.tmdb_server import API_KEY

    return ClientSettings(
        api_key=API_KEY,
        base_url=tmdb_server.base_url,
        rate_limit=1000.0,
        timeout=2.0,
        max_retries=3,
        backoff_base=0.01,
        backoff_cap=0.05,
    )


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url() -> str:
    """The local Redis (database 15): skipped when none answers, but CI needs it."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} does not answer: {error}")
        pytest.skip(f"Redis at {REDIS_URL} does not answer")
    return REDIS_URL


@pytest.fixture(params=["simple", "redis"])
def shared_cache(request: pytest.FixtureRequest, app: Flask):
    """The fragment cache switched on: in this process, or in the real Redis."""
    from uuid import uuid4

    from app.infra.cache import cache

    if request.param == "simple":
        config = {"CACHE_TYPE": "SimpleCache"}
    else:
        config = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": request.getfixturevalue("redis_url"),
            "CACHE_KEY_PREFIX": f"marquee-test-{uuid4().hex}:",
        }
    cache.init_app(app, config=config)
    yield cache
    cache.clear()
    cache.init_app(app, config={"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True})


@pytest.fixture
def failing_app(tmp_path):
    """An app with routes that fail in each way, on its own migrated database."""
    app = create_app(make_config(tmp_path, f"sqlite:///{tmp_path / 'errors.sqlite3'}"))

    @app.get("/boom")
    def boom():
        database.session.add(Genre(name="Half written", slug="half-written"))
        database.session.flush()
        raise RuntimeError("unexpected")

    @app.get("/status/<int:code>")
    def status(code):
        abort(code)

    @app.after_request
    def commit_whatever_is_pending(response):
        # Code that commits late (say, a "last seen" stamp) must not save a
        # failed request's half-written rows: the 500 handler rolls them back first.
        database.session.commit()
        return response

    @app.post("/upload")
    def upload():
        return "ok"

    with app.app_context():
        database.create_all()
    return app


# Browser tests (tests/browser): Playwright driving Debian's Chromium against the
# app served by `flask run`. `make test-browser` runs them; `make test` leaves them out.

BROWSER_TESTS = ROOT / "tests" / "browser"
SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", ROOT / "build" / "browser-failures"))
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # Chromium's sandbox refuses to start as root, as CI runs
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # No update checks, sync or first-run pages: nothing leaves 127.0.0.1.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--browser",
        action="store_true",
        help="also run tests/browser (needs Debian's chromium and `npm ci` in tests/browser)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave the browser tests out unless --browser asks for them."""
    if config.getoption("--browser"):
        return
    browser_tests = [item for item in items if BROWSER_TESTS in item.path.parents]
    if browser_tests:
        config.hook.pytest_deselected(items=browser_tests)
        items[:] = [item for item in items if item not in browser_tests]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the test, so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def mailed_link(outbox: Path, to: str, *, count: int = 1, seconds: float = 10) -> str:
    """The path of the link in the `count`-th mail to `to`, once the mail thread wrote it."""
    deadline = time.monotonic() + seconds
    while True:
        messages = (
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(outbox.glob("*.eml"))
        )
        mails = [mail for mail in messages if mail["To"].addresses[0].addr_spec == to]
        if len(mails) >= count:
            break
        assert time.monotonic() < deadline, f"no mail to {to} arrived in {outbox}"
        time.sleep(0.05)
    text = mails[count - 1].get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/\S+)", text).group(1)


def totp_code(secret: str, at: float) -> str:
    """The six-digit code an authenticator app shows for `secret` at time `at`."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return TOTP(key, 6, SHA1(), 30).generate(at).decode()  # noqa: S303 (what apps use)


@pytest.fixture(scope="session")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app under `flask run` with the described sample catalog; its URL and outbox."""
    folder = tmp_path_factory.mktemp("site")
    instance = folder / "instance"
    crypto.initialize(instance, secret_key="b" * 48)
    environment = child_environment(
        MARQUEE_INSTANCE_PATH=str(instance),
        MARQUEE_ENV="dev",
        DATABASE_URL=f"sqlite:///{folder / 'site.sqlite3'}",
        # Every member signs up and logs in from 127.0.0.1, several times a minute.
        FLASK_RATELIMIT_SIGNUP_PER_IP="1000 per hour",
        FLASK_RATELIMIT_LOGIN_PER_IP="1000 per minute",
        FLASK_RATELIMIT_LOGIN_PER_ACCOUNT="1000 per minute",
    )
    run_flask(environment, "db", "upgrade")
    run_flask(environment, "seed", "sample")
    run_flask(environment, "seed", "describe", "--provider", "offline")
    with flask_server(environment, log=folder / "server.log") as base:
        yield base, instance / "outbox"


@contextmanager
def flask_server(environment: dict[str, str], *, log: Path | None = None) -> Iterator[str]:
    """`flask run` on a free port of 127.0.0.1 with `environment`; its base URL."""
    port = free_port()
    output = log.open("w") if log else subprocess.DEVNULL
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "run", "--port", str(port), "--no-reload"],
        cwd=ROOT,
        env=environment,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base + "/healthz", server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        if log:
            output.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """Debian's Chromium, headless, launched by Playwright from its path (nothing is downloaded)."""
    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not executable:
        pytest.fail("Chromium is not installed: `apt-get install chromium`, or set CHROMIUM")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def open_tab(request: pytest.FixtureRequest, chromium, served_site) -> Iterator:
    """Open fresh browser tabs on the served site; a failed test leaves screenshots behind."""
    base, _ = served_site
    tabs: list[tuple[object, list[str]]] = []

    def open_one(**context_options):
        options = {"viewport": {"width": 1280, "height": 900}, **context_options}
        context = chromium.new_context(base_url=base, **options)
        context.set_default_timeout(10_000)
        # Offline and deterministic: only the site is reachable (posters come from TMDB).
        context.route(
            lambda url: not url.startswith(base) and not url.startswith("data:"),
            lambda route: route.abort(),
        )
        tab = context.new_page()
        script_errors: list[str] = []
        tab.on("pageerror", lambda error: script_errors.append(str(error)))
        tab.on(
            "console",
            lambda message: (
                script_errors.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        tabs.append((tab, script_errors))
        return tab

    yield open_one
    report = getattr(request.node, "report_call", None)
    for number, (tab, _) in enumerate(tabs):
        try:
            if report is not None and report.failed:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                name = re.sub(r"[^\w.-]+", "_", request.node.nodeid) + f"-{number}.png"
                tab.screenshot(path=SCREENSHOTS / name, full_page=True)
                print(f"\nscreenshot of the failed test: {SCREENSHOTS / name}")
        finally:
            tab.context.close()
    errors = [error for _, script_errors in tabs for error in script_errors]
    assert not errors, f"the pages raised script errors: {errors}"


@pytest.fixture
def page(open_tab):
    """A fresh browser tab on the served site."""
    return open_tab()
