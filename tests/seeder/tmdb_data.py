"""Raw TMDB-shaped replies for tests."""

from __future__ import annotations

import hashlib
from typing import Any


def credit_id(*parts: Any) -> str:
    """A stable 24-hex credit id, like TMDB's."""
    return hashlib.md5("-".join(map(str, parts)).encode()).hexdigest()[:24]  # noqa: S324


def cast_member(movie_id: int, person_id: int, name: str, character: str, order: int) -> dict:
    """One entry of credits.cast."""
    return {
        "adult": False,
        "gender": 2,
        "id": person_id,
        "known_for_department": "Acting",
        "name": name,
        "original_name": name,
        "popularity": 5.0,
        "profile_path": None,
        "cast_id": order + 1,
        "character": character,
        "credit_id": credit_id(movie_id, person_id, character),
        "order": order,
    }


def crew_member(movie_id: int, person_id: int, name: str, job: str, department: str) -> dict:
    """One entry of credits.crew."""
    return {
        "adult": False,
        "gender": 1,
        "id": person_id,
        "known_for_department": department,
        "name": name,
        "original_name": name,
        "popularity": 3.0,
        "profile_path": None,
        "credit_id": credit_id(movie_id, person_id, job),
        "department": department,
        "job": job,
    }


def movie_reply(
    movie_id: int,
    title: str,
    *,
    cast: list[dict] | None = None,
    crew: list[dict] | None = None,
    genres: list[dict] | None = None,
    **fields: Any,
) -> dict:
    """A /movie/{id}?append_to_response=credits,release_dates,videos,keywords reply."""
    reply = {
        "adult": False,
        "backdrop_path": None,
        "budget": 1_000_000,
        "genres": genres if genres is not None else [{"id": 18, "name": "Drama"}],
        "homepage": "",
        "id": movie_id,
        "imdb_id": f"tt{movie_id:07d}",
        "original_language": "en",
        "original_title": title,
        "overview": "",
        "popularity": 10.0,
        "poster_path": None,
        "production_countries": [{"iso_3166_1": "US", "name": "United States of America"}],
        "release_date": "2001-02-03",
        "revenue": 5_000_000,
        "runtime": 100,
        "status": "Released",
        "tagline": "",
        "title": title,
        "video": False,
        "vote_average": 7.5,
        "vote_count": 1200,
        "credits": {"cast": cast or [], "crew": crew or []},
        "release_dates": {
            "results": [
                {
                    "iso_3166_1": "US",
                    "release_dates": [
                        {"certification": "", "type": 1},
                        {"certification": "PG-13", "type": 3},
                    ],
                }
            ]
        },
        "videos": {
            "results": [
                {"site": "YouTube", "type": "Teaser", "key": "teaser1", "official": True},
                {"site": "YouTube", "type": "Trailer", "key": "fan-cut", "official": False},
                {"site": "YouTube", "type": "Trailer", "key": "official1", "official": True},
            ]
        },
        "keywords": {"keywords": [{"id": 1, "name": "friendship"}]},
    }
    reply.update(fields)
    return reply


def person_reply(person_id: int, name: str, **fields: Any) -> dict:
    """A /person/{id} reply."""
    reply = {
        "adult": False,
        "also_known_as": [],
        "biography": "",
        "birthday": "1970-01-01",
        "deathday": None,
        "gender": 2,
        "homepage": None,
        "id": person_id,
        "imdb_id": f"nm{person_id:07d}",
        "known_for_department": "Acting",
        "name": name,
        "place_of_birth": "Lisbon, Portugal",
        "popularity": 4.2,
        "profile_path": None,
    }
    reply.update(fields)
    return reply


def small_catalog(
    movie_count: int = 3, cast_size: int = 4
) -> tuple[dict[int, dict], dict[int, dict]]:
    """Movies 1..N with a cast each, a shared director, and every person's reply."""
    movies, people = {}, {}
    director = 9000
    people[director] = person_reply(director, "Dana Director", known_for_department="Directing")
    for movie_id in range(1, movie_count + 1):
        cast = []
        for order in range(cast_size):
            person_id = movie_id * 100 + order
            name = f"Actor {movie_id}-{order}"
            cast.append(cast_member(movie_id, person_id, name, f"Role {order}", order))
            people[person_id] = person_reply(person_id, name)
        crew = [crew_member(movie_id, director, "Dana Director", "Director", "Directing")]
        movies[movie_id] = movie_reply(movie_id, f"Movie {movie_id}", cast=cast, crew=crew)
    return movies, people
