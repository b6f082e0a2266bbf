"""Editing benchmark: page times on the 100,000-movie catalog before and after 1,000 edits.

    python -m bench.edits [--movies 100000] [--edits 1000] [--hidden 100] [--requests 300]

Copies the bench.pages database (built once by the real `flask seed load`),
times the catalog pages on it, then an editor makes `--edits` edits of the
most popular movie (titles, overviews, runtimes and credit changes) and of
the busiest person, and hides `--hidden` popular movies; the same pages are
timed again, with the movie's History page, /changes and one diff page.
Both rounds run in one process, so the before/after ratios compare like with
like. Prints p50/p95 per page as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from app.infra.db import db
from app.models import Credit, CreditKind, EditChange, Movie, Person, Role, User
from app.services.edits import credits, deletes, update_movie, update_person
from bench.pages import (
    TARGET_P50,
    TARGET_P95,
    bench_app,
    build_database,
    pages_to_time,
    time_pages,
)
from bench.reviews import UNUSABLE

OVERVIEW = (
    "A long overview that an editor keeps refining, sentence by sentence, so the history holds "
    "texts of a realistic length. Revision {n} changes this sentence and keeps the others. "
    "The film follows its characters through a city at night, and every scene adds a detail."
)


def edit_a_lot(app, count: int, hidden: int) -> dict[str, str]:
    """Make the edits and hide the movies; return the editing pages to time."""
    with app.app_context():
        editor = User(
            username="bencheditor",
            email="bench@example.com",
            password_hash=UNUSABLE,
            role=Role.editor,
        )
        db.session.add(editor)
        movie = db.session.scalar(select(Movie).order_by(Movie.popularity.desc()).limit(1))
        busiest = db.session.scalar(
            select(Credit.person_id).group_by(Credit.person_id).order_by(func.count().desc())
        )
        person = db.session.get(Person, busiest)
        stranger = db.session.scalar(select(Person).order_by(Person.id.desc()).limit(1))
        original_title = movie.title
        for n in range(count):
            if n % 10 == 9:
                _credit_edit(movie, editor, stranger, n)
            else:
                values = {
                    "title": f"{original_title} ({n})" if n % 3 else original_title,
                    "overview": OVERVIEW.format(n=n),
                    "runtime": 90 + n % 60,
                }
                update_movie(movie=movie, editor=editor, values=values, version=movie.version)
            update_person(
                person=person,
                editor=editor,
                values={"place_of_birth": f"Town {n}"},
                version=person.version,
            )
            if n % 50 == 49:
                db.session.commit()
        # Back to its own title, so the movie page's URL is the one timed before.
        update_movie(
            movie=movie, editor=editor, values={"title": original_title}, version=movie.version
        )
        for other in db.session.scalars(
            select(Movie)
            .where(Movie.id != movie.id)
            .order_by(Movie.popularity.desc())
            .limit(hidden)
        ):
            deletes.hide(movie=other, editor=editor, version=other.version)
        db.session.commit()
        overview_edit = db.session.scalar(
            select(func.max(EditChange.edit_id)).where(EditChange.field == "overview")
        )
        return {
            f"movie history ({count:,} edits), first page": f"/movies/{movie.id}/history",
            f"movie history, last page ({-(-count // 50)})": (
                f"/movies/{movie.id}/history?page={-(-count // 50)}"
            ),
            "recent changes": "/changes",
            "recent changes, one editor's movie edits": "/changes?entity=movie&editor=bencheditor",
            "one change (word diff of an overview)": f"/changes/{overview_edit}",
        }


def _credit_edit(movie: Movie, editor: User, stranger: Person, n: int) -> None:
    """Add the stranger to the cast, or take them out again."""
    mine = [
        credit
        for credit in credits.of_movie(movie)
        if credit.person_id == stranger.id and credit.kind is CreditKind.cast
    ]
    changes = credits.CreditChanges(
        removed={credit.id for credit in mine},
        added=[]
        if mine
        else [credits.NewCredit(person=stranger, kind=CreditKind.cast, character=f"Part {n}")],
    )
    credits.save(movie=movie, editor=editor, changes=changes, version=movie.version)


def main() -> None:
    """Time the pages, edit, time them again, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=100_000)
    parser.add_argument("--edits", type=int, default=1_000)
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--requests", type=int, default=300)
    arguments = parser.parse_args()
    source = build_database(arguments.movies)
    work = Path(tempfile.mkdtemp(prefix="bench-edits-"))
    database = work / source.name
    shutil.copyfile(source, database)
    app = bench_app(database, instance=source.parent)
    client = app.test_client()
    catalog_pages = pages_to_time(app)
    before = time_pages(client, catalog_pages, arguments.requests)
    print("timed the catalog pages; editing…", file=sys.stderr)
    editing_pages = edit_a_lot(app, arguments.edits, arguments.hidden)
    after = time_pages(client, catalog_pages | editing_pages, arguments.requests)
    machine = f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(
        f"\n{machine}; SQLite; {arguments.movies:,} movies; {arguments.edits:,} edits of one "
        f"movie and one person; {arguments.hidden} movies hidden; {arguments.requests} requests "
        "a page\n"
    )
    print("| page | before p50 | after p50 | after p95 | after/before | targets 15 / 40 ms |")
    print("|---|---|---|---|---|---|")
    for name in catalog_pages | editing_pages:
        p50, p95 = statistics.median(after[name]), statistics.quantiles(after[name], n=20)[18]
        verdict = "ok" if p50 <= TARGET_P50 and p95 <= TARGET_P95 else "over target"
        if name in before:
            was = statistics.median(before[name])
            print(
                f"| {name} | {was:.1f} ms | {p50:.1f} ms | {p95:.1f} ms | {p50 / was:.2f} | "
                f"{verdict} |"
            )
        else:
            print(f"| {name} | | {p50:.1f} ms | {p95:.1f} ms | | {verdict} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
