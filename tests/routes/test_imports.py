"""The import pages: upload, progress, the review queue, and Download my data."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from app import jobs
from app.models import Import, Movie, RowStatus
from app.services import imports, reviews
from tests.exports import EXPORT_NAME, letterboxd_zip, zipped
from tests.factories import make_user
from tests.support import csrf_token

RATINGS = [
    {"Date": "2023-01-02", "Name": "Godfather, The", "Year": "1972", "Rating": "4.5"},
    {"Date": "2023-01-03", "Name": "Amelie", "Year": "2001", "Rating": "3"},
    {"Date": "2023-01-04", "Name": "Heat", "Year": "1986", "Rating": "2"},
    {"Date": "2023-01-05", "Name": "A Film Nobody Made", "Year": "2019", "Rating": "1"},
]


def upload(client, content: bytes, filename: str = f"{EXPORT_NAME}.zip"):
    """Post a file to the import form, as a browser does."""
    token = csrf_token(client, "/imports")
    data = {"csrf_token": token, "export": (io.BytesIO(content), filename)}
    # Closed here: Werkzeug spools a large body to a temporary file it leaves open.
    environ = EnvironBuilder(path="/imports", method="POST", data=data).get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()


@pytest.fixture
def imported(client, ana, db, sample, pending_jobs) -> Import:
    """Ana's upload of four ratings, run to the end."""
    response = upload(client, letterboxd_zip({"ratings.csv": RATINGS}))
    assert response.status_code == 302
    assert jobs.run_pending() == 1
    return db.session.scalar(select(Import))


def movie(db, tmdb_id: int) -> Movie:
    return db.session.scalar(select(Movie).where(Movie.tmdb_id == tmdb_id))


