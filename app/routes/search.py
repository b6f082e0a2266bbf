"""Search: the results page and the type-ahead suggestions."""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import ngettext

from ..infra.images import tmdb_image_url
from ..models import Movie, Person
from ..services import search
from ..services.search import MIN_SUGGEST_LENGTH, Query
from .caching import public_page

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.get("/")
@public_page
def results():
    """Movies and people matching ?q=, grouped by type."""
    query = Query.parse(request.args.get("q"))
    if query.trimmed:
        flash(
            ngettext(
                "Your search was cut to %(num)s character.",
                "Your search was cut to %(num)s characters.",
                search.MAX_QUERY_LENGTH,
            ),
            "warning",
        )
    movies, people = search.movies(query, limit=24), search.people(query, limit=24)
    return render_template("search/results.jinja2", query=query, movies=movies, people=people)


@bp.get("/suggest")
@public_page
def suggest():
    """Up to 8 suggestions as JSON once the query has 2 characters; ?kind= narrows to one kind."""
    return suggestions(Query.parse(request.args.get("q")), kind=request.args.get("kind"))


def suggestions(query: Query, *, kind: str | None) -> dict:
    """The search box's suggestions: movies first, then people (or one `kind` only)."""
    if len(query.key) < MIN_SUGGEST_LENGTH:
        return {"query": query.text, "results": []}
    if kind == "movie":
        results = [_movie_result(movie) for movie in search.movies(query, limit=8)]
        return {"query": query.text, "results": results}
    if kind == "person":
        return {
            "query": query.text,
            "results": [_person_result(p) for p in search.people(query, limit=8)],
        }
    movies, people = search.movies(query, limit=6), search.people(query, limit=4)
    results = [_movie_result(movie) for movie in movies[:5]]
    results += [_person_result(person) for person in people[: 8 - len(results)]]
    results += [_movie_result(movie) for movie in movies[5 : 5 + 8 - len(results)]]
    return {"query": query.text, "results": results}


def _movie_result(movie: Movie) -> dict:
    title = movie.local_title
    # Beside a title in the reader's language: the one it is known by elsewhere.
    beside = next((other for other in (movie.original_title, movie.title) if other != title), "")
    return {
        "type": "movie",
        "id": movie.id,
        "title": title,
        "subtitle": " · ".join(part for part in (beside, str(movie.year or "")) if part),
        "url": url_for("movies.detail", movie_id=movie.id, slug=movie.slug),
        "image": tmdb_image_url(movie.poster_path, "w92"),
    }


def _person_result(person: Person) -> dict:
    return {
        "type": "person",
        "id": person.id,
        "title": person.name,
        "subtitle": person.known_for_department or "",
        "url": url_for("people.detail", person_id=person.id, slug=person.slug),
        "image": tmdb_image_url(person.profile_path, "w45"),
    }
