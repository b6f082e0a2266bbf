"""Seeder benchmarks: fetch against a slow local TMDB-shaped server, and a 100k-movie load.

    python -m bench.seed [--movies 100000] [--repeat 3] [--fetch-movies 300]

Prints a Markdown table of medians; docs/PERFORMANCE.md keeps the results.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from bisect import bisect_left
from pathlib import Path

from bench.synthetic_catalog import write_catalog
from seeder.fetch import Fetcher
from seeder.storage import RawStore
from seeder.tmdb import ClientSettings, TMDBClient
from tests.seeder.tmdb_server import API_KEY

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
RATE_LIMIT = 40.0
LATENCY = 0.05
FLASK = [sys.executable, "-m", "flask"]
INSERTED_CREDITS = re.compile(r"^credits: (\d+) inserted", re.MULTILINE)
STAGE_LINE = re.compile(r"^load (\w+): ([\d,]+)/[\d,]+ in \S+ \(([\d,.]+)/s\)$", re.MULTILINE)
PEAK_KB = re.compile(r"^PEAK_KB (\d+)$", re.MULTILINE)


def fetch_run(movie_count: int) -> dict[str, float]:
    """One fetch of movie_count movies (and one person each) at 40 requests/s.

    The server runs in its own process, so its arrival times are not skewed
    by the client's threads holding the GIL.
    """
    with tempfile.TemporaryDirectory() as folder:
        arrivals_file = Path(folder) / "arrivals.txt"
        command = [sys.executable, "-m", "tests.seeder.tmdb_server", "--movies", str(movie_count)]
        command += ["--latency", str(LATENCY), "--arrivals", str(arrivals_file)]
        server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        try:
            base_url = server.stdout.readline().strip()
            settings = ClientSettings(api_key=API_KEY, base_url=base_url, rate_limit=RATE_LIMIT)
            with open(os.devnull, "w") as quiet:
                fetcher = Fetcher(
                    TMDBClient(settings), RawStore(Path(folder) / "raw"), stream=quiet
                )
                fetcher.run(list(range(1, movie_count + 1)))
        finally:
            server.terminate()
            server.wait(timeout=30)
        arrivals = [float(line) for line in arrivals_file.read_text().split()]
    sustained = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
    busiest = max(
        bisect_left(arrivals, start + 1.0) - index for index, start in enumerate(arrivals)
    )
    return {"requests": len(arrivals), "rate": sustained, "busiest_second": busiest}


def catalog(movies: int) -> Path:
    """The synthetic catalog of `movies` movies, in the processed format, written on first use."""
    folder = RESULTS / f"catalog-{movies}" / "processed"
    if not (folder / "credits.jsonl").exists():
        print(f"writing the synthetic catalog to {folder} …", file=sys.stderr)
        write_catalog(folder, movies)
    return folder


def migrated_environment(
    processed: Path, workdir: Path, database_url: str | None = None
) -> dict[str, str]:
    """Environment for a `flask` process on a freshly migrated database.

    SQLite in workdir/instance unless database_url names another (empty) database.
    """
    environment = {
        **{
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("FLASK_", "MARQUEE_", "DATABASE_URL"))
        },
        "MARQUEE_ENV": "test",
        "MARQUEE_INSTANCE_PATH": str(workdir / "instance"),
        "FLASK_SEED_OUTPUT_DIR": str(processed.parent),
        **({"DATABASE_URL": database_url} if database_url else {}),
    }
    subprocess.run(
        [*FLASK, "db", "upgrade"], cwd=ROOT, env=environment, check=True, capture_output=True
    )
    return environment


# `flask seed load`, reporting its own peak resident memory (getrusage) as it exits.
_LOAD_WITH_PEAK = (
    "import resource, runpy, sys; sys.argv=['flask','seed','load']; \n"
    "try:\n    runpy.run_module('flask', run_name='__main__')\n"
    "finally:\n"
    "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "    print('PEAK_KB', peak, file=sys.stderr)"
)


def load_run(environment: dict[str, str]) -> dict[str, float]:
    """One `flask seed load` process: its time, stage rates and peak memory (MB)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _LOAD_WITH_PEAK],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"flask seed load failed:\n{result.stderr[-4000:]}")
    stages = {
        name: float(rate.replace(",", "")) for name, _, rate in STAGE_LINE.findall(result.stderr)
    }
    credits = int(INSERTED_CREDITS.search(result.stdout).group(1))
    return {
        "seconds": elapsed,
        "credits_stage_rate": stages["credits"],
        "people_stage_rate": stages["people"],
        "movies_stage_rate": stages["movies"],
        "credits_over_whole_run": credits / elapsed,
        "peak_mb": int(PEAK_KB.search(result.stderr).group(1)) / 1024,
        "stdout": result.stdout,
    }


def main() -> None:
    """Run both benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fetch-movies", type=int, default=300)
    arguments = parser.parse_args()

    fetches = [fetch_run(arguments.fetch_movies) for _ in range(arguments.repeat)]
    processed = catalog(arguments.movies)
    loads = []
    for run in range(arguments.repeat):
        with tempfile.TemporaryDirectory() as folder:
            loads.append(load_run(migrated_environment(processed, Path(folder))))
        print(f"load run {run + 1}: {loads[-1]['seconds']:.1f}s", file=sys.stderr)
    peak = max(load["peak_mb"] for load in loads)

    def median(rows: list[dict], key: str) -> float:
        return statistics.median(row[key] for row in rows)

    rate = median(fetches, "rate")
    rows = [
        (
            f"fetch, {fetches[0]['requests']} requests, {LATENCY * 1000:.0f} ms latency, "
            f"limit {RATE_LIMIT:.0f}/s",
            f"{rate:.1f} requests/s ({rate / RATE_LIMIT:.0%} of the limit)",
            "≥ 90%",
        ),
        (
            "fetch, busiest 1-second window (worst run)",
            f"{max(fetch['busiest_second'] for fetch in fetches)} requests",
            f"≤ {RATE_LIMIT:.0f}",
        ),
        (f"load {arguments.movies:,} movies, whole run", f"{median(loads, 'seconds'):.1f} s", ""),
        ("load, credits stage", f"{median(loads, 'credits_stage_rate'):,.0f} rows/s", "≥ 20,000"),
        (
            "load, credits over the whole run",
            f"{median(loads, 'credits_over_whole_run'):,.0f} rows/s",
            "",
        ),
        ("load, people stage", f"{median(loads, 'people_stage_rate'):,.0f} rows/s", ""),
        ("load, movies stage", f"{median(loads, 'movies_stage_rate'):,.0f} rows/s", ""),
        ("load, peak memory of the process (highest run)", f"{peak:.0f} MB", "≤ 300 MB"),
    ]
    print_table(rows, arguments.repeat)


def print_table(rows: list[tuple[str, str, str]], repeat: int) -> None:
    """The machine, then the rows as a Markdown table for docs/PERFORMANCE.md."""
    machine = f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\n{machine}; SQLite; medians of {repeat} runs\n")
    print("| benchmark | result | target |\n|---|---|---|")
    for name, result, target in rows:
        print(f"| {name} | {result} | {target} |")


if __name__ == "__main__":
    main()