def test_the_import_pages_need_a_signed_in_member(client, db):
    for url in ("/imports", "/imports/1", "/imports/1/review", "/account/export"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login")


def test_an_upload_opens_its_page_and_the_job_fills_it(client, ana, db, sample, pending_jobs):
    response = upload(client, letterboxd_zip({"ratings.csv": RATINGS}))
    imported = db.session.scalar(select(Import))
    assert response.headers["Location"] == f"/imports/{imported.id}"
    waiting = client.get(f"/imports/{imported.id}").get_data(as_text=True)
    assert "This runs in the background" in waiting
    assert 'data-job-poll="/progress/' in waiting
    assert f'<a href="/imports/{imported.id}">Refresh</a>' in waiting

    jobs.run_pending()
    page = client.get(f"/imports/{imported.id}").get_data(as_text=True)
    assert '<dd class="h4 mb-0" data-count="read">4</dd>' in page
    assert '<dd class="h4 mb-0" data-count="matched">2</dd>' in page
    assert '<dd class="h4 mb-0" data-count="queued">2</dd>' in page
    assert "Read 4 rows from letterboxd-ana-2024-05-01-12-30-utc.zip." in page
    assert "2 saved; 0 were already in Marquee." in page
    assert "profile.csv (your Letterboxd profile) was not imported" in page
    assert f'href="/imports/{imported.id}/review">Review 2 rows</a>' in page
    assert reviews.of(ana, movie(db, 238)).rating == 9
    assert "letterboxd-ana-2024-05-01-12-30-utc.zip" in client.get("/imports").get_data(
        as_text=True
    )


def test_the_review_queue_shows_candidates_and_a_pick_saves_the_row(client, ana, db, imported):
    page = client.get(f"/imports/{imported.id}/review").get_data(as_text=True)
    assert "Heat" in page
    assert "Directed by Michael Mann" in page
    assert "No film in the catalog looks like it." in page
    heat = movie(db, 949)
    row = imports.queue(imported).items[0].first
    pick = f"/imports/{imported.id}/review/{row.id}/pick"
    token = csrf_token(client, f"/imports/{imported.id}/review")

    response = client.post(pick, data={"csrf_token": token, "movie_id": heat.id})

    assert response.status_code == 302
    assert reviews.of(ana, heat).rating == 4
    page = client.get(f"/imports/{imported.id}/review").get_data(as_text=True)
    assert "Saved 1 row as “Heat” (1995)." in page
    assert "A Film Nobody Made" in page
    again = client.post(pick, data={"csrf_token": token, "movie_id": heat.id})
    follow = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "is not waiting for review any more" in follow


def test_search_for_another_film_then_skip(client, ana, db, imported):
    nobody = imports.queue(imported).items[1].first
    page = client.get(f"/imports/{imported.id}/review/{nobody.id}?q=jaws").get_data(as_text=True)
    assert "Which film is “A Film Nobody Made” (2019)?" in page
    assert 'value="jaws"' in page
    assert "Jaws" in page
    token = csrf_token(client, f"/imports/{imported.id}/review")
    response = client.post(
        f"/imports/{imported.id}/review/{nobody.id}/skip", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert imports.counts(imported)[RowStatus.skipped] == 1


def test_a_pick_without_a_film_or_with_an_unknown_one_is_refused(client, ana, db, imported):
    row = imports.queue(imported).items[0].first
    pick = f"/imports/{imported.id}/review/{row.id}/pick"
    token = csrf_token(client, f"/imports/{imported.id}/review")
    missing = client.post(pick, data={"csrf_token": token})
    assert missing.status_code == 302
    assert "Pick one of the films" in client.get(missing.headers["Location"]).get_data(as_text=True)
    assert client.post(pick, data={"csrf_token": token, "movie_id": "99999"}).status_code == 404
    assert imports.counts(imported)[RowStatus.queued] == 2


def test_another_members_import_is_not_found(client, auth, db, imported):
    make_user("bea")
    db.session.commit()
    auth.logout()
    auth.login("bea")
    for url in (f"/imports/{imported.id}", f"/imports/{imported.id}/review"):
        assert client.get(url).status_code == 404, url
    row = imports.queue(imported).items[0].first
    token = csrf_token(client, "/imports")
    skip = client.post(f"/imports/{imported.id}/review/{row.id}/skip", data={"csrf_token": token})
    assert skip.status_code == 404


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "empty.zip", "That file is empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "me.png", "That file is neither a zip nor a CSV"),
        (zipped({"../../etc/passwd.csv": "a,b\n"}), "evil.zip", "unsafe path"),
        (zipped({"/abs/ratings.csv": "a,b\n"}), "evil.zip", "unsafe path"),
        (zipped({"notes.txt": "hello"}), "notes.zip", "holds no CSV files"),
        (zipped({"ratings.csv": b"Name,Year\n\xff\xfe,1999\n"}), "x.zip", "is not UTF-8 text"),
        (b"Title,Score\nHeat,9\n", "scores.csv", "That is not a Letterboxd or IMDb export"),
        (b"PK\x03\x04" + bytes(100), "broken.zip", "That zip is damaged"),
        (zipped({"ratings.csv": "Name,Year,Rating\nHeat\x00,1995,4\n"}), "x.zip", "NUL bytes"),
    ],
    ids=[
        "empty",
        "image",
        "dotdot",
        "absolute",
        "no-csv",
        "not-utf8",
        "unknown-csv",
        "damaged",
        "nul",
    ],
)
def test_a_bad_file_is_refused_on_the_form_with_its_reason(
    client, ana, db, pending_jobs, content, filename, message
):
    response = upload(client, content, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Import)) is None
    assert pending_jobs == []


def test_a_zip_bomb_stops_at_the_cap(client, ana, db, app, monkeypatch, pending_jobs):
    monkeypatch.setitem(app.config, "IMPORT_MAX_MB", 1)
    bomb = zipped({"ratings.csv": "Name,Year,Rating\n" + "Heat,1995,4\n" * 2_000_000})
    assert len(bomb) < 1024 * 1024
    response = upload(client, bomb)
    assert response.status_code == 422
    assert "expands to far more than an export could hold" in response.get_data(as_text=True)


