"""Genre pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..services import catalog
from .caching import public_page
from .helpers import movie_list_page, or_404

bp = Blueprint("genres", __name__, url_prefix="/genres")


@bp.get("/")
@public_page
def index():
    """Every genre with its number of movies."""
    return render_template("genres/index.jinja2", genres=catalog.genres_by_local_name())


@bp.get("/<slug>")
@public_page
def detail(slug: str):
    """A genre's description and its movies, with the same filters as /movies."""
    return movie_list_page("genres/detail.jinja2", genre=or_404(catalog.get_genre_by_slug(slug)))
