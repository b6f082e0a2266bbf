"""Headers every API answer carries: cache policy, language, and the standard rate limit ones."""

from __future__ import annotations

import time

from flask import Response, g

from ..infra import i18n
from ..infra.limits import limiter
from ..infra.problems import is_api_request


def finish(response: Response) -> Response:
    """Cache policy and the language answered in."""
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store" if g.get("api_token") else "no-cache"
    response.vary.update(("Accept-Language", "Authorization"))
    if response.mimetype == "application/json":
        response.headers["Content-Language"] = i18n.current_locale()
    return response


LIMITER_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def rate_limit_headers(response: Response) -> Response:
    """The IETF RateLimit-* headers in place of Flask-Limiter's X-RateLimit-* on API answers.

    RateLimit-Reset counts seconds (Flask-Limiter sends a timestamp), and
    Retry-After is only sent when the request was refused.
    """
    if not is_api_request():
        return response
    for name in LIMITER_HEADERS:
        response.headers.pop(name, None)
    if response.status_code != 429 and response.status_code != 503:
        response.headers.pop("Retry-After", None)
    current = limiter.current_limit
    if current is not None:
        response.headers["RateLimit-Limit"] = str(current.limit.amount)
        response.headers["RateLimit-Remaining"] = str(max(current.remaining, 0))
        response.headers["RateLimit-Reset"] = str(max(current.reset_at - int(time.time()), 0))
        response.headers["RateLimit-Policy"] = (
            f"{current.limit.amount};w={current.limit.get_expiry()}"
        )
    return response
