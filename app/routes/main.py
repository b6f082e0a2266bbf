"""Home page, "Surprise me" and the health check."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import jobs
from ..infra import health as health_checks
from ..infra import i18n
from ..infra.db import db
from ..infra.security import is_safe_redirect
from ..services import accounts, catalog
from .caching import public_page

bp = Blueprint("main", __name__)

FOLLOW_BROWSER = "browser"


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
        genres=catalog.genres_by_local_name(),
    )


@bp.get("/random")
def random():
    """Open a movie picked at random."""
    movie = catalog.random_movie()
    if movie is None:
        flash(_("The catalog is empty: there is nothing to pick from yet."), "info")
        return redirect(url_for(".index"))
    return redirect(url_for("movies.detail", movie_id=movie.id, slug=movie.slug))


@bp.route("/language", methods=["GET", "POST"])
def language():
    """The footer's switcher: remember the language in a cookie (and, signed in, the account).

    Visitors get a plain link (GET), so the page stays the same for all and
    can be cached; members post a form, since their choice is saved.
    """
    values = request.form if request.method == "POST" else request.args
    # "browser" (the account page's first choice) forgets the choice made here.
    follow_browser = request.method == "POST" and values.get("locale") == FOLLOW_BROWSER
    locale = None if follow_browser else i18n.supported(values.get("locale"))
    if locale is None and not follow_browser:
        abort(400, _("Marquee does not speak that language yet."))
    if request.method == "POST" and current_user.is_authenticated:
        accounts.set_locale(current_user, locale)
        db.session.commit()
    target = values.get("next")
    response = redirect(target if is_safe_redirect(target) else url_for(".index"))
    i18n.remember_locale(response, locale)
    return response


@bp.get("/healthz")
def health():
    """For load balancers: 200 when the database (and Redis, if set) answer, else 503."""
    checks = health_checks.check()
    healthy = all(result == "ok" for result in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": checks, "jobs": jobs.mode()}
    return body, 200 if healthy else 503, {"Cache-Control": "no-store"}
