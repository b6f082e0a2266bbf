"""Review pages: a movie with 1,000 reviews and a member with 1,000 ratings (SQLite).

    python -m bench.reviews [--reviews 1000] [--requests 300]

Builds a fresh, migrated SQLite database holding one movie reviewed by
`--reviews` members and one member who rated `--reviews` movies (spread over
five genres, with diary entries), then times both pages in-process through
the WSGI app, as bench.pages does. Prints p50/p95 as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
from datetime import date, timedelta

import flask_migrate

from app import create_app
from app.infra import crypto
from app.infra.db import db
from app.models import DiaryEntry, Genre, Movie, Review, User
from app.services import reviews
from bench.pages import RESULTS, ROOT, time_pages

UNUSABLE = "!"  # no password hash matches it: these members never log in


def build(app, count: int) -> dict[str, str]:
    """Fill the database; return the pages to time."""
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        genres = [Genre(tmdb_id=n, name=f"Genre {n}", slug=f"genre-{n}") for n in range(5)]
        popular = Movie(title="Popular", popularity=100.0, genres=genres[:2])
        db.session.add_all([*genres, popular])
        critics = [
            User(username=f"critic{n}", email=f"critic{n}@example.com", password_hash=UNUSABLE)
            for n in range(count)
        ]
        db.session.add_all(critics)
        db.session.flush()
        db.session.add_all(
            Review(
                user=critic,
                movie=popular,
                rating=1 + n % 10,
                body=f"A considered review, number {n}.\n\nWith a second paragraph.",
                recommends=n % 3 != 0,
            )
            for n, critic in enumerate(critics)
        )
        prolific = User(username="prolific", email="prolific@example.com", password_hash=UNUSABLE)
        db.session.add(prolific)
        start = date(2020, 1, 1)
        for n in range(count):
            movie = Movie(title=f"Rated {n}", genres=[genres[n % 5]])
            db.session.add(movie)
            db.session.add(Review(user=prolific, movie=movie, rating=1 + n % 10, body=f"On {n}."))
            db.session.add(DiaryEntry(user=prolific, movie=movie, watched_on=start + timedelta(n)))
        db.session.flush()
        reviews.refresh_movie(popular)
        db.session.commit()
        return {
            f"movie with {count:,} reviews": f"/movies/{popular.id}-{popular.slug}",
            f"profile with {count:,} ratings": "/users/prolific",
        }


def main() -> None:
    """Build the database, time both pages, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    arguments = parser.parse_args()
    folder = RESULTS / "reviews"
    shutil.rmtree(folder, ignore_errors=True)
    instance = folder / "instance"
    crypto.initialize(instance, secret_key="b" * 48)
    app = create_app(
        {
            "MARQUEE_ENV": "test",
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'reviews.sqlite3'}",
            "LOG_LEVEL": "WARNING",
            "PAGE_CACHE_TIMEOUT": 0,  # time building each page, not the cache's copy
        }
    )
    urls = build(app, arguments.reviews)
    rows = []
    for name, timings in time_pages(app.test_client(), urls, arguments.requests).items():
        p50, p95 = statistics.median(timings), statistics.quantiles(timings, n=20)[18]
        rows.append((name, urls[name], p50, p95))
        print(f"{name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms", file=sys.stderr)
    machine = f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\n{machine}; SQLite; {arguments.requests} requests a page\n")
    print("| page | URL | p50 | p95 |\n|---|---|---|---|")
    for name, url, p50, p95 in rows:
        print(f"| {name} | `{url}` | {p50:.1f} ms | {p95:.1f} ms |")


if __name__ == "__main__":
    main()
