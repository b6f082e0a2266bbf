"""Movie pages: the filtered list, one movie, its full cast and crew."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..forms.reviews import ReviewForm
from ..models import EntityType
from ..services import catalog, reviews
from ..services.edits import locks
from .caching import public_page
from .helpers import canonical_or_404, merged_or_404, movie_list_page

bp = Blueprint("movies", __name__, url_prefix="/movies")


@bp.get("/")
@public_page
def index():
    """All movies, filtered and sorted as the query string says."""
    return movie_list_page("movies/index.jinja2")


@bp.get("/<id:movie_id>")
@bp.get("/<id:movie_id>-<slug>")
@public_page
def detail(movie_id: int, slug: str | None = None):
    """One movie; a missing or wrong slug redirects to the canonical URL."""
    movie = canonical_or_404(
        catalog.get(movie_id) or merged_or_404(EntityType.movie, movie_id, ".detail", "movie_id"),
        endpoint=".detail",
        given=slug,
        movie_id=movie_id,
        keep_query=("reviews_page",),
    )
    return hidden_page(movie) if movie.hidden_at else movie_page(movie)


def hidden_page(movie):
    """A hidden movie's address says it is gone (410); members' rows of it stay theirs."""
    return render_template("movies/hidden.jinja2", movie=movie), 410


def movie_page(movie, *, review_form: ReviewForm | None = None, status: int = 200):
    """The movie page; a review form sent back with its errors keeps what was typed."""
    viewer = current_user if current_user.is_authenticated else None
    # No form for visitors: its CSRF token would give the shared page a session cookie.
    review_form = review_form or (ReviewForm() if viewer else None)
    own, others = reviews.for_movie(
        movie, page=request.args.get("reviews_page", 1, type=int), viewer=viewer
    )
    page = render_template(
        "movies/detail.jinja2",
        movie=movie,
        credits=catalog.credits_of(movie),
        similar=catalog.similar(movie),
        stats=reviews.stats_for_movie(movie),
        own_review=own,
        reviews=others,
        rating_form=review_form,
        written_by=locks.authors(EntityType.movie, movie.id, ("overview", "tagline")),
    )
    return page, status


@bp.get("/<id:movie_id>-<slug>/credits")
@public_page
def credits(movie_id: int, slug: str):
    """The full cast and crew of one movie."""
    movie = canonical_or_404(
        catalog.get(movie_id) or merged_or_404(EntityType.movie, movie_id, ".detail", "movie_id"),
        endpoint=".credits",
        given=slug,
        movie_id=movie_id,
    )
    if movie.hidden_at:
        return hidden_page(movie)
    return render_template("movies/credits.jinja2", movie=movie, credits=catalog.credits_of(movie))
