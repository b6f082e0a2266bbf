"""Import benchmark: a 10,000-row Letterboxd export imported into the 100,000-movie catalog.

    python -m bench.imports [--movies 100000] [--rows 10000] [--rounds 3]
                            [--postgres-url postgresql://…/postgres] [--profile]

SQLite: a copy of the bench.pages database (the synthetic catalog loaded once
by the real `flask seed load`), migrated to the latest revision. With
--postgres-url (or BENCH_POSTGRES_URL), also a fresh database
`marquee_bench_<time>` on that server, loaded the same way and dropped at the
end, failure or not.

On each database the member's films are picked among those whose title no
other film shares within a year, and some are renamed first ("The …",
accented words), so the export can write them as Letterboxd does ("…, The",
accents dropped). tests/exports.py writes the member's history over them and
over films the catalog lacks. Each round imports it into a new member with
runner.run (read and parse the zip, match, write, commit per batch), timed
end to end; then the same file goes again into the last round's member
(every row already there). Every row's film is checked against the one the
export means. --profile adds a cProfile of one more import on the first
database. Prints a Markdown table of medians for docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import flask_migrate
from sqlalchemy import select, update

from app import create_app
from app.infra.db import db
from app.models import Import, ImportRow, Movie, RowStatus, User
from app.services import search
from app.services.imports import matching, runner
from app.services.search import normalize
from bench.pages import RESULTS, ROOT, bench_app, build_database
from bench.reviews import UNUSABLE
from bench.scale import scratch_postgres
from bench.seed import catalog, load_run, migrated_environment
from bench.synthetic_catalog import WORDS
from tests.exports import EXPORT_NAME, Film, History, history

TARGET_RATE = 500  # rows a second, end to end, on SQLite
SEEN = 3_000  # films of the catalog the member has rated, logged or listed
MISSING = 300  # films the member has seen that the catalog lacks
ARTICLE_SHARE = 1 / 4  # of the member's films, renamed "The …"
ACCENT_SHARE = 1 / 8  # and given an accented word in front
ACCENTED = ["Café", "Été", "Rêve", "Château", "Noël", "Señor", "Über", "Déjà"]


def prepare_films(app, *, seen: int, missing: int, seed: int) -> tuple[list[Film], list[Film]]:
    """Pick the member's films, rename some as exports write them differently, invent the rest."""
    rng = random.Random(seed)
    with app.app_context():
        movies = db.session.execute(
            select(Movie.id, Movie.title, Movie.release_date)
            .where(Movie.hidden_at.is_(None), Movie.release_date.is_not(None))
            .order_by(Movie.id)
        ).all()
        years: dict[str, list[int]] = defaultdict(list)
        for movie in movies:
            years[normalize(movie.title)].append(movie.release_date.year)
        # Most real films have a title no other film has within a year; the rest go to the
        # review queue by design, which would measure the synthetic catalog's word pool.
        distinct = [
            movie for movie in movies if _near(years, movie.title, movie.release_date.year) == 1
        ]
        picked = rng.sample(distinct, seen)
        renamed = _renamed(picked, years, rng)
        if renamed:
            db.session.execute(
                update(Movie),
                [
                    {"id": movie_id, "title": title, "original_title": title}
                    for movie_id, title in renamed.items()
                ],
            )
            search.index_movies(sorted(renamed))
            db.session.commit()
        in_catalog = [
            Film(renamed.get(movie.id, movie.title), movie.release_date.year, movie.id)
            for movie in picked
        ]
        chosen = {movie.id for movie in picked}
        others = [movie for movie in movies if movie.id not in chosen]
    return in_catalog, _lacking(others, years, missing, rng)


def _near(years: dict[str, list[int]], title: str, year: int) -> int:
    """How many films of the catalog have this title and a year at most one off."""
    return sum(1 for other in years.get(normalize(title), ()) if abs(other - year) <= 1)


def _renamed(picked: list, years: dict[str, list[int]], rng: random.Random) -> dict[int, str]:
    """New titles for a share of the films: "The …", or an accented word in front."""
    renamed = {}
    for number, movie in enumerate(picked):
        if number < len(picked) * ARTICLE_SHARE:
            title = f"The {movie.title}"
        elif number < len(picked) * (ARTICLE_SHARE + ACCENT_SHARE):
            title = f"{rng.choice(ACCENTED)} {movie.title}"
        else:
            continue
        if normalize(title) not in years:
            renamed[movie.id] = title
    return renamed


