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


def fetch_run(movie_count: int) -> dict[str, float]:
    """One fetch of movie_count movies (and one person each) at 40 requests/s.

    The server runs in its own process, so its arrival times are not skewed
    by the client's threads holding the GIL.
    """
    with tempfile.TemporaryDirectory() as folder:
        arrivals_file = Path(folder) / "arrivals.txt"
        server = subprocess.Popen(
            [
                sys.executable, "-m", "tests.seeder.tmdb_server",
                "--movies", str(movie_count),
                "--latency", str(LATENCY),
                "--arrivals", str(arrivals_file),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
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


def migrated_environment(catalog: Path, workdir: Path) -> dict[str, str]:
    """Environment for a `flask` process on a fresh, migrated SQLite database."""
    environment = {
        **{
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("FLASK_", "MARQUEE_", "DATABASE_URL"))
        },
        "MARQUEE_ENV": "test",
        "MARQUEE_INSTANCE_PATH": str(workdir / "instance"),
        "FLASK_SEED_OUTPUT_DIR": str(catalog.parent),
    }
    subprocess.run(
        [*FLASK, "db", "upgrade"], cwd=ROOT, env=environment, check=True, capture_output=True
    )
    return environment


def load_run(catalog: Path, workdir: Path) -> dict[str, float]:
    """One `flask seed load` of the catalog into a fresh SQLite database."""
    environment = migrated_environment(catalog, workdir)
    flask = FLASK
    started = time.perf_counter()
    process = subprocess.Popen(
        [*flask, "seed", "load"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"flask seed load failed:\n{stderr}")
    stages = {name: float(rate.replace(",", "")) for name, _, rate in STAGE_LINE.findall(stderr)}
    return {
        "seconds": elapsed,
        "credits_stage_rate": stages["credits"],
        "people_stage_rate": stages["people"],
        "movies_stage_rate": stages["movies"],
        "credits_over_whole_run": int(INSERTED_CREDITS.search(stdout).group(1)) / elapsed,
        "stdout": stdout,
    }


def peak_memory_of_load(catalog: Path, workdir: Path) -> float:
    """Peak resident memory (MB) of one `flask seed load` process, from getrusage."""
    environment = migrated_environment(catalog, workdir)
    code = (
        "import resource, runpy, sys; sys.argv=['flask','seed','load']; \n"
        "try:\n    runpy.run_module('flask', run_name='__main__')\n"
        "finally:\n"
        "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "    print('PEAK_KB', peak, file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"PEAK_KB (\d+)", result.stderr)
    if not match:
        raise SystemExit(f"no peak memory reported:\n{result.stderr[-2000:]}")
    return int(match.group(1)) / 1024


def main() -> None:
    """Run both benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fetch-movies", type=int, default=300)
    arguments = parser.parse_args()

    fetches = [fetch_run(arguments.fetch_movies) for _ in range(arguments.repeat)]
    catalog = RESULTS / f"catalog-{arguments.movies}" / "processed"
    if not (catalog / "credits.jsonl").exists():
        print(f"writing the synthetic catalog to {catalog} …", file=sys.stderr)
        write_catalog(catalog, arguments.movies)
    loads = []
    for run in range(arguments.repeat):
        with tempfile.TemporaryDirectory() as folder:
            loads.append(load_run(catalog, Path(folder)))
        print(f"load run {run + 1}: {loads[-1]['seconds']:.1f}s", file=sys.stderr)
    with tempfile.TemporaryDirectory() as folder:
        peak = peak_memory_of_load(catalog, Path(folder))

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
        ("load, peak memory of the process", f"{peak:.0f} MB", "≤ 300 MB"),
    ]
    machine = f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\n{machine}; SQLite; medians of {arguments.repeat} runs\n")
    print("| benchmark | result | target |\n|---|---|---|")
    for name, result, target in rows:
        print(f"| {name} | {result} | {target} |")


if __name__ == "__main__":
    main()
