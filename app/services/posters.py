"""Designed placeholders for films and people without a TMDB image: what they show, drawn.

Pages link a placeholder by id with a digest of what they already hold (a
title and year, a name and department), so a page runs no query for it; the
placeholder's own request loads the rest in a fixed number of small queries.
"""

from __future__ import annotations

from sqlalchemy import select

from ..infra import placeholders
from ..infra.db import db
from ..models import Credit, Genre, Movie, Person, movie_genres
from ..models.localized import translation_in
from .catalog import DIRECTING_JOBS


def for_movie(movie_id: int, *, language: str | None = None) -> placeholders.Drawn | None:
    """A film's poster placeholder (title in `language`, year, directors, genres), or None."""
    found = db.session.execute(
        select(Movie.title, Movie.translations, Movie.release_date).where(Movie.id == movie_id)
    ).one_or_none()
    if found is None:
        return None
    genres = db.session.scalars(
        select(Genre.slug).join(movie_genres).where(movie_genres.c.movie_id == movie_id)
    )
    directors = db.session.scalars(
        select(Person.name)
        .join(Credit, Credit.person_id == Person.id)
        .where(Credit.movie_id == movie_id, Credit.job.in_(DIRECTING_JOBS))
        .order_by(Credit.id)
    )
    return placeholders.movie_poster(
        title=translation_in(found.translations, language, "title") or found.title,
        year=found.release_date.year if found.release_date else None,
        directors=list(directors),
        genres=list(genres),
    )


def for_person(person_id: int) -> placeholders.Drawn | None:
    """A person's portrait placeholder (name, department); None if there is no such person."""
    found = db.session.execute(
        select(Person.name, Person.known_for_department).where(Person.id == person_id)
    ).one_or_none()
    if found is None:
        return None
    return placeholders.person_portrait(name=found.name, department=found.known_for_department)
