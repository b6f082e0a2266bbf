"""Conditional GET and the page cache for catalog reads, as the catalog's pages have them.

An answer about the catalog changes only with the catalog's revision, the
release, the day and the reader's language, so its ETag is made of those
(routes/caching.py) and If-None-Match is answered with 304 before the view
runs; the same key keeps the built answer in the page cache
(PAGE_CACHE_TIMEOUT), so the next client asking that URL gets it without the
view running. Members' own data changes with every click and is never kept.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from flask import current_app
from flask_smorest import Blueprint

from ..routes.caching import kept_or_rendered, still_fresh, validators


def catalog_read(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send the catalog's ETag with `public, no-cache`; answer a matching If-None-Match with 304."""

    @wraps(view)
    def conditional(*args: Any, **kwargs: Any) -> Any:
        etag, last_modified = validators()
        if still_fresh(etag, last_modified):
            response = current_app.response_class(status=304)
        else:
            response = kept_or_rendered(partial(view, *args, **kwargs), etag=etag)
            if response.status_code != 200:
                return response
        response.set_etag(etag, weak=True)
        response.last_modified = last_modified
        response.cache_control.public = True
        response.cache_control.no_cache = True
        return response

    not_modified = {"description": "Not Modified: the ETag sent in If-None-Match still holds"}
    return Blueprint.doc(responses={"304": not_modified})(conditional)
