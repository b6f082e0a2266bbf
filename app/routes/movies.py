"""Movie pages."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for

from ..services import catalog
from .helpers import or_404, page_number

bp = Blueprint("movies", __name__, url_prefix="/movies")


@bp.get("/")
def index():
    """All movies, most popular first."""
    movies = catalog.list_(page=page_number(), per_page=current_app.config["MOVIES_PER_PAGE"])
    return render_template("movies/index.jinja2", movies=movies)


@bp.get("/<int:movie_id>")
@bp.get("/<int:movie_id>-<slug>")
def detail(movie_id: int, slug: str | None = None):
    """One movie; a missing or wrong slug redirects to the canonical URL."""
    movie = or_404(catalog.get(movie_id))
    if slug != movie.slug:
        return redirect(url_for(".detail", movie_id=movie.id, slug=movie.slug), 301)
    return render_template("movies/detail.jinja2", movie=movie, cast=catalog.cast_of(movie))