def _lacking(others: list, years: dict[str, list[int]], count: int, rng) -> list[Film]:
    """Films the catalog lacks: half remakes of its films, half titles it has never seen."""
    lacking: list[Film] = []
    while len(lacking) < count:
        if len(lacking) % 2:  # its title, decades away from the film the catalog has
            movie = rng.choice(others)
            year = movie.release_date.year
            year += 25 if year + 25 <= 2024 else -25
            if _near(years, movie.title, year) == 0:
                lacking.append(Film(movie.title, year, None))
        else:  # five words: the synthetic catalog's titles have at most four
            title = " ".join(rng.choice(WORDS) for _ in range(5)).title()
            title = f"The {title}" if rng.random() < 0.3 else title
            if normalize(title) not in years:
                lacking.append(Film(title, rng.randint(1950, 2024), None))
    return lacking


@contextmanager
def timed_phases() -> Iterator[dict[str, float]]:
    """Add up runner.run's time in matching.match, and note when it turns from reading to rows."""
    timings = {"matching": 0.0, "rows_from": 0.0}
    match, match_and_write = matching.match, runner._match_and_write

    def timed_match(wanted):
        started = time.perf_counter()
        try:
            return match(wanted)
        finally:
            timings["matching"] += time.perf_counter() - started

    def noting_start(*args, **kwargs):
        timings["rows_from"] = time.perf_counter()
        return match_and_write(*args, **kwargs)

    matching.match, runner._match_and_write = timed_match, noting_start
    try:
        yield timings
    finally:
        matching.match, runner._match_and_write = match, match_and_write


def new_member(number: int) -> int:
    """A member who never logs in; their id."""
    name = f"importer{number}"
    user = User(username=name, email=f"{name}@example.com", password_hash=UNUSABLE)
    db.session.add(user)
    db.session.commit()
    return user.id


def stored_upload(user_id: int, content: bytes) -> Import:
    """An Import holding the file, committed, as imports.start leaves it for the job."""
    imported = Import(
        user=db.session.get(User, user_id),
        filename=f"{EXPORT_NAME}.zip",
        size=len(content),
        upload=content,
    )
    db.session.add(imported)
    db.session.commit()
    return imported


def import_once(app, user_id: int, made: History, content: bytes) -> dict:
    """One import of the file into the member, timed end to end, its rows checked."""
    with app.app_context():
        imported = stored_upload(user_id, content)
        with timed_phases() as phases:
            started, cpu_started = time.perf_counter(), time.process_time()
            runner.run(imported)
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
        outcome = check(imported, made)
        db.session.remove()
    reading = phases["rows_from"] - started
    return {
        "seconds": seconds,
        "rate": outcome["rows"] / seconds,
        "matched_rate": outcome["matched"] / seconds,
        "cpu_rate": outcome["rows"] / cpu,
        "reading": reading,
        "matching": phases["matching"],
        "writing": seconds - reading - phases["matching"],
        "outcome": outcome,
    }


def check(imported: Import, made: History) -> Counter[str]:
    """Each row's state, and whether a matched row is on the film the export means."""
    tally: Counter[str] = Counter()
    query = select(ImportRow.file, ImportRow.line, ImportRow.status, ImportRow.movie_id).where(
        ImportRow.import_id == imported.id
    )
    for file, line, status, movie_id in db.session.execute(query):
        meant = made.expected[(file, line)]
        tally["rows"] += 1
        tally[status.value] += 1
        if movie_id is not None:
            tally["matched"] += 1
            tally["right film" if movie_id == meant else "wrong film"] += 1
        elif status is RowStatus.queued:
            tally["queued, in the catalog" if meant else "queued, not in the catalog"] += 1
    return tally


