"""Pages of results: the page in the body with its totals, and RFC 8288 Link headers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import request

from ..services.paging import Page


def paged(page: Page[Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The body and headers for one page: first, prev, next and last links keep the query."""
    links = {"first": 1, "last": page.pages}
    if page.has_prev:
        links["prev"] = page.page - 1
    if page.has_next:
        links["next"] = page.page + 1
    header = ", ".join(f'<{_page_url(number)}>; rel="{rel}"' for rel, number in links.items())
    body = {
        "items": page.items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }
    return body, {"Link": header, "X-Total-Count": str(page.total)}


def _page_url(number: int) -> str:
    """This request's address with `page` set: the rest of its query string as it came."""
    kept = [(name, value) for name, value in request.args.items(multi=True) if name != "page"]
    return f"{request.base_url}?{urlencode([*kept, ('page', number)])}"
