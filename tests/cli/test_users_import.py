"""`flask users import` and `flask users export`: the import page and Download my data."""

from __future__ import annotations

import zipfile

from sqlalchemy import func, select

from app.models import Import, Movie, Review
from app.services import reviews
from tests.exports import EXPORT_NAME, letterboxd_zip
from tests.factories import make_user

RATINGS = [
    {"Date": "2023-01-02", "Name": "Godfather, The", "Year": "1972", "Rating": "4.5"},
    {"Date": "2023-01-03", "Name": "Heat", "Year": "1986", "Rating": "2"},
    {"Date": "2031-01-03", "Name": "Jaws", "Year": "1975", "Rating": "2"},
]


def _export_file(tmp_path, content: bytes, name: str = f"{EXPORT_NAME}.zip"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_import_prints_the_summary_and_saves(runner, db, sample, tmp_path):
    ana = make_user("ana")
    db.session.commit()
    path = _export_file(tmp_path, letterboxd_zip({"ratings.csv": RATINGS}))

    result = runner.invoke(args=["users", "import", "ana", str(path)])

    assert result.exit_code == 0, result.output
    assert "Read 3 rows from letterboxd-ana-2024-05-01-12-30-utc.zip." in result.output
    assert "1 saved; 0 were already in Marquee." in result.output
    assert "1 wait in your review queue" in result.output
    assert "1 could not be imported" in result.output
    godfather = db.session.scalar(select(Review).where(Review.user_id == ana.id))
    assert godfather.rating == 9
    again = runner.invoke(args=["users", "import", "ana", str(path)])
    assert "0 saved; 1 were already in Marquee." in again.output


def test_a_dry_run_saves_nothing(runner, db, sample, tmp_path):
    make_user("ana")
    db.session.commit()
    path = _export_file(tmp_path, letterboxd_zip({"ratings.csv": RATINGS}))

    result = runner.invoke(args=["users", "import", "ana", str(path), "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was saved. It would go like this:\nRead 3 rows" in result.output
    assert "1 saved;" in result.output
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0
    assert db.session.scalar(select(func.count()).select_from(Import)) == 0


def test_a_bad_file_or_user_is_a_clean_error(runner, db, tmp_path):
    make_user("ana")
    db.session.commit()
    path = _export_file(tmp_path, b"\x00\x01binary", "photo.jpg")
    result = runner.invoke(args=["users", "import", "ana", str(path)])
    assert result.exit_code == 1
    assert "Nothing was imported: That file is neither a zip nor a CSV" in result.output
    assert "Traceback" not in result.output
    unknown = runner.invoke(args=["users", "import", "nobody", str(path)])
    assert unknown.exit_code == 1
    assert "There is no user called nobody." in unknown.output


def test_export_writes_the_zip(runner, db, sample, tmp_path):
    ana = make_user("ana")
    movie = db.session.scalar(select(Movie).where(Movie.tmdb_id == 949))
    reviews.upsert(user=ana, movie=movie, rating=7, body="Tight.", spoilers=False, recommends=True)
    db.session.commit()
    target = tmp_path / "out.zip"

    result = runner.invoke(args=["users", "export", "ana", "--output", str(target)])

    assert result.exit_code == 0, result.output
    assert f"Wrote {target}" in result.output
    archive = zipfile.ZipFile(target)
    assert "Heat,1995,,3.5,949,tt0113277" in archive.read("ratings.csv").decode()
    assert "Tight." in archive.read("reviews.csv").decode()
    assert "Heat,1995" in archive.read("likes/films.csv").decode()