def measure(app, label: str, options) -> dict:
    """Prepare the films, then the rounds of imports and the rerun, on one database."""
    print(f"{label}: picking and renaming films …", file=sys.stderr)
    in_catalog, lacking = prepare_films(app, seen=SEEN, missing=MISSING, seed=options.seed)
    made = history(in_catalog, lacking, rows=options.rows, seed=options.seed)
    content = made.zip()
    rounds = []
    for number in range(1, options.rounds + 1):
        with app.app_context():
            user_id = new_member(number)
        rounds.append(import_once(app, user_id, made, content))
        print(
            f"{label}: round {number}: {rounds[-1]['seconds']:.1f} s, "
            f"{rounds[-1]['rate']:,.0f} rows/s",
            file=sys.stderr,
        )
    rerun = import_once(app, user_id, made, content)
    print(f"{label}: rerun: {rerun['seconds']:.1f} s", file=sys.stderr)
    outcomes = {tuple(sorted(run["outcome"].items())) for run in rounds}
    if len(outcomes) > 1:
        print(f"{label}: rounds differ in their outcome: {outcomes}", file=sys.stderr)
    with app.app_context():
        version = db.session.connection().dialect.server_version_info
    return {
        "database": label + " " + ".".join(map(str, version)),
        "export": describe(made, in_catalog, lacking, content),
        "rounds": rounds,
        "rerun": rerun,
        "made": made,
        "content": content,
    }


def describe(made: History, in_catalog: list[Film], lacking: list[Film], content: bytes) -> str:
    """What the export holds, in a sentence."""
    files = ", ".join(f"{name} {len(rows):,}" for name, rows in made.files.items())
    meant = Counter(movie_id is not None for movie_id in made.expected.values())
    moved = sum(film.title.startswith("The ") for film in in_catalog)
    accented = sum(film.title.split()[0] in ACCENTED for film in in_catalog)
    return (
        f"{made.rows:,} rows ({files}), {meant[True]:,} of them on {len(in_catalog):,} films "
        f"of the catalog ({moved:,} titled “The …”, {accented:,} with an accented word) and "
        f"{meant[False]:,} on {len(lacking):,} films it lacks; "
        f"{len(content) / 1024:,.0f} KiB zipped"
    )


def profile_import(app, number: int, content: bytes, path: Path) -> None:
    """One more import under cProfile: the top functions by own time and by cumulative time."""
    with app.app_context():
        imported = stored_upload(new_member(number), content)
        profiler = cProfile.Profile()
        profiler.enable()
        runner.run(imported)
        profiler.disable()
        db.session.remove()
    profiler.dump_stats(path)
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    rows = list(stats.stats.items())
    print(f"\ncProfile of one import: {total:.1f} s in all (profiled); {path}", file=sys.stderr)
    by_own = sorted(rows, key=lambda row: -row[1][2])
    print("own time:", file=sys.stderr)
    for (file, line, name), (_, calls, own, _, _) in by_own[:20]:
        print(f"  {own / total:6.1%}  {calls:>9,}  {_where(file, line, name)}", file=sys.stderr)
    ours = [row for row in rows if row[0][0].startswith(str(ROOT / "app"))]
    by_cumulative = sorted(ours, key=lambda row: -row[1][3])
    print("cumulative, functions of app/:", file=sys.stderr)
    for (file, line, name), (_, calls, _, cumulative, _) in by_cumulative[:25]:
        where = _where(file, line, name)
        print(f"  {cumulative / total:6.1%}  {calls:>9,}  {where}", file=sys.stderr)


def _where(file: str, line: int, name: str) -> str:
    for marker in (f"{ROOT}/", "site-packages/"):
        if marker in file:
            file = file.split(marker, 1)[1]
    return f"{file}:{line}:{name}"


