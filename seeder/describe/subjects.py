"""What needs a text in a language, and the facts about it, read from the database.

A movie needs one when TMDB has no overview in that language, a person when
TMDB has no biography in it, every genre, and every crew job in use. The
catalog's main language is in the entities' own columns, the others in their
translations. Facts are given in the language asked (titles, genre names) and
read in a few queries per batch, never one per subject.
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
from app.models.localized import translation_in

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

    @property
    def language(self) -> str:
        """The language the text is to be written in."""
        return self.prompt.language


def _prompt(kind: str, subject: str, facts: dict[str, Any], language: str) -> Prompt:
    return Prompt(kind, subject, facts, language, MAX_CHARS[kind])


def _in(texts: list[GeneratedText], language: str) -> GeneratedText | None:
    return next((text for text in texts if text.language == language), None)


def _named(entity: Movie | Genre, field: str, language: str) -> str:
    """A title or name in `language`, else the catalog's own."""
    return entity.translation(language, field) or getattr(entity, field)


def _empty(column: Any) -> Any:
    return or_(column.is_(None), column == "")


def _tmdb_text(model: type[Movie] | type[Person], field: str, language: str, main: str) -> Any:
    """The column (or translation) holding TMDB's text of `field` in `language`."""
    if language == main:
        return getattr(model, field)
    return model.translations[(language, field)].as_string()


def movies(
    language: str, *, main: str = "en", limit: int | None = None, batch: int = 200
) -> Iterator[Subject]:
    """Movies without a TMDB overview in `language`, most popular first."""
    query = (
        select(Movie)
        .where(_empty(_tmdb_text(Movie, "overview", language, main)))
        .order_by(Movie.popularity.desc(), Movie.id)
        .options(selectinload(Movie.genres), selectinload(Movie.generated_texts))
        .limit(limit)
    )
    found = list(db.session.scalars(query))
    for start in range(0, len(found), batch):
        chunk = found[start : start + batch]
        people = _credits_by_movie([movie.id for movie in chunk])
        for movie in chunk:
            cast, directors = people[movie.id]
            title = _named(movie, "title", language)
            tagline = movie.tagline if language == main else movie.translation(language, "tagline")
            facts = {
                "Year": movie.year,
                "Original title": movie.original_title
                if movie.original_title and movie.original_title != title
                else None,
                "Genres": [_named(genre, "name", language) for genre in movie.genres],
                "Directed by": directors,
                "Starring": cast[:MAIN_CAST],
                "Runtime": _minutes(movie.runtime, language),
                "Tagline": tagline,
            }
            prompt = _prompt("movie", title, facts, language)
            yield Subject("movie", movie.id, prompt, _in(movie.generated_texts, language))


def _minutes(runtime: int | None, language: str) -> str | None:
    if not runtime:
        return None
    return f"{runtime} minutos" if language.startswith("pt") else f"{runtime} minutes"


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


def people(
    language: str, *, main: str = "en", limit: int | None = None, batch: int = 200
) -> Iterator[Subject]:
    """People without a TMDB biography in `language`, most popular first."""
    query = (
        select(Person)
        .where(_empty(_tmdb_text(Person, "biography", language, main)))
        .order_by(Person.popularity.desc(), Person.id)
        .options(selectinload(Person.generated_texts))
        .limit(limit)
    )
    found = list(db.session.scalars(query))
    for start in range(0, len(found), batch):
        chunk = found[start : start + batch]
        known_for = _known_for([person.id for person in chunk], language)
        for person in chunk:
            facts = {
                "Known for": person.known_for_department,
                "Born": person.birthday.isoformat() if person.birthday else None,
                "Place of birth": person.place_of_birth,
                "Died": person.deathday.isoformat() if person.deathday else None,
                "Films in this catalog": known_for.get(person.id, []),
            }
            prompt = _prompt("person", person.name, facts, language)
            yield Subject("person", person.id, prompt, _in(person.generated_texts, language))


def _translated_title(title: str, translations: dict | None, language: str) -> str:
    return translation_in(translations, language, "title") or title


def _known_for(person_ids: list[int], language: str, per_person: int = 4) -> dict[int, list[str]]:
    """Each person's best-known titles (with years), most popular first, in one query."""
    rows = db.session.execute(
        select(Credit.person_id, Movie.title, Movie.translations, Movie.release_date)
        .join(Movie, Movie.id == Credit.movie_id)
        .where(Credit.person_id.in_(person_ids))
        .order_by(Credit.person_id, Movie.popularity.desc(), Movie.id)
    )
    titles: dict[int, list[str]] = defaultdict(list)
    for person_id, own_title, translations, released in rows:
        title = _translated_title(own_title, translations, language)
        label = f"{title} ({released.year})" if released else title
        if len(titles[person_id]) < per_person and label not in titles[person_id]:
            titles[person_id].append(label)
    return titles


def genres(language: str, *, main: str = "en", limit: int | None = None) -> Iterator[Subject]:
    """Every genre, with how many movies it has and some of the best known (two queries)."""
    found = list(
        db.session.scalars(
            select(Genre)
            .order_by(Genre.name)
            .options(selectinload(Genre.generated_texts))
            .limit(limit)
        )
    )
    counts = dict(
        db.session.execute(
            select(movie_genres.c.genre_id, func.count()).group_by(movie_genres.c.genre_id)
        ).all()
    )
    best_known = _best_known([genre.id for genre in found], language)
    for genre in found:
        facts = {
            "Movies in this catalog": counts.get(genre.id, 0),
            "Best known": best_known.get(genre.id, []),
        }
        prompt = _prompt("genre", _named(genre, "name", language), facts, language)
        yield Subject("genre", genre.id, prompt, _in(genre.generated_texts, language))


def _best_known(genre_ids: list[int], language: str, per_genre: int = 3) -> dict[int, list[str]]:
    """The most popular titles of each genre, in one query."""
    ranked = (
        select(
            movie_genres.c.genre_id,
            Movie.title,
            Movie.translations,
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
        select(ranked.c.genre_id, ranked.c.title, ranked.c.translations)
        .where(ranked.c.rank <= per_genre)
        .order_by(ranked.c.genre_id, ranked.c.rank)
    )
    for genre_id, title, translations in rows:
        titles[genre_id].append(_translated_title(title, translations, language))
    return titles


def jobs(language: str, *, main: str = "en", limit: int | None = None) -> Iterator[Subject]:
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
            select(GeneratedText).where(
                GeneratedText.crew_job.is_not(None), GeneratedText.language == language
            )
        )
    }
    for job, department, count in rows:
        facts = {"Department": department, "Credits in this catalog": count}
        yield Subject("job", job, _prompt("job", job, facts, language), existing.get(job))
