"""Unmatched films of an import, looked for on a stand-in TMDB, fetched, then matched."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app import jobs
from app.infra.db import db
from app.models import Import, ImportRow, Movie, RowStatus
from app.services import imports, reviews
from app.services.imports import runner
from seeder import SAMPLE_DIR, lookup, sync
from tests.exports import EXPORT_NAME, csv_text, letterboxd_zip
from tests.factories import make_user
from tests.seeder.tmdb_server import TMDBServer
from tests.support import point_at_tmdb

RATINGS = [
    {"Date": "2023-01-02", "Name": "Heat", "Year": "1995", "Rating": "4.5"},
    # TMDB's loose search also answers "The Godfather Part II": only one title fits.
    {"Date": "2023-01-02", "Name": "The Godfather", "Year": "1972", "Rating": "5"},
    # A year off (festival and release years differ): fetched, then offered in the queue.
    {"Date": "2023-01-02", "Name": "Amélie", "Year": "2000", "Rating": "4"},
    {"Date": "2023-01-02", "Name": "Heat", "Year": "1986", "Rating": "2"},  # not on TMDB
]


@pytest.fixture
def sample_tmdb(app, monkeypatch, tmp_path):
    """A stand-in TMDB serving the bundled sample; the catalog here is empty."""

    def replies(kind: str) -> dict[int, dict]:
        folder = SAMPLE_DIR / kind
        return {int(path.stem): json.loads(path.read_text()) for path in folder.glob("*.json")}

    with TMDBServer(movies=replies("movies"), people=replies("people")) as server:
        point_at_tmdb(app, monkeypatch, server.base_url, tmp_path / "output")
        yield server


def _imported(user, content: bytes, filename: str = f"{EXPORT_NAME}.zip") -> Import:
    imported = Import(user=user, filename=filename, size=len(content), upload=content)
    db.session.add(imported)
    db.session.flush()
    runner.run(imported)
    return imported


def test_queued_films_are_found_fetched_and_saved(app, db, sample_tmdb):
    user = make_user("ana")
    imported = _imported(user, letterboxd_zip({"ratings.csv": RATINGS}))
    assert imports.counts(imported)[RowStatus.queued] == 4

    found = lookup.look_up_queued(imported, sync.from_app(app), limit=100)

    assert found.asked == 4
    assert found.added == 3
    titles = set(db.session.scalars(select(Movie.title)))
    assert titles == {"Heat", "The Godfather", "Amélie"}
    statuses = {(row.title, row.year): row.status for row in imported_rows(imported)}
    assert statuses == {
        ("Heat", 1995): RowStatus.saved,
        ("The Godfather", 1972): RowStatus.saved,
        ("Amélie", 2000): RowStatus.queued,
        ("Heat", 1986): RowStatus.queued,
    }
    heat = db.session.scalar(select(Movie).where(Movie.tmdb_id == 949))
    assert reviews.of(user, heat).rating == 9
    assert imports.counts(imported)[RowStatus.queued] == 2
    amelie = db.session.scalar(select(Movie).where(Movie.tmdb_id == 194))
    assert imports.queue(imported).items[0].candidates == [amelie]
    assert found.lines() == [
        "Looked for 4 films on TMDB: 3 found, 3 new to the catalog.",
        "2 queued rows now saved.",
    ]
    searches = sample_tmdb.requests_for("/search/movie")
    assert {request.query["query"] for request in searches} == {"Heat", "The Godfather", "Amélie"}


def test_an_imdb_row_is_found_by_its_id(app, db, sample_tmdb):
    user = make_user("ana")
    rows = [{"Const": "tt0068646", "Your Rating": "10", "Title": "Der Pate", "Year": "1972"}]
    content = csv_text(["Const", "Your Rating", "Title", "Year"], rows).encode()
    imported = _imported(user, content, filename="ratings.csv")

    lookup.look_up_queued(imported, sync.from_app(app), limit=100)

    assert imported_rows(imported)[0].status is RowStatus.saved
    assert sample_tmdb.requests_for("/find/tt0068646")
    assert not sample_tmdb.requests_for("/search/movie")


def test_the_import_job_queues_the_lookup_when_a_key_is_set(
    app, client, ana, db, sample_tmdb, pending_jobs
):
    imported = Import(
        user=ana,
        filename=f"{EXPORT_NAME}.zip",
        size=1,
        upload=letterboxd_zip({"ratings.csv": RATINGS[:1]}),
    )
    db.session.add(imported)
    db.session.flush()
    imported.job = jobs.enqueue(
        imports.IMPORT_JOB, label="Import", arguments={"import_id": imported.id}, user=ana
    )
    db.session.commit()

    assert jobs.run_pending() == 2  # the import, then the look-up it queued

    db.session.refresh(imported)
    assert imported.lookup_job.result == [
        "Looked for 1 film on TMDB: 1 found, 1 new to the catalog.",
        "1 queued row now saved.",
    ]
    page = client.get(f"/imports/{imported.id}").get_data(as_text=True)
    assert "Looked for 1 film on TMDB" in page
    assert db.session.scalar(select(func.count()).select_from(Movie)) == 1


def imported_rows(imported: Import) -> list[ImportRow]:
    query = select(ImportRow).where(ImportRow.import_id == imported.id).order_by(ImportRow.id)
    return list(db.session.scalars(query))
