"""What needs a text, and the facts about it, read from the database.

A movie needs one when its TMDB overview is empty, a person when the TMDB
biography is empty, every genre, and every crew job in use. Facts are read
in a few queries per batch, never one per subject.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.infra.db import db
from app.models import Credit, CreditKind, GeneratedText, Genre, Movie, Person, movie_genres

from .base import Prompt

MAX_CHARS = {"movie": 600, "person": 700, "genre": 500, "job": 500}
MAIN_CAST = 4


@dataclass(frozen=True)
class Subject:
    """One thing to describe: its kind, its key, and the prompt built from its facts."""

    kind: str
    key: int | str  # a row id, or the crew job's name
    prompt: Prompt
    existing: GeneratedText | None


def _prompt(kind: str, subject: str, facts: dict[str, Any], language: str) -> Prompt:
    return Prompt(kind, subject, facts, language, MAX_CHARS[kind])


def movies(language: str, *, limit: int | None = None, batch: int = 200) -> Iterator[Subject]:
    """Movies without a TMDB overview, most popular first."""
    query = (
        select(Movie)
        .where(or_(Movie.overview.is_(None), Movie.overview == ""))
        .order_by(Movie.popularity.desc(), Movie.id)
        .options(selectinload(Movie.genres), selectinload(Movie.generated_text))
        .limit(limit)
    )
    found = list(db.session.scalars(query))
    for start in range(0, len(found), batch):
        chunk = found[start : start + batch]
        people = _credits_by_movie([movie.id for movie in chunk])
        for movie in chunk:
            cast, directors = people[movie.id]
            facts = {
                "Year": movie.year,
                "Original title": movie.original_title
                if movie.original_title and movie.original_title != movie.title
                else None,
                "Genres": [genre.name for genre in movie.genres],
                "Directed by": directors,
                "Starring": cast[:MAIN_CAST],
                "Runtime": f"{movie.runtime} minutes" if movie.runtime else None,
                "Tagline": movie.tagline,
            }
            prompt = _prompt("movie", movie.title, facts, language)
            yield Subject("movie", movie.id, prompt, movie.generated_text)


def _credits_by_movie(movie_ids: list[int]) -> dict[int, tuple[list[str], list[str]]]:
    """Billed cast (in order) and directors of each movie, in one query."""
    found: dict[int, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    rows = db.session.execute(
        select(Credit.movie_id, Credit.kind, Credit.job, Person.name)
        .join(Person, Person.id == Credit.person_id)
        .where(
            Credit.movie_id.in_(movie_ids),
            or_(Credit.kind == CreditKind.cast, Credit.job == "Director"),
        )
        .order_by(Credit.movie_id, Credit.cast_order, Credit.id)
    )
    for movie_id, kind, _job, name in rows:
        cast, directors = found[movie_id]
        names = cast if kind is CreditKind.cast else directors
        if name not in names:  # one person in two roles is named once
            names.append(name)
    return found


def people(language: str, *, limit: int | None = None, batch: int = 200) -> Iterator[Subject]:
    """People without a TMDB biography, most popular first."""
    query = (
        select(Person)
        .where(or_(Person.biography.is_(None), Person.biography == ""))
        .order_by(Person.popularity.desc(), Person.id)
        .options(selectinload(Person.generated_text))
        .limit(limit)
    )
    found = list(db.session.scalars(query))
    for start in range(0, len(found), batch):
        chunk = found[start : start + batch]
        known_for = _known_for([person.id for person in chunk])
        for person in chunk:
            facts = {
                "Known for": person.known_for_department,
                "Born": person.birthday.isoformat() if person.birthday else None,
                "Place of birth": person.place_of_birth,
                "Died": person.deathday.isoformat() if person.deathday else None,
                "Films in this catalog": known_for.get(person.id, []),
            }
            prompt = _prompt("person", person.name, facts, language)
            yield Subject("person", person.id, prompt, person.generated_text)


def _known_for(person_ids: list[int], per_person: int = 4) -> dict[int, list[str]]:
    """Each person's best-known titles (with years), most popular first, in one query."""
    rows = db.session.execute(
        select(Credit.person_id, Movie.title, Movie.release_date)
        .join(Movie, Movie.id == Credit.movie_id)
        .where(Credit.person_id.in_(person_ids))
        .order_by(Credit.person_id, Movie.popularity.desc(), Movie.id)
    )
    titles: dict[int, list[str]] = defaultdict(list)
    for person_id, title, released in rows:
        label = f"{title} ({released.year})" if released else title
        if len(titles[person_id]) < per_person and label not in titles[person_id]:
            titles[person_id].append(label)
    return titles


def genres(language: str, *, limit: int | None = None) -> Iterator[Subject]:
    """Every genre, with how many movies it has and some of the best known (two queries)."""
    found = list(
        db.session.scalars(
            select(Genre)
            .order_by(Genre.name)
            .options(selectinload(Genre.generated_text))
            .limit(limit)
        )
    )
    counts = dict(
        db.session.execute(
            select(movie_genres.c.genre_id, func.count()).group_by(movie_genres.c.genre_id)
        ).all()
    )
    best_known = _best_known([genre.id for genre in found])
    for genre in found:
        facts = {
            "Movies in this catalog": counts.get(genre.id, 0),
            "Best known": best_known.get(genre.id, []),
        }
        prompt = _prompt("genre", genre.name, facts, language)
        yield Subject("genre", genre.id, prompt, genre.generated_text)


def _best_known(genre_ids: list[int], per_genre: int = 3) -> dict[int, list[str]]:
    """The most popular titles of each genre, in one query."""
    ranked = (
        select(
            movie_genres.c.genre_id,
            Movie.title,
            func.row_number()
            .over(
                partition_by=movie_genres.c.genre_id,
                order_by=(Movie.popularity.desc(), Movie.id),
            )
            .label("rank"),
        )
        .join(Movie, Movie.id == movie_genres.c.movie_id)
        .where(movie_genres.c.genre_id.in_(genre_ids))
        .subquery()
    )
    titles: dict[int, list[str]] = defaultdict(list)
    rows = db.session.execute(
        select(ranked.c.genre_id, ranked.c.title)
        .where(ranked.c.rank <= per_genre)
        .order_by(ranked.c.genre_id, ranked.c.rank)
    )
    for genre_id, title in rows:
        titles[genre_id].append(title)
    return titles


def jobs(language: str, *, limit: int | None = None) -> Iterator[Subject]:
    """Every crew job in use, with its department and how many credits it has."""
    rows = db.session.execute(
        select(Credit.job, func.min(Credit.department), func.count())
        .where(Credit.kind == CreditKind.crew, Credit.job.is_not(None))
        .group_by(Credit.job)
        .order_by(func.count().desc(), Credit.job)
        .limit(limit)
    ).all()
    existing = {
        text.crew_job: text
        for text in db.session.scalars(
            select(GeneratedText).where(GeneratedText.crew_job.is_not(None))
        )
    }
    for job, department, count in rows:
        facts = {"Department": department, "Credits in this catalog": count}
        yield Subject("job", job, _prompt("job", job, facts, language), existing.get(job))
