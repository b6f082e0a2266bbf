"""Home page, "Surprise me" and the health check."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from .. import jobs
from ..infra import health as health_checks
from ..services import catalog
from .caching import public_page

bp = Blueprint("main", __name__)


@bp.get("/")
@public_page
def index():
    """The home page: rails of popular, top rated, new and recently added movies."""
    rails = catalog.home_rails()
    return render_template(
        "main/index.jinja2",
        movie_count=catalog.count(),
        popular=rails.popular,
        top_rated=rails.top_rated,
        new_releases=rails.new_releases,
        recently_added=rails.recently_added,
        genres=catalog.genres_with_counts(),
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
    """For load balancers: 200 when the database (and Redis, if set) answer, else 503."""
    checks = health_checks.check()
    healthy = all(result == "ok" for result in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": checks, "jobs": jobs.mode()}
    return body, 200 if healthy else 503, {"Cache-Control": "no-store"}
