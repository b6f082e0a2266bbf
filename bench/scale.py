"""Every benchmark at 100,000 movies, on SQLite and PostgreSQL, in one table (`make bench`).

    python -m bench.scale [--movies 100000] [--requests 200] [--seconds 12]
                          [--backends sqlite,postgresql] [--postgres-url postgresql://…/postgres]

For each database: migrate it, run the real `flask seed load` on the
synthetic catalog as its own process (the load benchmark), add members with
ratings, reviews, watchlists and diaries, time each page in-process
(bench.pages), then serve the site under gunicorn and load it with wrk
(bench.throughput). PostgreSQL gets a fresh database, `marquee_bench_<time>`,
on the server named by --postgres-url (or BENCH_POSTGRES_URL), dropped at
the end, failure or not. The fetch benchmark (bench.seed) runs once. Prints
one Markdown table; docs/PERFORMANCE.md keeps the results.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select
from sqlalchemy.engine import make_url

from app import create_app
from app.infra.config import normalize_database_url
from app.infra.db import db, is_sqlite
from app.models import DiaryEntry, Movie, Review, User, WatchlistEntry
from app.services import reviews as review_service
from bench import throughput
from bench.pages import RESULTS, TARGET_P50, TARGET_P95, pages_to_time, time_pages
from bench.reviews import UNUSABLE
from bench.seed import LATENCY, RATE_LIMIT, catalog, fetch_run, load_run, migrated_environment

MEMBERS = 3_000
MOVIE_PATHS = 20_000
CACHED_MOVIE = "movie page (one URL: the page cache's copy)"
RENDERED_MOVIES = f"movie pages, a random one of {MOVIE_PATHS:,} each time (rendered)"
RATINGS_EACH = 30
FAVOURITE_EVERY = 3  # every third member rates the most popular movie: 1,000 reviews on its page
WATCHLIST_EACH = 10
DIARY_EACH = 10
PROLIFIC_RATINGS = 1_000  # the profile page's member, who also logs each in the diary
SINCE = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 3 * 365 * 24 * 3600
TARGET_RATIO = 0.40
TARGET_WORKER_MB = 150
TARGET_CREDITS_RATE = 20_000
TARGET_LOAD_MB = 300
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def add_members(app, *, members: int = MEMBERS, seed: int = 7) -> dict[str, float]:
    """Members with ratings, reviews, watchlists and diaries: the rows the services write.

    Bulk Core inserts, then the movies' review figures recomputed through the
    reviews service, as a review would; "prolific" rates PROLIFIC_RATINGS movies.
    """
    rng = random.Random(seed)
    started = time.perf_counter()
    with app.app_context():
        movie_ids = list(db.session.scalars(select(Movie.id).order_by(Movie.id)))
        favourite = db.session.scalar(
            select(Movie.id).order_by(Movie.popularity.desc(), Movie.id.desc()).limit(1)
        )
        names = [f"member{number}" for number in range(members)] + ["prolific"]
        db.session.execute(
            insert(User.__table__),
            [
                {
                    "username": name,
                    "username_key": name,
                    "email": f"{name}@example.com",
                    "password_hash": UNUSABLE,
                }
                for name in names
            ],
        )
        user_ids = {
            name: user_id for name, user_id in db.session.execute(select(User.username, User.id))
        }
        ratings, watchlist, diary = [], [], []
        for number, name in enumerate(names):
            user_id = user_ids[name]
            if name == "prolific":
                rated = rng.sample(movie_ids, PROLIFIC_RATINGS)
                watched = rated
            else:
                rated = rng.sample(movie_ids, RATINGS_EACH)
                if number % FAVOURITE_EVERY == 0 and favourite not in rated:
                    rated[0] = favourite
                watched = rated[:DIARY_EACH]
            ratings += [_review(rng, user_id, movie_id) for movie_id in rated]
            diary += [_viewing(rng, user_id, movie_id) for movie_id in watched]
            wanted = set(rng.sample(movie_ids, WATCHLIST_EACH)) - set(rated)
            watchlist += [_wanted(rng, user_id, movie_id) for movie_id in wanted]
        for model, rows in ((Review, ratings), (WatchlistEntry, watchlist), (DiaryEntry, diary)):
            db.session.execute(insert(model.__table__), rows)
        reviewed = sorted({row["movie_id"] for row in ratings})
        for start in range(0, len(reviewed), 5_000):
            review_service.refresh_movies(reviewed[start : start + 5_000])
        db.session.commit()
        _after_bulk_load()
        # Pages are then timed on fresh connections, as a server's are: on PostgreSQL the
        # connection that ran the bulk UPDATEs launched parallel workers far more slowly
        # afterwards (docs/PERFORMANCE.md).
        db.engine.dispose()
    return {
        "members": len(names),
        "reviews": len(ratings),
        "watchlist": len(watchlist),
        "diary": len(diary),
        "seconds": time.perf_counter() - started,
    }


def _after_bulk_load() -> None:
    """What an operator does after a bulk load: fresh statistics, and on PostgreSQL a vacuum.

    SQLite: PRAGMA optimize, as `flask seed load` ends. PostgreSQL: VACUUM
    ANALYZE, not ANALYZE alone: the vacuum also marks the pages all-visible,
    so index-only scans skip the table (the list's last page), and merges the
    GIN index's pending entries, which every full-text search would otherwise
    scan (docs/PERFORMANCE.md has the figures with ANALYZE alone).
    """
    with db.engine.connect() as connection:
        if is_sqlite():
            connection.exec_driver_sql("PRAGMA optimize")
            connection.commit()
        else:
            # VACUUM cannot run inside a transaction.
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("VACUUM ANALYZE")


def _moment(rng: random.Random) -> datetime:
    return SINCE + timedelta(seconds=rng.randrange(SPAN_SECONDS))


def _review(rng: random.Random, user_id: int, movie_id: int) -> dict[str, Any]:
    written = _moment(rng)
    body = None
    if rng.random() < 0.4:
        body = f"A considered review of movie {movie_id}.\n\nWith a second paragraph."
    return {
        "user_id": user_id,
        "movie_id": movie_id,
        "rating": rng.randint(1, 10),
        "body": body,
        "contains_spoilers": False,
        "recommends": rng.choice((True, False, None)),
        "created_at": written,
        "updated_at": written,
    }


def _viewing(rng: random.Random, user_id: int, movie_id: int) -> dict[str, Any]:
    logged = _moment(rng)
    return {
        "user_id": user_id,
        "movie_id": movie_id,
        "watched_on": logged.date(),
        "created_at": logged,
    }


def _wanted(rng: random.Random, user_id: int, movie_id: int) -> dict[str, Any]:
    return {"user_id": user_id, "movie_id": movie_id, "added_at": _moment(rng)}


@contextmanager
def scratch_postgres(server_url: str) -> Iterator[str]:
    """A new, empty database marquee_bench_<time> on the server, dropped afterwards."""
    server = make_url(normalize_database_url(server_url))
    name = f"marquee_bench_{time.strftime('%Y%m%d_%H%M%S')}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def measure(processed: Path, workdir: Path, database_url: str | None, options) -> dict:
    """Load, add members, time the pages and the served rates on one database."""
    shutil.rmtree(workdir, ignore_errors=True)
    environment = migrated_environment(processed, workdir, database_url)
    print(f"{workdir.name}: loading {options.movies:,} movies …", file=sys.stderr)
    load = load_run(environment)
    print(f"{workdir.name}: loaded in {load['seconds']:.0f} s; adding members …", file=sys.stderr)
    instance = workdir / "instance"
    app = create_app(
        {
            "MARQUEE_ENV": "test",
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": database_url
            or f"sqlite:///{instance / 'marquee-test.sqlite3'}",
            "LOG_LEVEL": "WARNING",
            "PAGE_CACHE_TIMEOUT": 0,  # time building each page, not the cache's copy
        }
    )
    with app.app_context(), db.engine.connect() as connection:
        dialect = connection.dialect  # knows the server's version once connected
        version = ".".join(map(str, dialect.server_version_info))
    members = add_members(app)
    urls = pages_to_time(app)
    print(f"{workdir.name}: timing {len(urls)} pages …", file=sys.stderr)
    timings = time_pages(app.test_client(), urls, options.requests)
    with app.app_context():
        db.engine.dispose()
    movie = next(url for name, url in urls.items() if name.startswith("movie"))
    print(f"{workdir.name}: gunicorn and wrk …", file=sys.stderr)
    movie_paths = write_movie_paths(app, workdir / "movie-paths.txt")
    with throughput.gunicorn(environment) as (base_url, master):
        revalidating = {"If-None-Match": throughput.etag(base_url + movie)}
        requests = {
            CACHED_MOVIE: (movie, {}, None),
            RENDERED_MOVIES: ("", {}, movie_paths),
            "movie page, revalidated (If-None-Match, 304)": (movie, revalidating, None),
            "minimal page": ("/bench/minimal", {}, None),
        }
        served = throughput.rates(base_url, requests, options.seconds)
        worker_mb = throughput.peak_worker_memory(master)
    return {
        "database": f"{'SQLite' if dialect.name == 'sqlite' else 'PostgreSQL'} {version}",
        "load": load,
        "members": members,
        "pages": {
            name: (statistics.median(times), statistics.quantiles(times, n=20)[18])
            for name, times in timings.items()
        },
        "served": served,
        "worker_mb": worker_mb,
    }


def write_movie_paths(app, path: Path, count: int = MOVIE_PATHS, seed: int = 11) -> Path:
    """A file of `count` movie page paths picked at random, for wrk's random_paths.lua."""
    with app.app_context():
        ids = list(db.session.scalars(select(Movie.id)))
        picked = random.Random(seed).sample(ids, min(count, len(ids)))
        movies = db.session.scalars(select(Movie).where(Movie.id.in_(picked)))
        path.write_text("".join(f"/movies/{movie.id}-{movie.slug}\n" for movie in movies))
    return path


def table(results: dict[str, dict], fetch: dict[str, float], options) -> list[str]:
    """One Markdown table: a row per benchmark, a column per database, the target, a verdict."""
    backends = list(results)
    lines = [
        f"| benchmark | {' | '.join(backends)} | target | verdict |",
        f"|---|{'---|' * len(backends)}---|---|",
    ]

    def row(name: str, figure, target: str = "", passes=None) -> None:
        cells = [figure(result) for result in results.values()]
        verdict = ""
        if passes is not None:
            missed = [backend for backend, result in results.items() if not passes(result)]
            verdict = "met" if not missed else f"**missed** ({', '.join(missed)})"
        lines.append(f"| {name} | {' | '.join(cells)} | {target} | {verdict} |")

    share = fetch["rate"] / RATE_LIMIT
    fetched = f"{fetch['rate']:.1f}/s ({share:.0%}), busiest second {fetch['busiest_second']}"
    fetch_met = share >= 0.9 and fetch["busiest_second"] <= RATE_LIMIT
    lines.append(
        f"| fetch: {fetch['requests']} requests, {LATENCY * 1000:.0f} ms latency, limit "
        f"{RATE_LIMIT:.0f}/s (no database: one run) | {' | '.join([fetched] * len(backends))} "
        f"| ≥ 90%, ≤ {RATE_LIMIT:.0f} in any second | {'met' if fetch_met else '**missed**'} |"
    )
    row(f"load {options.movies:,} movies: whole run", lambda r: f"{r['load']['seconds']:.0f} s")
    row(
        "load: credits stage",
        lambda r: f"{r['load']['credits_stage_rate']:,.0f} rows/s",
        f"≥ {TARGET_CREDITS_RATE:,} rows/s",
        lambda r: r["load"]["credits_stage_rate"] >= TARGET_CREDITS_RATE,
    )
    for stage in ("people", "movies"):
        row(
            f"load: {stage} stage", lambda r, s=stage: f"{r['load'][f'{s}_stage_rate']:,.0f} rows/s"
        )
    row(
        "load: peak memory of the process",
        lambda r: f"{r['load']['peak_mb']:.0f} MB",
        f"≤ {TARGET_LOAD_MB} MB",
        lambda r: r["load"]["peak_mb"] <= TARGET_LOAD_MB,
    )
    first = next(iter(results.values()))["members"]
    row(
        f"members: {first['members']:,} with {first['reviews']:,} ratings, {first['watchlist']:,} "
        f"watchlist and {first['diary']:,} diary entries (bulk insert, figures, statistics)",
        lambda r: f"{r['members']['seconds']:.0f} s",
    )
    for name in next(iter(results.values()))["pages"]:
        timed = name.startswith("search results")
        row(
            f"page p50 / p95: {name}",
            lambda r, n=name: f"{r['pages'][n][0]:.1f} / {r['pages'][n][1]:.1f} ms",
            "" if timed else f"≤ {TARGET_P50:.0f} / {TARGET_P95:.0f} ms",
            None if timed else lambda r, n=name: _within_page_targets(*r["pages"][n]),
        )
    for name in next(iter(results.values()))["served"]:
        row(
            f"gunicorn + wrk, {options.seconds:g} s: {name}",
            lambda r, n=name: f"{r['served'][n]['rate']:,.0f} requests/s",
        )
    row(
        "gunicorn + wrk: movie page's rate / minimal page's (page cache, as served)",
        lambda r: f"{_ratio(r, CACHED_MOVIE):.0%}",
        f"≥ {TARGET_RATIO:.0%}",
        lambda r: _ratio(r, CACHED_MOVIE) >= TARGET_RATIO,
    )
    row(
        "gunicorn + wrk: random movie pages' rate / minimal page's (each one rendered)",
        lambda r: f"{_ratio(r, RENDERED_MOVIES):.0%}",
        f"≥ {TARGET_RATIO:.0%}",
        lambda r: _ratio(r, RENDERED_MOVIES) >= TARGET_RATIO,
    )
    row(
        "gunicorn + wrk: failed requests (non-2xx, socket errors)",
        lambda r: str(sum(served["errors"] for served in r["served"].values())),
        "0",
        lambda r: all(served["errors"] == 0 for served in r["served"].values()),
    )
    row(
        "peak memory of one worker after the run (VmHWM, largest)",
        lambda r: f"{r['worker_mb']:.0f} MB",
        f"≤ {TARGET_WORKER_MB} MB",
        lambda r: r["worker_mb"] <= TARGET_WORKER_MB,
    )
    return lines


def _within_page_targets(p50: float, p95: float) -> bool:
    return p50 <= TARGET_P50 and p95 <= TARGET_P95


def _ratio(result: dict, page: str) -> float:
    return result["served"][page]["rate"] / result["served"]["minimal page"]["rate"]


def main() -> None:
    """Run everything on each database and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests a page")
    parser.add_argument("--seconds", type=float, default=12, help="wrk seconds a page")
    parser.add_argument("--fetch-movies", type=int, default=300)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    options = parser.parse_args()
    started = time.perf_counter()
    fetch = fetch_run(options.fetch_movies)
    processed = catalog(options.movies)
    backends = options.backends.split(",")
    work = RESULTS / "scale"
    measured = []
    if "sqlite" in backends:
        measured.append(measure(processed, work / "sqlite", None, options))
    if "postgresql" in backends:
        with scratch_postgres(options.postgres_url) as database_url:
            measured.append(measure(processed, work / "postgresql", database_url, options))
    minutes = (time.perf_counter() - started) / 60
    print(
        f"\n{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{date.today().isoformat()}; {options.movies:,} movies; {options.requests} timed "
        f"requests a page; {minutes:.1f} minutes in all\n"
    )
    print("\n".join(table({result["database"]: result for result in measured}, fetch, options)))


if __name__ == "__main__":
    main()
