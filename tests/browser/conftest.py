"""Browser tests: Playwright driving Debian's Chromium against the app under `flask run`.

`make test-browser` runs them (`--browser`); `make test` leaves them out.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from app.infra import crypto
from tests.browser.members import PASSWORD
from tests.support import ROOT, child_environment, flask_server, run_flask

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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the test, so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def slow_tmdb() -> Iterator:
    """A TMDB-shaped server serving the bundled sample, two seconds a reply (jobs take a while)."""
    import json

    from seeder import SAMPLE_DIR
    from tests.seeder.tmdb_server import TMDBServer

    def replies(kind: str) -> dict[int, dict]:
        folder = SAMPLE_DIR / kind
        return {int(path.stem): json.loads(path.read_text()) for path in folder.glob("*.json")}

    with TMDBServer(movies=replies("movies"), people=replies("people"), latency=2.0) as server:
        yield server


@pytest.fixture(scope="session")
def served_site(tmp_path_factory: pytest.TempPathFactory, slow_tmdb) -> Iterator[tuple[str, Path]]:
    """The app under `flask run` with the described sample catalog; its URL and outbox.

    Its TMDB is `slow_tmdb`, and it runs jobs in its own thread pool (no Redis).
    """
    from tests.seeder.tmdb_server import API_KEY

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
        TMDB_API_KEY=API_KEY,
        TMDB_API_BASE_URL=slow_tmdb.base_url,
        FLASK_SEED_OUTPUT_DIR=str(folder / "seed"),
    )
    run_flask(environment, "db", "upgrade")
    run_flask(environment, "seed", "sample")
    run_flask(environment, "seed", "describe", "--provider", "offline")
    for username, role in (("editor", "editor"), ("curator", "admin")):
        run_flask(
            environment,
            "users",
            "create",
            "--email",
            f"{username}@example.com",
            "--username",
            username,
            "--password",
            PASSWORD,
        )
        run_flask(environment, "users", "role", username, role)
    with flask_server(environment, log=folder / "server.log") as base:
        yield base, instance / "outbox"


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
