"""Write a synthetic catalog in the seeder's processed format (movies, people, credits, genres).

About 3N people and 10N credits for N movies, deterministic for a given seed.
A few people are very prolific, as in real catalogs (a person with hundreds
of credits), so person pages can be measured at their worst. Most movies and
every genre also carry Brazilian Portuguese texts, as a fetch with the default
CATALOG_LANGUAGES stores them: accented titles for TRANSLATED_SHARE of the movies,
an overview for half of those (from their own random stream, so the English
catalog is the same as without them).

    python -m bench.synthetic_catalog --movies 100000 --output bench/results/catalog-100000
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

from seeder.storage import JsonLinesWriter, write_json_lines

GENRES = [
    (28, "Action"),
    (12, "Adventure"),
    (16, "Animation"),
    (35, "Comedy"),
    (80, "Crime"),
    (99, "Documentary"),
    (18, "Drama"),
    (10751, "Family"),
    (14, "Fantasy"),
    (36, "History"),
    (27, "Horror"),
    (10402, "Music"),
    (9648, "Mystery"),
    (10749, "Romance"),
    (878, "Science Fiction"),
    (10770, "TV Movie"),
    (53, "Thriller"),
    (10752, "War"),
    (37, "Western"),
]
LANGUAGES = ["en", "en", "en", "fr", "es", "de", "ja", "ko", "it", "hi", "pt", "zh", "sv", "ru"]
WORDS = [
    "night",
    "star",
    "river",
    "city",
    "shadow",
    "last",
    "first",
    "silent",
    "red",
    "blue",
    "golden",
    "broken",
    "secret",
    "lost",
    "long",
    "summer",
    "winter",
    "journey",
    "house",
    "garden",
    "war",
    "love",
    "dream",
    "storm",
    "king",
    "queen",
    "empire",
    "road",
    "heart",
    "glass",
    "iron",
    "paper",
    "moon",
    "sun",
    "island",
    "ocean",
    "mountain",
    "return",
    "escape",
    "promise",
]
GENRES_PT = {
    28: "Ação",
    12: "Aventura",
    16: "Animação",
    35: "Comédia",
    99: "Documentário",
    10751: "Família",
    14: "Fantasia",
    36: "História",
    27: "Terror",
    10402: "Música",
    9648: "Mistério",
    878: "Ficção científica",
    10770: "Cinema TV",
    10752: "Guerra",
    37: "Faroeste",
}
WORDS_PT = [
    "noite",
    "estrela",
    "rio",
    "cidade",
    "sombra",
    "último",
    "primeira",
    "silêncio",
    "coração",
    "lembrança",
    "sertão",
    "paixão",
    "ilusão",
    "estação",
    "canção",
    "viagem",
    "mar",
    "céu",
    "ação",
    "São Paulo",
    "o",
    "a",
    "de",
    "do",
    "da",
]
TRANSLATED_SHARE = 0.7
CAST_PER_MOVIE = 8
CREW_JOBS = [("Directing", "Director"), ("Writing", "Screenplay")]
PROLIFIC_PEOPLE = 20  # people 1..20 have about PROLIFIC_CREDITS credits each
PROLIFIC_CREDITS = 250


def write_catalog(folder: Path, movie_count: int, *, seed: int = 7) -> dict[str, int]:
    """Write movies/people/credits/genres .jsonl into folder; return the counts."""
    rng = random.Random(seed)
    people_count = movie_count * 3
    folder.mkdir(parents=True, exist_ok=True)
    counts = {
        "genres": write_json_lines(
            folder / "genres.jsonl",
            (
                {
                    "tmdb_id": gid,
                    "name": name,
                    "translations": {"pt-BR": {"name": GENRES_PT[gid]}} if gid in GENRES_PT else {},
                }
                for gid, name in GENRES
            ),
        )
    }
    counts["people"] = write_json_lines(
        folder / "people.jsonl", (_person(rng, pid) for pid in range(1, people_count + 1))
    )
    slots = movie_count * (CAST_PER_MOVIE + len(CREW_JOBS))
    prolific_share = min(0.5, PROLIFIC_PEOPLE * PROLIFIC_CREDITS / slots)
    movies = JsonLinesWriter(folder / "movies.jsonl")
    credits = JsonLinesWriter(folder / "credits.jsonl")
    for movie_id in range(1, movie_count + 1):
        movies.write(_movie(rng, movie_id))
        for record in _credits(rng, movie_id, people_count, prolific_share):
            credits.write(record)
    movies.commit()
    credits.commit()
    counts["movies"], counts["credits"] = movies.count, credits.count
    return counts


def _title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))).title()


def _movie(rng: random.Random, movie_id: int) -> dict:
    released = date(1920, 1, 1) + timedelta(days=rng.randrange(105 * 365))
    title = _title(rng)
    return {
        "tmdb_id": movie_id,
        "imdb_id": f"tt{9_000_000 + movie_id}",
        "title": title,
        "original_title": title,
        "original_language": rng.choice(LANGUAGES),
        "tagline": None,
        "overview": None,
        "release_date": released.isoformat(),
        "runtime": rng.randint(70, 200),
        "budget": rng.randrange(0, 200_000_000, 1000),
        "revenue": rng.randrange(0, 900_000_000, 1000),
        "status": "Released",
        "certification": rng.choice(["G", "PG", "PG-13", "R", None]),
        "popularity": round(rng.paretovariate(1.5), 3),
        "vote_average": round(rng.uniform(3, 9), 1),
        "vote_count": int(rng.paretovariate(1.2) * 10),
        "poster_path": None,
        "backdrop_path": None,
        "homepage": None,
        "trailer_key": None,
        "genre_ids": sorted({gid for gid, _ in rng.sample(GENRES, rng.randint(1, 3))}),
        "keywords": [],
        "countries": ["US"],
        "translations": _translations(movie_id),
    }


def _translations(movie_id: int) -> dict:
    """Portuguese texts for most movies, drawn from the movie's own stream."""
    rng = random.Random(f"pt-BR {movie_id}")
    if rng.random() >= TRANSLATED_SHARE:
        return {}
    words = [rng.choice(WORDS_PT) for _ in range(rng.randint(1, 5))]
    texts = {"title": " ".join(words).capitalize()}
    if rng.random() < 0.5:
        texts["overview"] = " ".join(rng.choice(WORDS_PT) for _ in range(rng.randint(30, 80)))
    return {"pt-BR": texts}


