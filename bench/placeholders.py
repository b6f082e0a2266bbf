"""Designed placeholders on the bundled sample: SVG cost, and what inlining them would weigh.

    python -m bench.placeholders [--requests 200]

Loads the bundled sample (110 films, none with a TMDB image) into a fresh,
migrated SQLite database, then measures in-process through the WSGI app:
the SVG route for every film and person (time, size, gzipped size), and for
the home page, the movie list and a movie page their HTML, how many
placeholders they reference, and how much heavier the page would be with
each placeholder inlined as a data: URI instead (src and data-fallback).
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import re
import statistics
import time
from base64 import b64encode

from sqlalchemy import select

from app.infra.db import db
from app.models import Movie, Person
from bench.pages import time_pages
from bench.sample_pages import sample_app, sample_pages

PLACEHOLDER = re.compile(r'(?:src|data-fallback)="(/posters/(?:movie|person)/\d+\.svg\?v=\w+)"')


def placeholder_urls(app) -> list[str]:
    """Every film's and person's placeholder URL."""
    with app.app_context():
        movies = db.session.execute(select(Movie.id)).scalars().all()
        people = db.session.execute(select(Person.id)).scalars().all()
    urls = [f"/posters/movie/{number}.svg" for number in movies]
    return urls + [f"/posters/person/{number}.svg" for number in people]


def time_svgs(client, urls: list[str], rounds: int) -> tuple[list[float], list[int], list[int]]:
    """Milliseconds a request over `rounds` passes of every URL; raw and gzipped sizes."""
    timings, sizes, zipped = [], [], []
    for url in urls:
        body = client.get(url).get_data()
        sizes.append(len(body))
        zipped.append(len(gzip.compress(body)))
    for _ in range(rounds):
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
    return timings, sizes, zipped


def weigh(client, url: str) -> tuple[int, int, int]:
    """A page's HTML bytes, its placeholder references, and the bytes inlining would add."""
    html = client.get(url).get_data(as_text=True)
    references = PLACEHOLDER.findall(html)
    inlined = 0
    for reference in references:
        svg = client.get(reference).get_data()
        data_uri = "data:image/svg+xml;base64," + b64encode(svg).decode()
        inlined += len(data_uri) - len(reference)
    return len(html.encode()), len(references), inlined


def main() -> None:
    """Build, measure, print one Markdown table per part."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    app = sample_app("placeholders")
    urls = placeholder_urls(app)
    pages = sample_pages(app)
    client = app.test_client()
    timings, sizes, zipped = time_svgs(client, urls, arguments.rounds)
    machine = f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\n{machine}; SQLite; the bundled sample\n")
    print("| SVG route | p50 | p95 | size (median) | gzipped (median) |\n|---|---|---|---|---|")
    p95 = statistics.quantiles(timings, n=20)[18]
    print(
        f"| {len(urls)} films and people × {arguments.rounds} | "
        f"{statistics.median(timings):.2f} ms | {p95:.2f} ms | "
        f"{statistics.median(sizes):,.0f} B | {statistics.median(zipped):,.0f} B |"
    )
    built = time_pages(client, pages, arguments.requests)
    print("\n| page | HTML | placeholder references | inlining would add | built, p50 |")
    print("|---|---|---|---|---|")
    for name, url in pages.items():
        size, references, inlined = weigh(client, url)
        print(
            f"| {name} `{url}` | {size / 1024:.1f} KiB | {references} | "
            f"+{inlined / 1024:.0f} KiB | {statistics.median(built[name]):.1f} ms |"
        )


if __name__ == "__main__":
    main()
