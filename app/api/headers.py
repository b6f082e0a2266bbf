"""Headers every API answer carries: cache policy, language, and the standard rate limit ones."""

from __future__ import annotations

import math
import time

from flask import Response, current_app, g

from ..infra import i18n
from ..infra.limits import limiter
from ..infra.problems import MEDIA_TYPE, is_api_request


def finish(response: Response) -> Response:
    """Cache policy, and what the answer varies with."""
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store" if g.get("api_token") else "no-cache"
    response.vary.update(("Accept-Language", "Authorization"))
    if current_app.config["API_CORS_ORIGINS"]:
        response.vary.add("Origin")
    return response


LIMITER_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def last_word(response: Response) -> Response:
    """What the API's answers get after every other after_request, Flask-Limiter's and CORS's."""
    if is_api_request():
        if response.mimetype in ("application/json", MEDIA_TYPE):
            response.headers["Content-Language"] = i18n.current_locale()
        _one_vary_line(response)
        _rate_limit_headers(response)
    return response


def _one_vary_line(response: Response) -> None:
    # Flask-CORS adds its own Vary line; merged into one, the session's Vary: Cookie keeps it.
    if varying := ", ".join(response.headers.getlist("Vary")):
        response.headers["Vary"] = varying


def _rate_limit_headers(response: Response) -> None:
    """The IETF RateLimit-* headers in place of Flask-Limiter's X-RateLimit-*.

    RateLimit-Reset counts seconds (Flask-Limiter sends a timestamp), and
    Retry-After is only sent when the request was refused.
    """
    for name in LIMITER_HEADERS:
        response.headers.pop(name, None)
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    if (current := limiter.current_limit) is None:
        return
    reset, remaining = current.window
    response.headers["RateLimit-Limit"] = str(current.limit.amount)
    response.headers["RateLimit-Remaining"] = str(max(remaining, 0))
    response.headers["RateLimit-Reset"] = str(max(math.ceil(reset - time.time()), 0))
    response.headers["RateLimit-Policy"] = f"{current.limit.amount};w={current.limit.get_expiry()}"