def _person(rng: random.Random, person_id: int) -> dict:
    born = date(1900, 1, 1) + timedelta(days=rng.randrange(100 * 365))
    return {
        "tmdb_id": person_id,
        "imdb_id": f"nm{9_000_000 + person_id}",
        "name": f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()}son",
        "biography": None,
        "birthday": born.isoformat(),
        "deathday": None,
        "place_of_birth": None,
        "gender": rng.randint(0, 3),
        "known_for_department": "Acting",
        "popularity": round(rng.paretovariate(1.5), 3),
        "profile_path": None,
    }


def _credits(rng: random.Random, movie_id: int, people_count: int, prolific_share: float):
    chosen: set[int] = set()
    while len(chosen) < CAST_PER_MOVIE + len(CREW_JOBS):
        prolific = rng.random() < prolific_share
        chosen.add(rng.randint(1, PROLIFIC_PEOPLE) if prolific else rng.randint(1, people_count))
    people = sorted(chosen)
    rng.shuffle(people)
    for order, person_id in enumerate(people[:CAST_PER_MOVIE]):
        yield {
            "credit_id": f"c{movie_id:x}-{order}",
            "movie_tmdb_id": movie_id,
            "person_tmdb_id": person_id,
            "kind": "cast",
            "character": _title(rng),
            "order": order,
            "department": None,
            "job": None,
        }
    for (department, job), person_id in zip(CREW_JOBS, people[CAST_PER_MOVIE:], strict=True):
        yield {
            "credit_id": f"c{movie_id:x}-{job[:3].lower()}",
            "movie_tmdb_id": movie_id,
            "person_tmdb_id": person_id,
            "kind": "crew",
            "character": None,
            "order": None,
            "department": department,
            "job": job,
        }


def main() -> None:
    """Command line: --movies N --output DIR."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=100_000)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    counts = write_catalog(arguments.output, arguments.movies, seed=arguments.seed)
    print(", ".join(f"{number:,} {name}" for name, number in counts.items()))


if __name__ == "__main__":
    main()
