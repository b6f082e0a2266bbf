"""Raw TMDB-shaped replies for tests."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from typing import Any

# The End of Evangelion: long, and Japanese, as TMDB gives titles without an English one.
CORRECTED_TITLE = "新世紀エヴァンゲリオン劇場版 Air/まごころを、君に"
NEW_POSTER_PATH = "/oUQN4Hn1hGxKw2cMDt8WSrpFpX2.jpg"
NEW_PROFILE_PATH = "/qKd1mD1u8vXoG4tDbfhfZSzGZa9.jpg"
NEW_BIOGRAPHY = (
    "Born in Lisbon, she studied at the Conservatório Nacional before her screen début "
    "in 1994.\n\nShe has since worked in Portuguese, French and Russian; "
    "«Вишнёвый сад» at the Moscow Art Theatre made her name abroad."
)
ADDED_PERSON_NAME = "Алёна Воронцова"
ADDED_CHARACTER = "Мария"


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
    """A /movie/{id} reply with credits, release dates, videos, keywords (as MOVIE_APPENDS asks)."""
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


def translation(language: str, country: str, **data: str) -> dict:
    """One entry of TMDB's translations block; texts not given are "" (not translated)."""
    return {
        "iso_3166_1": country,
        "iso_639_1": language,
        "name": language,
        "english_name": language,
        "data": {"title": "", "overview": "", "tagline": "", "homepage": "", **data},
    }


def translations(*entries: dict) -> dict:
    """The `translations` block of a movie or person reply."""
    return {"translations": list(entries)}


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


def record_differences(old: dict[int, dict], new: dict[int, dict]) -> dict[int, tuple[str, ...]]:
    """What differs per id between two tables of replies: ("added",), ("deleted",) or keys.

    Keys are the reply's top-level keys, sorted, except that credits are told
    apart as "credits.cast" and "credits.crew".
    """
    differences = {}
    for tmdb_id in sorted(old.keys() | new.keys()):
        if tmdb_id not in new:
            differences[tmdb_id] = ("deleted",)
        elif tmdb_id not in old:
            differences[tmdb_id] = ("added",)
        elif keys := _differing_keys(old[tmdb_id], new[tmdb_id]):
            differences[tmdb_id] = keys
    return differences


def _differing_keys(old: dict, new: dict) -> tuple[str, ...]:
    keys = set()
    for key in old.keys() | new.keys():
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if key == "credits" and isinstance(before, dict) and isinstance(after, dict):
            keys.update(
                f"credits.{part}"
                for part in ("cast", "crew")
                if before.get(part) != after.get(part)
            )
        else:
            keys.add(key)
    return tuple(sorted(keys))


@dataclass(frozen=True)
class SnapshotIds:
    """The ids `changed_snapshot` picked, by what happened to them."""

    retitled: int  # movie: title and original_title became CORRECTED_TITLE, language "ja"
    recast: int  # movie: cast lost removed_cast_member and gained added_person
    new_poster: int  # movie: poster_path became NEW_POSTER_PATH
    new_runtime: int  # movie: runtime 27 minutes longer
    recrewed: int  # movie: crew gained a Screenplay credit for its first cast member
    deleted_movie: int  # movie: gone upstream (404)
    lost_deleted_person: int  # movie: cast lost deleted_person
    added_person: int  # person: new to the catalog, credited in recast
    removed_cast_member: int  # person: record unchanged, no longer credited in recast
    rewritten_person: int  # person: biography and profile_path changed
    deleted_person: int  # person: gone upstream (404), credited nowhere any more


@dataclass(frozen=True)
class Snapshot:
    """A second state of a catalog, and exactly how it differs from the first."""

    movies: dict[int, dict]
    people: dict[int, dict]
    ids: SnapshotIds
    # {"movie": {id: what}, "person": {id: what}}, as record_differences gives it.
    changes: dict[str, dict[int, tuple[str, ...]]]

    def changed_ids(self, kind: str) -> set[int]:
        """Ids of `kind` ("movie" or "person") added, deleted or different."""
        return set(self.changes[kind])

    def deleted_ids(self, kind: str) -> set[int]:
        """Ids of `kind` gone from the snapshot."""
        return {i for i, what in self.changes[kind].items() if what == ("deleted",)}


def changed_snapshot(
    movies: dict[int, dict], people: dict[int, dict], *, added_person_id: int | None = None
) -> Snapshot:
    """The catalog after a realistic round of upstream edits; the inputs are left as they are.

    Needs at least 8 movies with a cast each (small_catalog(movie_count=8) or
    more). The 1st to 7th movies, in id order, are edited as `SnapshotIds`
    tells; the 8th's first cast member is the rewritten person; every other
    record is an equal copy. The added person's id is `added_person_id`, by
    default one more than the largest person id.
    """
    movie_ids = sorted(movies)
    if len(movie_ids) < 8 or not all(movies[i]["credits"]["cast"] for i in movie_ids[:8]):
        raise ValueError("changed_snapshot needs at least 8 movies, each with a cast")
    new_movies, new_people = copy.deepcopy(movies), copy.deepcopy(people)
    retitled, recast, new_poster, new_runtime, recrewed, deleted_movie, lost = movie_ids[:7]
    ids = SnapshotIds(
        retitled=retitled,
        recast=recast,
        new_poster=new_poster,
        new_runtime=new_runtime,
        recrewed=recrewed,
        deleted_movie=deleted_movie,
        lost_deleted_person=lost,
        added_person=added_person_id if added_person_id is not None else max(people) + 1,
        removed_cast_member=movies[recast]["credits"]["cast"][-1]["id"],
        rewritten_person=movies[movie_ids[7]]["credits"]["cast"][0]["id"],
        deleted_person=movies[lost]["credits"]["cast"][-1]["id"],
    )
    people_picked = [ids.added_person, ids.removed_cast_member, ids.rewritten_person]
    if len({*people_picked, ids.deleted_person}) < 4 or ids.added_person in people:
        raise ValueError("the catalog's people overlap too much for changed_snapshot")

    new_movies[retitled].update(
        title=CORRECTED_TITLE, original_title=CORRECTED_TITLE, original_language="ja"
    )

    cast = new_movies[recast]["credits"]["cast"]
    removed = cast.pop()
    cast.append(
        cast_member(recast, ids.added_person, ADDED_PERSON_NAME, ADDED_CHARACTER, removed["order"])
    )
    new_people[ids.added_person] = person_reply(
        ids.added_person, ADDED_PERSON_NAME, place_of_birth="Saint Petersburg, Russia", gender=1
    )

    new_movies[new_poster]["poster_path"] = NEW_POSTER_PATH
    new_movies[new_runtime]["runtime"] = (movies[new_runtime].get("runtime") or 0) + 27

    writer = movies[recrewed]["credits"]["cast"][0]
    new_movies[recrewed]["credits"]["crew"].append(
        crew_member(recrewed, writer["id"], writer["name"], "Screenplay", "Writing")
    )

    del new_movies[deleted_movie]

    new_people[ids.rewritten_person].update(biography=NEW_BIOGRAPHY, profile_path=NEW_PROFILE_PATH)

    # TMDB drops a deleted person's credits too, so those movies change with them.
    del new_people[ids.deleted_person]
    for movie in new_movies.values():
        for part in ("cast", "crew"):
            credits = movie["credits"][part]
            credits[:] = [member for member in credits if member["id"] != ids.deleted_person]

    changes = {
        "movie": record_differences(movies, new_movies),
        "person": record_differences(people, new_people),
    }
    return Snapshot(movies=new_movies, people=new_people, ids=ids, changes=changes)
