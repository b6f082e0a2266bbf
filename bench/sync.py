"""Sync benchmark: 1,000 changed movies among a 100k catalog, TMDB 50 ms away, 40 requests/s.

    python -m bench.sync [--movies 100000] [--changed 1000] [--repeat 3]

The catalog is the synthetic one (bench/synthetic_catalog.py) loaded into a
SQLite file once; each run syncs a fresh copy of it against the TMDB-shaped
server in a process of its own, which logs the changes and every request's
arrival. Prints a Markdown table of medians for docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from bisect import bisect_left
from pathlib import Path

from bench.seed import (
    FLASK,
    LATENCY,
    RATE_LIMIT,
    RESULTS,
    ROOT,
    catalog,
    migrated_environment,
    print_table,
)
from tests.seeder.tmdb_server import API_KEY


def loaded_catalog(movies: int) -> Path:
    """A SQLite database holding the synthetic catalog, made on first use."""
    folder = RESULTS / f"sync-{movies}"
    database = folder / "instance" / "marquee-test.sqlite3"
    if not database.exists():
        print(f"loading the {movies:,}-movie catalog into {database} …", file=sys.stderr)
        environment = migrated_environment(catalog(movies), folder)
        subprocess.run(
            [*FLASK, "seed", "load"], cwd=ROOT, env=environment, check=True, capture_output=True
        )
    return database


def sync_run(database: Path, changed: int) -> dict[str, float]:
    """One sync of a copy of the catalog: request rate, busiest second, fetch and apply times."""
    from app import create_app
    from app.infra.db import db
    from seeder import sync

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "instance").mkdir()
        copy = work / "instance" / "marquee-test.sqlite3"
        shutil.copy(database, copy)
        arrivals_file = work / "arrivals.txt"
        command = [sys.executable, "-m", "tests.seeder.tmdb_server", "--movies", str(changed)]
        # Noise ids past the catalog's: TMDB's feed is mostly films a catalog does not have.
        command += ["--changed", str(changed), "--noise-start", "10000000"]
        command += ["--latency", str(LATENCY)]
        command += ["--arrivals", str(arrivals_file)]
        server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        try:
            base_url = server.stdout.readline().strip()
            app = create_app(
                {
                    "MARQUEE_ENV": "test",
                    "INSTANCE_PATH": str(work / "instance"),
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{copy}",
                    "TMDB_API_KEY": API_KEY,
                    "TMDB_API_BASE_URL": base_url,
                    "TMDB_RATE_LIMIT": RATE_LIMIT,
                    "SEED_OUTPUT_DIR": str(work / "output"),
                }
            )
            with app.app_context(), open(os.devnull, "w") as quiet:
                refresher = sync.from_app(app, stream=quiet)
                timings = _timed(refresher)
                started = time.perf_counter()
                summary = sync.Syncer(refresher).run()
                whole = time.perf_counter() - started
                counts = dict(summary.run.counts)
                db.session.remove()
                db.engine.dispose()
        finally:
            server.terminate()
            server.wait(timeout=60)
        arrivals = [float(line) for line in arrivals_file.read_text().split()]
    sustained = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
    busiest = max(
        bisect_left(arrivals, start + 1.0) - index for index, start in enumerate(arrivals)
    )
    return {
        "requests": len(arrivals),
        "rate": sustained,
        "busiest_second": busiest,
        "fetch_seconds": timings["fetch"],
        "apply_seconds": timings["apply"],
        "whole_seconds": whole,
        "refetched": counts.get("refetched", 0),
        "updated": counts.get("updated", 0),
    }


def _timed(refresher) -> dict[str, float]:
    """Add up the time the refresher spends fetching and applying (process + load + hide)."""
    timings = {"fetch": 0.0, "apply": 0.0}
    fetch, load, hide = refresher.fetcher.fetch_records, refresher._load, refresher._hide_gone

    def timed(function, bucket):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                timings[bucket] += time.perf_counter() - started

        return wrapper

    refresher.fetcher.fetch_records = timed(fetch, "fetch")
    refresher._load = timed(load, "apply")
    refresher._hide_gone = timed(hide, "apply")
    return timings


def main() -> None:
    """Run the sync benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=100_000)
    parser.add_argument("--changed", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()

    database = loaded_catalog(arguments.movies)
    runs = []
    for number in range(arguments.repeat):
        runs.append(sync_run(database, arguments.changed))
        print(f"sync run {number + 1}: {runs[-1]['whole_seconds']:.1f}s", file=sys.stderr)

    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    rate, fetch, apply = median("rate"), median("fetch_seconds"), median("apply_seconds")
    share = statistics.median(run["apply_seconds"] / run["fetch_seconds"] for run in runs)
    rows = [
        (
            f"sync, {runs[0]['requests']:,} requests ({runs[0]['refetched']:,} records "
            f"refetched), {LATENCY * 1000:.0f} ms latency, limit {RATE_LIMIT:.0f}/s",
            f"{rate:.1f} requests/s ({rate / RATE_LIMIT:.0%} of the limit)",
            "≥ 90%",
        ),
        (
            "sync, busiest 1-second window (worst run)",
            f"{max(run['busiest_second'] for run in runs)} requests",
            f"≤ {RATE_LIMIT:.0f}",
        ),
        ("sync, fetching the changed records", f"{fetch:.1f} s", ""),
        (
            f"sync, applying them (process + load into {arguments.movies:,} movies)",
            f"{apply:.2f} s ({share:.1%} of the fetch time)",
            "≤ 10%",
        ),
        ("sync, whole run (change lists included)", f"{median('whole_seconds'):.1f} s", ""),
    ]
    print_table(rows, arguments.repeat)


if __name__ == "__main__":
    main()
