"""/api/v1/search: movies and people matching a query, and type-ahead suggestions."""

from __future__ import annotations

from urllib.parse import urljoin

from flask import request

from ..routes.search import suggestions
from ..services import search
from ..services.search import Query
from .area import Area
from .caching import catalog_read
from .schemas import SearchArgs, SearchResultsSchema, SuggestArgs, SuggestionsSchema

bp = Area("search", __name__, url_prefix="/search", description="Search")
RESULTS = 24


@bp.route("/")
@bp.arguments(SearchArgs, location="query", as_kwargs=True)
@catalog_read
@bp.response(200, SearchResultsSchema)
def search_catalog(q: str):
    """The 24 best movies and people for `q`, as the search page finds them."""
    query = Query.parse(q)
    return {
        "query": query.text,
        "movies": search.movies(query, limit=RESULTS),
        "people": search.people(query, limit=RESULTS),
    }


@bp.route("/suggestions")
@bp.arguments(SuggestArgs, location="query", as_kwargs=True)
@catalog_read
@bp.response(200, SuggestionsSchema)
def suggest(q: str, kind: str | None = None):
    """Up to 8 suggestions once `q` has 2 characters, as the search box shows them."""
    found = suggestions(Query.parse(q), kind=kind)
    # The search box links relative to the site; a program needs the whole address.
    results = [{**each, "url": urljoin(request.host_url, each["url"])} for each in found["results"]]
    return {**found, "results": results}
