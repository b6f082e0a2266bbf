"""Logging: one readable line per record on stderr, and one line per request."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET_PATHS = ("/healthz",)  # load balancers ask every few seconds


def configure_logging(app: Flask) -> None:
    """Send the app's logs to stderr at the configured level; time and log each request."""
    level = str(app.config["LOG_LEVEL"]).upper()
    if level not in logging.getLevelNamesMapping():
        level = "INFO"
        app.logger.warning("Unknown LOG_LEVEL %r; using INFO.", app.config["LOG_LEVEL"])
    app.logger.setLevel(level)
    for handler in app.logger.handlers:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
    requests = app.logger.getChild("request")
    app.before_request(_start_clock)

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("request_started")
        if started is None:
            return response
        milliseconds = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"app;dur={milliseconds:.1f}"
        level = logging.DEBUG if request.path in QUIET_PATHS else logging.INFO
        if requests.isEnabledFor(level):
            requests.log(level, request_line(response, milliseconds))
        return response


def request_line(response: Response, milliseconds: float) -> str:
    """`GET /movies/?page=2 200 12.3ms 5120B ip=… user=… id=…`: one request, greppable."""
    user = getattr(g.get("_login_user"), "id", None)  # only if the request loaded it
    parts = [
        request.method,
        request.full_path.rstrip("?"),
        str(response.status_code),
        f"{milliseconds:.1f}ms",
        f"{response.content_length or 0}B",
        f"ip={request.remote_addr or '-'}",
        f"user={user or '-'}",
    ]
    request_id = request.headers.get("X-Request-ID")
    if request_id:
        parts.append(f"id={request_id[:64]!r}")
    return " ".join(parts)


def _start_clock() -> None:
    g.request_started = time.perf_counter()