def table(results: list[dict], options) -> list[str]:
    """One Markdown table: a row per figure, a column per database, the target, a verdict."""
    databases = " | ".join(result["database"] for result in results)
    lines = [
        f"| benchmark | {databases} | target | verdict |",
        f"|---|{'---|' * len(results)}---|---|",
    ]

    def row(name: str, figure, target: str = "", passes=None, *, judged=results) -> None:
        cells = [figure(result) for result in results]
        verdict = ""
        if passes is not None:
            missed = [result["database"] for result in judged if not passes(result)]
            verdict = "met" if not missed else f"**missed** ({', '.join(missed)})"
        lines.append(f"| {name} | {' | '.join(cells)} | {target} | {verdict} |")

    def median(result: dict, key: str) -> float:
        return statistics.median(run[key] for run in result["rounds"])

    def share(result: dict, key: str) -> str:
        part = statistics.median(run[key] / run["seconds"] for run in result["rounds"])
        return f"{median(result, key):.2f} s ({part:.0%})"

    def outcome(result: dict, *keys: str) -> str:
        counted = result["rounds"][0]["outcome"]
        return " / ".join(f"{counted[key]:,}" for key in keys)

    rows = results[0]["made"].rows
    row(
        f"import of {rows:,} rows, end to end (read, parse, match, write, commit per "
        f"{runner.BATCH}), median of {options.rounds} members",
        lambda r: f"{median(r, 'rate'):,.0f} rows/s ({median(r, 'seconds'):.1f} s)",
        f"≥ {TARGET_RATE} rows/s on SQLite",
        lambda r: median(r, "rate") >= TARGET_RATE,
        judged=results[:1],
    )
    row(
        "the same, counting only the rows matched and written",
        lambda r: f"{median(r, 'matched_rate'):,.0f} rows/s",
    )
    row(
        "the same, all rows over this process's CPU time (less swayed by other load; "
        "not the database server's)",
        lambda r: f"{median(r, 'cpu_rate'):,.0f} rows/s",
    )
    row(
        "split: reading and parsing (unzip, CSV, import rows stored)", lambda r: share(r, "reading")
    )
    row("split: matching (title lookups and scoring)", lambda r: share(r, "matching"))
    row(
        "split: writing (library reads, writes, review figures, commit per batch)",
        lambda r: share(r, "writing"),
    )
    row(
        "rows matched automatically: on the film the export means / on another",
        lambda r: outcome(r, "right film", "wrong film"),
        "0 on another",
        lambda r: all(run["outcome"]["wrong film"] == 0 for run in r["rounds"]),
    )
    row(
        "rows queued for review: films the catalog has / lacks",
        lambda r: outcome(r, "queued, in the catalog", "queued, not in the catalog"),
    )
    row(
        "rows saved / unchanged / kept / queued / failed",
        lambda r: outcome(r, "saved", "unchanged", "kept", "queued", "failed"),
    )
    row(
        "rerun: the same file into the same member",
        lambda r: f"{r['rerun']['rate']:,.0f} rows/s ({r['rerun']['seconds']:.1f} s)",
    )
    row(
        "rerun: rows saved / unchanged / kept / queued / failed",
        lambda r: " / ".join(
            f"{r['rerun']['outcome'][key]:,}"
            for key in ("saved", "unchanged", "kept", "queued", "failed")
        ),
        "0 saved",
        lambda r: r["rerun"]["outcome"]["saved"] == 0,
    )
    return lines


def main() -> None:
    """Import the export on each database and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the export (at least)")
    parser.add_argument("--rounds", type=int, default=3, help="imports, each into a new member")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL"))
    parser.add_argument("--profile", action="store_true", help="cProfile one more import")
    options = parser.parse_args()
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    results = []
    source = build_database(options.movies)
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as folder:
        database = Path(folder) / source.name
        shutil.copyfile(source, database)
        app = bench_app(database, instance=source.parent)
        with app.app_context():  # the cached database may predate a migration
            flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        results.append(measure(app, "SQLite", options))
        if options.profile:
            profile_import(app, options.rounds + 1, results[0]["content"], RESULTS / "imports.prof")
        with app.app_context():
            db.engine.dispose()
    if options.postgres_url:
        with scratch_postgres(options.postgres_url) as database_url:
            workdir = RESULTS / "imports-postgresql"
            shutil.rmtree(workdir, ignore_errors=True)
            print(f"PostgreSQL: loading {options.movies:,} movies …", file=sys.stderr)
            load_run(migrated_environment(catalog(options.movies), workdir, database_url))
            app = create_app(
                {
                    "MARQUEE_ENV": "test",
                    "INSTANCE_PATH": str(workdir / "instance"),
                    "SQLALCHEMY_DATABASE_URI": database_url,
                    "LOG_LEVEL": "WARNING",
                }
            )
            results.append(measure(app, "PostgreSQL", options))
            with app.app_context():
                db.engine.dispose()
    minutes = (time.perf_counter() - started) / 60
    print(
        f"\n{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {date.today().isoformat()}; {options.movies:,} "
        f"movies; load average {load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at "
        f"the end; {minutes:.1f} minutes in all\n"
    )
    print(f"Export: {results[0]['export']}.\n")
    print("\n".join(table(results, options)))


if __name__ == "__main__":
    main()
