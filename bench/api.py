"""API benchmark: server time per API read on the 100,000-movie catalog (SQLite, in-process).

    python -m bench.api [--movies 100000] [--requests 300]

Uses the page benchmark's database (bench.pages builds it once), adds a
member with 1,000 ratings, 300 watchlist entries and 1,000 diary entries and
a token of theirs, then times each API read through the WSGI app, taking the
reads in turn as bench.pages does: each catalog read built (the page cache
off, PAGE_CACHE_TIMEOUT=0: the view runs) and kept (the default: the answer
built once for the revision is served from the page cache, its ETag checked
against the revision first), a member's reads always built. The 304 row is a
revalidation with the ETag the movie's answer carried. Prints p50/p95 per
read as a Markdown table; the targets are 5 ms / 15 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta

from sqlalchemy import func, insert, select

from app.infra.db import db
from app.models import Credit, DiaryEntry, Genre, Movie, Person, Review, User, WatchlistEntry
from app.services import api_tokens
from bench.pages import bench_app, build_database

TARGET_P50, TARGET_P95 = 5.0, 15.0
KEEP_SECONDS = 300  # PAGE_CACHE_TIMEOUT's default: a built answer is kept for the next client
MEMBER = "bench-api"


def member_with_history(movies: int) -> None:
    """A member who rated 1,000 movies, keeps 300 on the watchlist and logged 1,000 viewings."""
    if db.session.scalar(select(User.id).where(User.username == MEMBER)):
        return
    member = User(username=MEMBER, email=f"{MEMBER}@example.com", password_hash="x")  # noqa: S106 (never signs in)
    db.session.add(member)
    db.session.flush()
    picker = random.Random(22)
    ids = picker.sample(range(1, movies + 1), 2300)
    db.session.execute(
        insert(Review),
        [
            {
                "user_id": member.id,
                "movie_id": movie_id,
                "rating": 1 + n % 10,
                "body": f"Thoughts {n}." if n % 3 else None,
                "contains_spoilers": False,
            }
            for n, movie_id in enumerate(ids[:1000])
        ],
    )
    db.session.execute(
        insert(WatchlistEntry),
        [{"user_id": member.id, "movie_id": movie_id} for movie_id in ids[1000:1300]],
    )
    start = date(2020, 1, 1)
    db.session.execute(
        insert(DiaryEntry),
        [
            {"user_id": member.id, "movie_id": movie_id, "watched_on": start + timedelta(days=n)}
            for n, movie_id in enumerate(ids[1300:])
        ],
    )
    db.session.commit()


def reads_to_time(movies: int) -> tuple[dict[str, str], str]:
    """The API reads to measure, picked from the data, and a token to send."""
    member_with_history(movies)
    member = db.session.scalar(select(User).where(User.username == MEMBER))
    token = api_tokens.create(user=member, name="bench", scopes={"read"}, expires_in_days=1)
    db.session.commit()
    popular = db.session.scalar(select(Movie).order_by(Movie.popularity.desc()).limit(1))
    crowded = db.session.execute(
        select(Credit.movie_id, func.count().label("credits"))
        .group_by(Credit.movie_id)
        .order_by(func.count().desc())
        .limit(1)
    ).one()
    busiest = db.session.execute(
        select(Credit.person_id, func.count().label("credits"))
        .group_by(Credit.person_id)
        .order_by(func.count().desc())
        .limit(1)
    ).one()
    person = db.session.get(Person, busiest.person_id)
    genre = db.session.scalar(select(Genre).order_by(Genre.name).limit(1))
    last_page = -(-db.session.scalar(select(func.count()).select_from(Movie)) // 24)
    word = popular.title.split()[0].lower()
    reads = {
        "movie list, first page": "/api/v1/movies/",
        f"movie list, last page ({last_page:,})": f"/api/v1/movies/?page={last_page}",
        "movie list, filtered (genre, years, by rating)": (
            f"/api/v1/movies/?genre={genre.slug}&year_from=1990&year_to=1999&sort=rating"
        ),
        "movie list, 96 a page": "/api/v1/movies/?per_page=96",
        "movie detail (most popular)": f"/api/v1/movies/{popular.id}",
        f"movie detail ({crowded.credits} credits)": f"/api/v1/movies/{crowded.movie_id}",
        f"person with {busiest.credits} credits": f"/api/v1/people/{person.id}",
        f"search ('{word}')": f"/api/v1/search/?q={word}",
        f"suggestions ('{word[:3]}')": f"/api/v1/search/suggestions?q={word[:3]}",
        "me: ratings (1,000)": "/api/v1/me/reviews",
        "me: diary (1,000)": "/api/v1/me/diary",
    }
    return reads, token.secret


def time_reads(
    app, reads: dict[str, str], token: str, count: int
) -> dict[str, tuple[str, list[float]]]:
    """Milliseconds for `count` requests a read, built and kept, taken in turn after a warm-up.

    Catalog reads go without a token, as most clients send them; one row adds
    a token to show what checking it costs; a member's reads need theirs.
    """
    client = app.test_client()
    member = {"Authorization": f"Bearer {token}"}
    popular = next(url for name, url in reads.items() if "popular" in name)
    etag = client.get(popular).headers["ETag"]
    asks: dict[str, tuple[str, dict[str, str], int]] = {}
    for name, url in reads.items():
        headers = member if url.startswith("/api/v1/me") else {}
        asks[f"{name}, built"] = (url, headers, 0)
        if not url.startswith("/api/v1/me"):
            asks[f"{name}, kept"] = (url, headers, KEEP_SECONDS)
    asks["movie detail (most popular) with a token, built"] = (popular, member, 0)
    asks["movie detail, revalidated (304)"] = (popular, {"If-None-Match": etag}, 0)
    for url, headers, keeping in asks.values():
        app.config["PAGE_CACHE_TIMEOUT"] = keeping
        for _ in range(5):
            assert client.get(url, headers=headers).status_code in (200, 304), url
    timings: dict[str, tuple[str, list[float]]] = {name: (ask[0], []) for name, ask in asks.items()}
    for _ in range(count):
        for name, (url, headers, keeping) in asks.items():
            app.config["PAGE_CACHE_TIMEOUT"] = keeping
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            timings[name][1].append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 304), url
    return timings


def main() -> None:
    """Build the database if needed, time every read, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    arguments = parser.parse_args()
    database = build_database(arguments.movies)
    app = bench_app(database, instance=database.parent)
    unlimited = "10000000 per minute"
    app.config.update(API_RATE_LIMIT_PER_TOKEN=unlimited, API_RATE_LIMIT_PER_ADDRESS=unlimited)
    with app.app_context():
        reads, token = reads_to_time(arguments.movies)
    measured = time_reads(app, reads, token, arguments.requests)
    machine = f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(
        f"\n{machine}; SQLite; {arguments.movies:,} movies; {arguments.requests} requests a read\n"
    )
    print("| API read | URL | p50 | p95 | targets 5 / 15 ms |\n|---|---|---|---|---|")
    for name, (url, timings) in measured.items():
        p50, p95 = statistics.median(timings), statistics.quantiles(timings, n=20)[18]
        verdict = "ok" if p50 <= TARGET_P50 and p95 <= TARGET_P95 else "over target"
        print(f"| {name} | `{url}` | {p50:.1f} ms | {p95:.1f} ms | {verdict} |")
        print(f"{name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms", file=sys.stderr)


if __name__ == "__main__":
    main()
