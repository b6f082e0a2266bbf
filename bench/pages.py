"""Page benchmark: server time per page on a 100,000-movie catalog (SQLite).

    python -m bench.pages [--movies 100000] [--requests 300]

Builds (once, cached in bench/results/) a database loaded by the real
`flask seed load` from the synthetic catalog, then times each page in-process
through the WSGI app: the time from request to response, without a network,
taking the pages in turn, each in English and in Brazilian Portuguese
(Accept-Language), so the two languages are compared within one run.
Prints p50/p95 per page and language as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from app import create_app
from app.infra.db import db
from app.models import Credit, Genre, Movie, Person, Review, User
from bench.seed import catalog, load_run, migrated_environment

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGET_P50, TARGET_P95 = 15.0, 40.0
LOCALES = ("en", "pt-BR")


def build_database(movies: int) -> Path:
    """A migrated SQLite database holding the synthetic catalog, built once."""
    folder = RESULTS / f"pages-{movies}"
    database = folder / "instance" / "marquee-test.sqlite3"
    if not database.exists():
        load_run(migrated_environment(catalog(movies), folder))
    return database


def bench_app(database: Path, *, instance: Path):
    """The app on a benchmark database, timing pages as built (the page cache off)."""
    return create_app(
        {
            "MARQUEE_ENV": "test",
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "LOG_LEVEL": "WARNING",
            "PAGE_CACHE_TIMEOUT": 0,  # time building each page, not the cache's copy
        }
    )


def pages_to_time(app) -> dict[str, str]:
    """The URLs to measure, picked from the data; the busiest member's profile if any."""
    with app.app_context():
        movie = db.session.scalar(select(Movie).order_by(Movie.popularity.desc()).limit(1))
        busiest = db.session.execute(
            select(Credit.person_id, func.count().label("credits"))
            .group_by(Credit.person_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        person = db.session.get(Person, busiest.person_id)
        genre = db.session.scalar(select(Genre).order_by(Genre.name).limit(1))
        total = db.session.scalar(select(func.count()).select_from(Movie))
        last_page = -(-total // 24)
        word = movie.title.split()[0].lower()
        filtered = f"/movies/?genre={genre.slug}&decade=1990&sort=rating"
        reviewed = f" with {movie.review_count:,} reviews" if movie.review_count else ""
        pages = {
            "home": "/",
            "list, first page": "/movies/",
            f"list, last page ({last_page:,})": f"/movies/?page={last_page}",
            "list by title, page 2": "/movies/?sort=title&page=2",
            "list, filtered (genre, decade, by rating)": filtered,
            f"movie{reviewed}": f"/movies/{movie.id}-{movie.slug}",
            f"person with {busiest.credits} credits": f"/people/{person.id}-{person.slug}",
            f"search suggestions ('{word[:3]}')": f"/search/suggest?q={word[:3]}",
            # No name matches: the worst case for walking names in popularity order.
            "search suggestions, no match ('qz')": "/search/suggest?q=qz",
        }
        critic = db.session.execute(
            select(User.username, func.count().label("ratings"))
            .join(Review, Review.user_id == User.id)
            .group_by(User.id)
            .order_by(func.count().desc())
            .limit(1)
        ).one_or_none()
        if critic:
            pages[f"profile with {critic.ratings:,} ratings"] = f"/users/{critic.username}"
        return pages | {f"search results ('{word}')": f"/search/?q={word}"}


def time_pages(client, urls: dict[str, str], count: int) -> dict[tuple[str, str], list[float]]:
    """Milliseconds for `count` requests a page and locale, after a short warm-up.

    Requests go round the pages and locales in turn, so a slow spell of the
    machine falls on every page alike instead of on whichever was being timed.
    """
    asks = [(name, locale) for name in urls for locale in LOCALES]
    for name, locale in asks:
        for _ in range(5):
            response = client.get(urls[name], headers={"Accept-Language": locale})
            assert response.status_code == 200, urls[name]
    timings: dict[tuple[str, str], list[float]] = {ask: [] for ask in asks}
    for _ in range(count):
        for name, locale in asks:
            started = time.perf_counter()
            response = client.get(urls[name], headers={"Accept-Language": locale})
            timings[name, locale].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, urls[name]
    return timings


def main() -> None:
    """Build the database if needed, time every page, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    arguments = parser.parse_args()
    database = build_database(arguments.movies)
    app = bench_app(database, instance=database.parent)
    client = app.test_client()
    rows = []
    urls = pages_to_time(app)
    measured = time_pages(client, urls, arguments.requests)
    medians = {ask: statistics.median(timings) for ask, timings in measured.items()}
    for (name, locale), timings in measured.items():
        url = urls[name]
        p50 = medians[name, locale]
        p95 = statistics.quantiles(timings, n=20)[18]
        verdict = "ok" if p50 <= TARGET_P50 and p95 <= TARGET_P95 else "over target"
        ratio = p50 / medians[name, LOCALES[0]]
        rows.append((name, locale, url, p50, p95, ratio, verdict))
        print(f"{name} [{locale}]: p50 {p50:.1f} ms, p95 {p95:.1f} ms", file=sys.stderr)
    machine = f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(
        f"\n{machine}; SQLite; {arguments.movies:,} movies; {arguments.requests} requests a page\n"
    )
    print(
        "| page | locale | URL | p50 | p95 | p50 / English | targets 15 / 40 ms |\n"
        "|---|---|---|---|---|---|---|"
    )
    for name, locale, url, p50, p95, ratio, verdict in rows:
        timing = f"{p50:.1f} ms | {p95:.1f} ms | {ratio:.2f}"
        print(f"| {name} | {locale} | `{url}` | {timing} | {verdict} |")


if __name__ == "__main__":
    main()