def test_a_file_over_the_limit_is_refused_with_the_limit(client, ana, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_MB", 1)
    response = upload(client, b"Name,Year\n" + b"x" * (1024 * 1024 + 10), "big.csv")
    assert response.status_code == 422
    assert "the largest import is 1.0 MB" in response.get_data(as_text=True)


def test_a_body_far_over_the_limit_is_cut_off_before_it_is_read(client, ana, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_MB", 1)
    far_too_big = upload(client, b"x" * (3 * 1024 * 1024), "huge.csv")
    assert far_too_big.status_code == 413


def test_a_second_upload_waits_for_the_first(client, ana, db, sample, pending_jobs):
    upload(client, letterboxd_zip({"ratings.csv": RATINGS}))
    response = upload(client, letterboxd_zip({"ratings.csv": RATINGS}))
    assert response.status_code == 422
    assert "Your last import is still running" in response.get_data(as_text=True)


def test_download_my_data_is_a_zip_of_csvs_and_json(client, ana, db, imported):
    response = client.get("/account/export")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="marquee-ana-')
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert {"ratings.csv", "diary.csv", "reviews.csv", "watchlist.csv", "marquee.json"} <= set(
        archive.namelist()
    )
    ratings = archive.read("ratings.csv").decode()
    assert "The Godfather,1972,,4.5,238,tt0068646" in ratings
    everything = json.loads(archive.read("marquee.json"))
    assert everything["account"]["username"] == "ana"
    assert "password_hash" not in json.dumps(everything)
    assert len(everything["reviews"]) == 2


def test_picking_waits_while_the_import_still_runs(client, ana, db, sample, pending_jobs):
    upload(client, letterboxd_zip({"ratings.csv": RATINGS}))
    imported = db.session.scalar(select(Import))
    # Rows queued by an earlier run, while a rerun of the job is still queued.
    imports.runner.run(imported, commit=False)
    db.session.commit()

    page = client.get(f"/imports/{imported.id}/review").get_data(as_text=True)

    assert "This import is still matching rows" in page
    assert "Picking opens when it has finished." in page
    assert "This one" not in page
    row = imports.queue(imported).items[0].first
    token = csrf_token(client, "/imports")
    refused = client.post(
        f"/imports/{imported.id}/review/{row.id}/pick",
        data={"csrf_token": token, "movie_id": movie(db, 949).id},
    )
    follow = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "This import is still matching films" in follow
    assert imports.counts(imported)[RowStatus.queued] == 2


def test_an_export_with_too_many_rows_is_refused_with_the_count(
    client, ana, db, app, monkeypatch, pending_jobs
):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 1000)
    rows = [{"Name": f"Film {number}", "Year": "1999", "Rating": "3"} for number in range(1000)]
    response = upload(client, letterboxd_zip({"ratings.csv": rows}))
    assert response.status_code == 422
    assert "That export holds 1,001 rows: one import takes at most 1,000." in response.get_data(
        as_text=True
    )


def test_a_brazilian_members_import_reports_in_portuguese(client, ana, db, sample, pending_jobs):
    ana.locale = "pt-BR"
    db.session.commit()

    response = upload(client, letterboxd_zip({"ratings.csv": RATINGS}))
    assert response.status_code == 302
    imported = db.session.scalar(select(Import))
    assert imported.job.locale == "pt-BR"
    assert jobs.run_pending() == 1
    db.session.refresh(imported)

    page = client.get(f"/imports/{imported.id}").get_data(as_text=True)
    assert '<html lang="pt-BR">' in page
    assert "Lidas" in page  # the column of rows read
    db.session.refresh(imported.job)
    assert imported.job.result  # the summary lines, written in the member's language
    assert all("row" not in line for line in imported.job.result)
