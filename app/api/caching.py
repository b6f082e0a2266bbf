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

from flask_smorest import Blueprint

from ..routes.caching import validated_answer


def catalog_read(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send the catalog's ETag with `public, no-cache`; answer a matching If-None-Match with 304."""

    @wraps(view)
    def conditional(*args: Any, **kwargs: Any) -> Any:
        return validated_answer(partial(view, *args, **kwargs))

    not_modified = {"description": "Not Modified: the ETag sent in If-None-Match still holds"}
    return Blueprint.doc(responses={"304": not_modified})(conditional)
