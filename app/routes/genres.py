"""Genre pages."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, render_template, request

from ..forms.catalog import MovieFilterForm
from ..services import catalog
from .caching import public_page
from .helpers import list_args, or_404, page_number
from .movies import genre_choices

bp = Blueprint("genres", __name__, url_prefix="/genres")


@bp.get("/")
@public_page
def index():
    """Every genre with its number of movies."""
    return render_template("genres/index.jinja2", genres=catalog.genres_with_counts())


@bp.get("/<slug>")
@public_page
def detail(slug: str):
    """A genre's description and its movies, with the same filters as /movies."""
    genre = or_404(catalog.genre_by_slug(slug))
    form = MovieFilterForm(request.args, genre_choices=genre_choices())
    filters, per_page, notices = form.filters()
    filters = replace(filters, genres=(genre.slug, *filters.genres))
    movies = catalog.list_(filters, page=page_number(), per_page=per_page)
    return render_template(
        "genres/detail.jinja2", genre=genre, form=form, filters=filters, movies=movies,
        notices=notices, args=list_args(), languages=catalog.languages(),
    )  # fmt: skip
