"""Conditional GET and a page cache for catalog pages as an anonymous visitor sees them.

Such a page depends only on its URL, its language, the catalog's revision, the
release and the day (the home page's "new releases"), so its ETag is made of those and a
revalidation is answered with 304 before the view runs. The same parts key
the rendered page in the app cache (Redis when configured), so the next
visitor asking that URL gets it without the view running either; a load or
a review moves the revision and with it every key. Signed-in members see
their own watchlist and reviews on the same URLs: their pages are neither
cached nor validated, and stay private (httpcache.default_cache_control).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial, wraps
from typing import Any

from flask import Response, current_app, make_response, request, session
from flask_login import current_user

from ..infra import i18n
from ..infra.cache import cache
from ..services import revisions


def public_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send ETag, Last-Modified and `public, no-cache` to anonymous visitors; answer 304."""

    @wraps(view)
    def conditional_view(*args: Any, **kwargs: Any) -> Any:
        if not _shareable():
            return view(*args, **kwargs)
        return validated_answer(partial(view, *args, **kwargs))

    return conditional_view


def validated_answer(render: Callable[[], Any]) -> Response:
    """A 304 when the client's copy still holds, else the kept or rendered answer, validated."""
    etag, last_modified = validators()
    if still_fresh(etag, last_modified):
        response = current_app.response_class(status=304)
    else:
        response = kept_or_rendered(render, etag=etag)
        if response.status_code != 200:
            return response
    return _validated(response, etag, last_modified)


def _validated(response: Response, etag: str, last_modified: datetime) -> Response:
    """Validators and `public, no-cache`, varying with what chooses the page's language."""
    response.set_etag(etag, weak=True)
    response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.no_cache = True
    # The language comes from the switcher's cookie or from Accept-Language.
    response.vary.update(("Cookie", "Accept-Language"))
    return response


# What else a kept answer needs besides its body (the API's pages carry their links).
KEPT_HEADERS = ("Link", "X-Total-Count")


def kept_or_rendered(render: Callable[[], Any], *, etag: str) -> Response:
    """The answer from the page cache, or rendered now and kept for the next visitor."""
    keeping = max(current_app.config["PAGE_CACHE_TIMEOUT"], 0)
    if not keeping:
        return make_response(render())
    # The host too: the API's answers hold absolute links to the address they were asked at.
    address = f"{request.host_url}{request.full_path}"
    key = f"page:{etag}:{hashlib.sha256(address.encode()).hexdigest()[:32]}"
    if (kept := _page_cache(cache.get, key)) is not None:
        body, mimetype, headers = kept
        return current_app.response_class(body, mimetype=mimetype, headers=headers)
    response = make_response(render())
    if response.status_code == 200 and not session.modified:  # a message shown once is not kept
        headers = [
            (name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers
        ]
        _page_cache(cache.set, key, (response.get_data(), response.mimetype, headers), keeping)
    return response


def _page_cache(operation: Callable[..., Any], *args: Any) -> Any:
    """`cache.get` or `cache.set`; None when the cache cannot answer (the page renders)."""
    try:
        return operation(*args)
    except Exception as error:  # whatever the backend raises: render the page instead
        current_app.logger.warning("Page cache unavailable: %s", error.__class__.__name__)
        return None


def _shareable() -> bool:
    """Whether this response is the same for every anonymous visitor asking this URL."""
    return (
        request.method in ("GET", "HEAD")
        and not current_app.debug
        and not current_user.is_authenticated
        and not session.get("_flashes")
    )


def validators() -> tuple[str, datetime]:
    """The page's ETag and Last-Modified from the release, the revision and the day."""
    release, released_at = current_app.extensions["release"]
    stamp = revisions.current()
    now = datetime.now(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    etag = f"{release}-{stamp.number}-{now:%Y%m%d}-{i18n.current_locale()}"
    last_modified = max(stamp.changed_at, released_at, midnight).replace(microsecond=0)
    return etag, last_modified


def still_fresh(etag: str, last_modified: datetime) -> bool:
    """If-None-Match decides when sent (RFC 9110); otherwise If-Modified-Since."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    return since is not None and last_modified <= since
