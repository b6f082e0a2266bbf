"""/api/v1/movies: the catalog's movies with every filter and sort of /movies/, and one movie."""

from __future__ import annotations

from flask import abort, redirect, url_for
from flask_babel import gettext as _

from ..infra.problems import problem
from ..models import EntityType, Movie
from ..services import catalog, reviews
from ..services.catalog import MovieFilters
from ..services.edits import merges
from .area import Area
from .caching import catalog_read
from .paging import paged
from .schemas import MovieDetailSchema, MovieListArgs, MoviePageSchema, PageArgs, ReviewPageSchema
from .shown import Shown

bp = Area("movies", __name__, url_prefix="/movies", description="The catalog's movies")


@bp.route("/")
@bp.arguments(MovieListArgs, location="query", as_kwargs=True)
@catalog_read
@bp.response(200, MoviePageSchema)
def list_movies(page: int, per_page: int, **asked):
    """Movies, filtered and sorted as /movies/ does; a value the filters cannot use is a 422."""
    filters = _filters(**asked)
    return paged(catalog.list_(filters, page=page, per_page=per_page))


def _filters(
    *, genre: list[str], decade: int | None = None, year_from=None, year_to=None, **asked
) -> MovieFilters:
    """The list's filters as the page reads them: a decade when no years are given; years swapped
    when the first is after the second. An unknown genre slug matches no movie."""
    if decade is not None and year_from is None and year_to is None:
        year_from, year_to = decade, decade + 9
    if year_from is not None and year_to is not None and year_from > year_to:
        year_from, year_to = year_to, year_from
    return MovieFilters(
        genres=tuple(dict.fromkeys(genre)), year_from=year_from, year_to=year_to, **asked
    )


def movie_or_404(movie_id: int, endpoint: str) -> Movie:
    """The movie; a merged one's address redirects (301) to the one it went into; hidden is 410."""
    movie = catalog.get(movie_id)
    if movie is None:
        new_id = merges.target(EntityType.movie, movie_id)
        if new_id is None:
            abort(problem("not-found", detail=_("There is no movie %(id)s.", id=movie_id)))
        abort(redirect(url_for(endpoint, movie_id=new_id), 301))
    if movie.hidden_at is not None:
        abort(problem("gone", detail=_("This movie was taken out of the catalog.")))
    return movie


@bp.route("/<id:movie_id>")
@catalog_read
@bp.response(200, MovieDetailSchema)
@bp.alt_response(301, description="Merged into another movie: Location is its address")
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(410, response="GONE")
def get_movie(movie_id: int):
    """One movie with its genres, every credit, members' figures and similar movies."""
    movie = movie_or_404(movie_id, ".get_movie")
    credits = catalog.credits_of(movie)
    crew = [credit for department in credits.crew_by_department.values() for credit in department]
    return Shown(
        movie,
        cast=credits.cast,
        crew=crew,
        members=reviews.stats_for_movie(movie),
        similar=catalog.similar(movie),
    )


@bp.route("/<id:movie_id>/reviews")
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@catalog_read
@bp.response(200, ReviewPageSchema)
@bp.alt_response(301, description="Merged into another movie: Location is its reviews")
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(410, response="GONE")
def list_movie_reviews(movie_id: int, page: int, per_page: int):
    """Members' ratings and reviews of one movie, newest first."""
    movie = movie_or_404(movie_id, ".list_movie_reviews")
    _own, others = reviews.for_movie(movie, page=page, per_page=per_page, viewer=None)
    return paged(others)
