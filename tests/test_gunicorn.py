"""gunicorn.conf.py: sized from the CPU count, and the app served by real gunicorn workers."""

from __future__ import annotations

import os
import re
import runpy
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from app.infra import crypto
from tests.support import (
    CSRF_FIELD,
    ROOT,
    child_environment,
    free_port,
    run_flask,
    running_server,
)

CONFIG = ROOT / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).parent / "gunicorn"


def settings(monkeypatch, **environment) -> dict:
    for name in ("MARQUEE_BIND", "WEB_CONCURRENCY", "MARQUEE_THREADS", "MARQUEE_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_workers_follow_the_cpu_count_unless_told(monkeypatch):
    defaults = settings(monkeypatch)
    assert defaults["workers"] == os.cpu_count() + 1
    assert defaults["worker_class"] == "gthread"
    assert defaults["threads"] == 4
    assert defaults["bind"] == "127.0.0.1:8000"
    assert defaults["preload_app"] is True
    assert defaults["accesslog"] is None  # the app logs each request itself

    chosen = settings(monkeypatch, WEB_CONCURRENCY="9", MARQUEE_THREADS="2")
    assert (chosen["workers"], chosen["threads"]) == (9, 2)


@contextmanager
def serving(tmp_path: Path, **settings: str) -> Iterator[tuple[str, subprocess.Popen, Path]]:
    """Real gunicorn with the project's config, two workers, MARQUEE_ENV=prod, behind a proxy."""
    instance = tmp_path / "instance"
    crypto.initialize(instance, secret_key="g" * 48)
    port = free_port()
    environment = child_environment(
        MARQUEE_INSTANCE_PATH=str(instance),
        MARQUEE_ENV="prod",
        DATABASE_URL=f"sqlite:///{tmp_path / 'served.sqlite3'}",
        FLASK_BASE_URL=f"http://127.0.0.1:{port}",
        FLASK_TRUSTED_PROXY_COUNT="1",
        MARQUEE_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        MARQUEE_THREADS="2",
        **settings,
    )
    run_flask(environment, "db", "upgrade")
    log = tmp_path / "gunicorn.log"
    command = [str(GUNICORN), "--config", str(CONFIG)]
    with running_server(command, environment, port=port, log=log, stop_seconds=30) as server:
        yield f"http://127.0.0.1:{port}", server, log


@pytest.fixture
def gunicorn(tmp_path: Path):
    with serving(tmp_path) as served:
        yield served


def test_the_app_serves_under_gunicorn_with_caching_and_request_logs(gunicorn):
    base, server, log = gunicorn

    health = requests.get(base + "/healthz", timeout=5)
    home = requests.get(base + "/", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=5)
    again = requests.get(base + "/", headers={"If-None-Match": home.headers["ETag"]}, timeout=5)
    style = re.search(r'href="(/static/css/marquee\.[0-9a-f]{10}\.css)"', home.text).group(1)
    static = requests.get(base + style, timeout=5)

    assert health.status_code == 200
    assert health.json()["checks"] == {"database": "ok"}
    assert health.json()["jobs"] == "threads"  # no Redis: jobs run in the server's processes
    assert home.status_code == 200
    assert again.status_code == 304
    assert "immutable" in static.headers["Cache-Control"]
    workers = subprocess.run(
        ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    assert len(workers) == 2

    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=30) == 0
    lines = log.read_text().splitlines()
    assert any(re.search(r"GET / 200 \d+\.\dms \d+B ip=203\.0\.113\.9 ", line) for line in lines)
    assert any(re.search(r"GET / 304 ", line) for line in lines)
    assert not any("Traceback" in line for line in lines)


def test_with_redis_gone_pages_and_throttled_forms_still_answer(tmp_path):
    # Plain HTTP here: the session cookie must travel without TLS.
    settings = {"REDIS_URL": "redis://127.0.0.1:9/0", "FLASK_SESSION_COOKIE_SECURE": "false"}
    with serving(tmp_path, **settings) as (base, _server, _log):
        browser = requests.Session()
        health = browser.get(base + "/healthz", timeout=5)
        home = browser.get(base + "/", timeout=5)
        listing = browser.get(base + "/movies/?sort=title", timeout=5)  # page cache unreachable
        token = CSRF_FIELD.search(browser.get(base + "/login", timeout=5).text).group(1)
        login = browser.post(
            base + "/login",
            data={"identifier": "nobody", "password": "wrong password", "csrf_token": token},
            timeout=5,
        )

    assert health.status_code == 503
    assert health.json()["checks"]["redis"] == "unavailable (ConnectionError)"
    assert home.status_code == 200
    assert listing.status_code == 200
    assert login.status_code == 401  # throttling fell back to memory instead of a 500
