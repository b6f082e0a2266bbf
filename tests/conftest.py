"""Shared fixtures: one app per test session, one rolled-back transaction per test.

Set TEST_DATABASE_URL to run the whole suite against PostgreSQL. Plain helpers
live in tests/support.py; fixtures only one folder uses live in its conftest.
"""

from __future__ import annotations

import contextvars
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import psycopg
import pytest
from flask import Flask
from flask.globals import app_ctx
from flask.testing import FlaskClient
from sqlalchemy import create_engine, orm, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app import create_app
from app.infra import crypto
from app.infra.config import normalize_database_url
from app.infra.db import db as database
from app.infra.db import is_sqlite
from tests.support import (
    MIGRATIONS,
    OUTSIDE_SETTINGS,
    ROOT,
    AuthActions,
    axe_pages,
    fuzz_cases,
    make_config,
)

pytest_plugins = ("pytester",)


class IsolatedClient(FlaskClient):
    """A test client whose requests each get their own app context, as in production."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def _clean_environment() -> Iterator[None]:
    saved = {
        name: os.environ.pop(name) for name in list(os.environ) if OUTSIDE_SETTINGS.match(name)
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


@pytest.fixture
def tmdb_server() -> Iterator:
    """A TMDB-shaped server on 127.0.0.1 with a small catalog (movies 1–3)."""
    from tests.seeder.tmdb_data import small_catalog
    from tests.seeder.tmdb_server import TMDBServer

    movies, people = small_catalog()
    with TMDBServer(movies=movies, people=people, popular=[3, 1, 2], top_rated=[2]) as server:
        yield server


@pytest.fixture
def blank_database_url(database_url: str) -> Iterator[str]:
    """A database with nothing in it, on the suite's backend (SQLite or PostgreSQL)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield str(url.set(database=f"{url.database}.blank-{secrets.token_hex(4)}"))
        return
    name = f"{url.database}_blank_{secrets.token_hex(4)}"
    admin = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as s:
            s.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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


BROWSER_TESTS = ROOT / "tests" / "browser"


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


@pytest.fixture
def pending_jobs(app: Flask, db) -> Iterator[list[int]]:
    """Ids the manual job engine holds, emptied before and after the test (jobs.run_pending)."""
    from app.jobs import engines

    engine = engines.for_app(app)
    engine.pending.clear()
    yield engine.pending
    engine.pending.clear()


@pytest.fixture
def sample(db, tmp_path: Path) -> None:
    """The bundled sample catalog, loaded as `flask seed sample` does."""
    from seeder import SAMPLE_DIR
    from seeder.load import Loader
    from seeder.process import process

    process(SAMPLE_DIR, tmp_path / "processed")
    Loader(db.session).run(tmp_path / "processed")
    db.session.commit()
    if not is_sqlite():
        # The load's own VACUUM ANALYZE cannot see rows this test's transaction
        # holds: without statistics the planner takes the tables for empty.
        db.session.execute(text("ANALYZE"))
