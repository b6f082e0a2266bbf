"""A `flask seed load` killed part way (SIGKILL), then run again, ends as one uninterrupted run."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.seed import migrated_environment
from bench.synthetic_catalog import write_catalog
from tests.support import ROOT

FLASK = [sys.executable, "-m", "flask"]
# Every catalog table, in an order that does not depend on ids or timestamps.
CONTENT = {
    "movies": "SELECT tmdb_id, title, release_date, runtime, popularity FROM movies",
    "people": "SELECT tmdb_id, name, popularity FROM people",
    "genres": "SELECT tmdb_id, name, slug FROM genres",
    "credits": "SELECT m.tmdb_id, p.tmdb_id, c.kind, c.character, c.job, c.cast_order "
    "FROM credits c JOIN movies m ON m.id = c.movie_id JOIN people p ON p.id = c.person_id",
    "movie_genres": "SELECT m.tmdb_id, g.tmdb_id FROM movie_genres mg "
    "JOIN movies m ON m.id = mg.movie_id JOIN genres g ON g.id = mg.genre_id",
    "search_entries": "SELECT kind, key, popularity FROM search_entries",
}


def fingerprint(database: Path) -> dict[str, tuple[int, str]]:
    """Rows and a digest of every catalog table's content."""
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            summary = {}
            for table, query in CONTENT.items():
                rows = sorted(map(repr, connection.execute(text(query))))
                summary[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
            return summary
    finally:
        engine.dispose()


def movies_in(database: Path) -> int:
    """Movies committed so far, read while the load writes (SQLite WAL allows it)."""
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM movies")).scalar_one()
    finally:
        engine.dispose()


def test_a_killed_load_rerun_matches_an_uninterrupted_one(tmp_path):
    processed = tmp_path / "output" / "processed"
    write_catalog(processed, 1500)
    whole = migrated_environment(processed, tmp_path / "whole")
    killed = migrated_environment(processed, tmp_path / "killed")
    subprocess.run([*FLASK, "seed", "load"], cwd=ROOT, env=whole, check=True, capture_output=True)

    database = tmp_path / "killed" / "instance" / "marquee-test.sqlite3"
    load = subprocess.Popen(
        [*FLASK, "seed", "load", "--batch-size", "50"],
        cwd=ROOT,
        env=killed,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while movies_in(database) < 300:  # killed in the middle of the movies, after people
        assert load.poll() is None, "the load ended before it could be killed"
        time.sleep(0.01)
    load.send_signal(signal.SIGKILL)
    load.wait(timeout=30)
    assert load.returncode == -signal.SIGKILL
    partial = fingerprint(database)
    rerun = subprocess.run(
        [*FLASK, "seed", "load"], cwd=ROOT, env=killed, capture_output=True, text=True
    )

    assert rerun.returncode == 0, rerun.stderr
    expected = fingerprint(tmp_path / "whole" / "instance" / "marquee-test.sqlite3")
    assert partial["movies"][0] < expected["movies"][0]  # it really was cut short
    assert partial["credits"][0] == 0
    assert fingerprint(database) == expected
