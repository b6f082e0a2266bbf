"""Home page, "Surprise me" and the health check."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy import text

from ..infra.db import db
from ..services import catalog

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """The home page: rails of popular, top rated, new and recently added movies."""
    return render_template(
        "main/index.jinja2",
        movie_count=catalog.count(),
        popular=catalog.popular(),
        top_rated=catalog.top_rated(),
        new_releases=catalog.new_releases(),
        recently_added=catalog.recently_added(),
        genres=catalog.genres(),
    )


@bp.get("/random")
def random():
    """Open a movie picked at random."""
    movie = catalog.random_movie()
    if movie is None:
        flash("The catalog is empty: there is nothing to pick from yet.", "info")
        return redirect(url_for(".index"))
    return redirect(url_for("movies.detail", movie_id=movie.id, slug=movie.slug))


@bp.get("/healthz")
def health():
    """For load balancers: 200 when the database answers (a lost one gives 503)."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
