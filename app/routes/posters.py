"""Designed placeholders, as SVG, for films and people without a TMDB image."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, request

from ..infra import i18n, placeholders
from ..infra.httpcache import ONE_YEAR
from ..services import posters
from .helpers import or_404

bp = Blueprint("posters", __name__, url_prefix="/posters")


@bp.app_template_global()
def placeholder_url(item: Any, kind: str = "poster") -> str:
    """A film's designed placeholder (with kind='profile', a person's), as url_for builds it.

    Built by hand, as movie_url is, since a page of cards asks for dozens; the
    digest is of what the card already holds, so it costs the page no query.
    """
    if kind == "profile":
        digest = placeholders.person_digest(item.name, item.known_for_department)
        return f"{request.script_root}/posters/person/{item.id}.svg?v={digest}"
    title = getattr(item, "local_title", item.title)
    digest = placeholders.movie_digest(title, item.year)
    url = f"{request.script_root}/posters/movie/{item.id}.svg?v={digest}"
    # A title in the reader's language is drawn from that language's translation.
    return url if title == item.title else f"{url}&lang={quote(i18n.reading_language())}"


@bp.get("/movie/<id:movie_id>.svg")
def movie(movie_id: int):
    """A film's poster: its title, year and director on its genres' colours."""
    language = request.args.get("lang")
    language = language if language in i18n.catalog_languages() else None
    return svg_response(or_404(posters.for_movie(movie_id, language=language)))


@bp.get("/person/<id:person_id>.svg")
def person(person_id: int):
    """A person's card: their name and department on the department's colour."""
    return svg_response(or_404(posters.for_person(person_id)))


def svg_response(drawn: placeholders.Drawn) -> Response:
    """The SVG, kept for a year when asked for under its current digest, else revalidated."""
    response = Response(drawn.svg, mimetype="image/svg+xml")
    # Opened on its own, an SVG is a document: let it run nothing and fetch nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    response.cache_control.public = True
    if request.args.get("v") == drawn.digest:
        response.cache_control.max_age = ONE_YEAR
        response.cache_control.immutable = True
    else:
        # An older page's digest, or none: today's drawing, never kept under that URL.
        response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)
