"""One log line per request, with its timing."""

from __future__ import annotations

import logging
import re

import pytest

REQUEST_LOGGER = "app.request"
LINE = re.compile(
    r"^(?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) (?P<ms>\d+\.\d)ms (?P<bytes>\d+)B "
    r"ip=(?P<ip>\S+) user=(?P<user>\S+)(?: id=(?P<id>.+))?$"
)


def request_lines(caplog) -> list[re.Match]:
    lines = [record.getMessage() for record in caplog.records if record.name == REQUEST_LOGGER]
    return [LINE.match(line) for line in lines]


@pytest.fixture
def logged(caplog):
    caplog.set_level(logging.DEBUG, logger=REQUEST_LOGGER)
    return caplog


def test_each_request_logs_one_line_with_its_timing(client, logged):
    response = client.get("/movies/?page=2", headers={"X-Request-ID": "abc-123"})

    (line,) = request_lines(logged)
    assert line is not None
    assert line["method"] == "GET"
    assert line["path"] == "/movies/?page=2"
    assert line["status"] == "200"
    assert int(line["bytes"]) == len(response.data)
    assert line["ip"] == "127.0.0.1"
    assert line["user"] == "-"
    assert line["id"] == "'abc-123'"
    milliseconds = float(line["ms"])
    assert response.headers["Server-Timing"] == f"app;dur={milliseconds}"


def test_the_line_names_a_signed_in_member(client, ana, logged):
    client.get("/watchlist")

    assert request_lines(logged)[-1]["user"] == str(ana.id)


def test_errors_are_logged_too(failing_app, logged):
    failing_app.testing = False  # let the error handler answer, as in production
    client = failing_app.test_client()
    client.get("/status/404")
    client.get("/boom")

    statuses = [line["status"] for line in request_lines(logged)]
    assert statuses == ["404", "500"]


def test_health_checks_log_only_at_debug(client, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    client.get("/healthz")
    client.get("/")

    assert [line["path"] for line in request_lines(caplog)] == ["/"]
