"""Page build times on the bundled sample: home, the movie list, The Godfather's page.

    python -m bench.sample_pages [--requests 200]

A fresh, migrated SQLite database with `flask seed sample`, the page cache
off, timed in-process as bench.pages does. Small enough to run on two
checkouts in turn and compare (see docs/PERFORMANCE.md).
"""

from __future__ import annotations

import argparse
import shutil
import statistics

import flask_migrate
from sqlalchemy import select

from app import create_app
from app.infra import crypto
from app.infra.db import db
from app.models import Movie
from bench.pages import RESULTS, ROOT, time_pages


def sample_app(name: str):
    """A fresh app on a new SQLite database under bench/results/<name>, the sample loaded.

    The page cache is off, so each request builds its page.
    """
    folder = RESULTS / name
    shutil.rmtree(folder, ignore_errors=True)
    crypto.initialize(folder / "instance", secret_key="s" * 48)
    app = create_app(
        {
            "MARQUEE_ENV": "test",
            "INSTANCE_PATH": str(folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'sample.sqlite3'}",
            "LOG_LEVEL": "WARNING",
            "PAGE_CACHE_TIMEOUT": 0,
        }
    )
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        result = app.test_cli_runner().invoke(args=["seed", "sample"])
        assert result.exit_code == 0, result.output
    return app


def sample_pages(app) -> dict[str, str]:
    """Home, the movie list and The Godfather's page, by name."""
    with app.app_context():
        godfather = db.session.scalar(select(Movie).where(Movie.title == "The Godfather"))
        return {
            "home": "/",
            "movie list": "/movies/",
            "movie page": f"/movies/{godfather.id}-{godfather.slug}",
        }


def main() -> None:
    """Load the sample, time the three pages, print their medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    arguments = parser.parse_args()
    app = sample_app("sample-pages")
    timings = time_pages(app.test_client(), sample_pages(app), arguments.requests)
    for name, values in timings.items():
        print(f"{name}: p50 {statistics.median(values):.1f} ms")


if __name__ == "__main__":
    main()
