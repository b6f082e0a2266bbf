"""/api/v1/search: movies and people matching a query, and type-ahead suggestions."""

from __future__ import annotations

from ..routes.search import suggestions
from ..services import search
from ..services.search import Query
from .area import Area
from .caching import catalog_read
from .schemas import SearchArgs, SearchResultsSchema, SuggestArgs, SuggestionsSchema

bp = Area("search", __name__, url_prefix="/search", description="Search")
RESULTS = 24


@bp.route("/")
@catalog_read
@bp.arguments(SearchArgs, location="query", as_kwargs=True)
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
@catalog_read
@bp.arguments(SuggestArgs, location="query", as_kwargs=True)
@bp.response(200, SuggestionsSchema)
def suggest(q: str, kind: str | None = None):
    """Up to 8 suggestions once `q` has 2 characters, as the search box shows them."""
    return suggestions(Query.parse(q), kind=kind)
