"""Importing a whole export: every row on the right film or in the queue, twice changes nothing."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from app.infra.db import db
from app.models import (
    DiaryEntry,
    Import,
    ImportRow,
    Movie,
    MovieList,
    MovieListEntry,
    Review,
    RowKind,
    RowStatus,
    SeenMovie,
    WatchlistEntry,
)
from app.services import diary, imports, reviews, search, watchlist
from app.services.imports import runner
from tests.exports import EXPORT_NAME, Film, csv_text, history, letterboxd_zip
from tests.factories import make_movie, make_user

# Films the catalog gets besides the sample: remakes sharing a sample title,
# titles that start alike, accents, and scripts other than Latin.
EXTRA_FILMS = [
    ("Dune", 1984),
    ("Solaris", 2002),
    ("Heat", 1986),
    ("The Thing", 1982),
    ("The Thing", 2011),
    ("Crash", 1996),
    ("Crash", 2004),
    ("Les Misérables", 1998),
    ("Les Misérables", 2012),
    ("Fast & Furious", 2009),
    ("Rocky II", 1979),
    ("Café de Flore", 2011),
    ("Être et avoir", 2002),
    ("東京物語の夜", 1961),
    ("Любовь и голуби", 1984),
]
MISSING = [
    Film("Psycho", 1998, None),  # the remake; the catalog has 1960's
    Film("Oldboy", 2013, None),
    Film("Solaris", 1968, None),
    Film("The Love Witch", 2016, None),
    Film("A Ghost Story", 2017, None),
    Film("Ça commence aujourd'hui", 1999, None),
    Film("Three Colours: Blue", 1993, None),
    Film("The Long Goodbye", 1973, None),
    Film("Love & Mercy", 2014, None),
    Film("Godzilla Minus One", 2023, None),
]
WORDS = "Love Night Last Summer City Road Black House Girl Man Dark Blue River Winter Dream"


def _catalog(db) -> list[Film]:
    """The sample plus EXTRA_FILMS and 300 made-up films whose titles share their first words."""
    chance = random.Random(3)
    words = WORDS.split()
    made = [make_movie(title, release_date=date(year, 6, 1)) for title, year in EXTRA_FILMS]
    titles = set()
    while len(titles) < 300:
        count = chance.randint(1, 5)
        first = chance.choice(["The", "A", "Love", *words])
        title = " ".join([first, *chance.sample(words, count)])
        year = chance.randint(1930, 2023)
        titles.add((title, year))
    made += [make_movie(title, release_date=date(year, 1, 1)) for title, year in sorted(titles)]
    search.index_movies([movie.id for movie in made])
    db.session.commit()
    movies = db.session.scalars(select(Movie)).all()
    return [Film(movie.title, movie.year, movie.id) for movie in movies]


def _import(user, content: bytes, filename: str = f"{EXPORT_NAME}.zip") -> Import:
    imported = Import(user=user, filename=filename, size=len(content), upload=content)
    db.session.add(imported)
    db.session.flush()
    runner.run(imported)
    return imported


def _rows(imported: Import) -> list[ImportRow]:
    query = select(ImportRow).where(ImportRow.import_id == imported.id)
    return list(db.session.scalars(query))


def _library(user) -> dict[str, object]:
    """What the member has, in a form two accounts can be compared by."""
    reviews_ = db.session.execute(
        select(Review.movie_id, Review.rating, Review.body, Review.recommends).where(
            Review.user_id == user.id
        )
    ).all()
    diary = db.session.execute(
        select(DiaryEntry.movie_id, DiaryEntry.watched_on, DiaryEntry.rating, DiaryEntry.rewatch)
        .where(DiaryEntry.user_id == user.id)
        .order_by(DiaryEntry.movie_id, DiaryEntry.watched_on, DiaryEntry.rewatch)
    ).all()
    watchlist = db.session.scalars(
        select(WatchlistEntry.movie_id).where(WatchlistEntry.user_id == user.id)
    ).all()
    return {"reviews": sorted(reviews_), "diary": diary, "watchlist": sorted(watchlist)}


def test_a_long_history_lands_on_the_right_films_and_the_rest_waits_for_review(db, sample):
    films = _catalog(db)
    made = history(films, MISSING, rows=2000)
    user = make_user("ana")
    imported = _import(user, made.zip())
    rows = _rows(imported)
    assert made.rows >= 2000
    assert len(rows) == made.rows
    wrong, unmatched = [], []
    for row in rows:
        expected = made.expected[(row.file, row.line)]
        if row.status is RowStatus.failed:
            continue
        if expected is None:
            if row.status is not RowStatus.queued:
                wrong.append((row.file, row.line, row.title, row.year, row.movie_id))
        elif row.movie_id != expected:
            (wrong if row.movie_id else unmatched).append((row.file, row.line, row.title, row.year))
    assert wrong == []
    assert unmatched == []
    failed = [row for row in rows if row.status is RowStatus.failed]
    # Only older reviews of a film reviewed again, and the list entry whose note is a formula.
    assert all(row.kind is RowKind.review for row in failed), [r.message for r in failed]
    query = select(Review.movie_id, Review.rating).where(Review.user_id == user.id)
    ratings = {movie_id: rating for movie_id, rating in db.session.execute(query)}
    assert {movie: ratings[movie] for movie in made.ratings} == made.ratings
    rewatches = db.session.scalar(
        select(func.count()).where(DiaryEntry.user_id == user.id, DiaryEntry.rewatch.is_(True))
    )
    assert rewatches > 50
    # watched.csv marks a film seen only when it is neither rated nor in the diary.
    marked = set(db.session.scalars(select(SeenMovie.movie_id).where(SeenMovie.user_id == user.id)))
    logged = set(
        db.session.scalars(select(DiaryEntry.movie_id).where(DiaryEntry.user_id == user.id))
    )
    assert marked
    assert not marked & (logged | set(ratings))
    movie_list = db.session.scalar(select(MovieList).where(MovieList.user_id == user.id))
    assert movie_list.title == "Best of the long tail"
    notes = db.session.scalars(
        select(MovieListEntry.note).where(MovieListEntry.list_id == movie_list.id)
    )
    assert "=SUM(A1)" in set(notes)


def test_importing_the_same_file_twice_changes_nothing(db, sample):
    films = _catalog(db)
    made = history(films, MISSING, rows=600, seed=11)
    user = make_user("ana")
    _import(user, made.zip())
    before = _library(user)
    again = _import(user, made.zip())
    tally = imports.counts(again)
    assert _library(user) == before
    assert tally[RowStatus.saved] == 0
    assert tally[RowStatus.unchanged] > 400


def test_a_rating_changed_here_after_the_export_is_kept(db, sample):
    user = make_user("ana")
    godfather = db.session.scalar(select(Movie).where(Movie.tmdb_id == 238))
    heat = db.session.scalar(select(Movie).where(Movie.tmdb_id == 949))
    unsaid = {"body": None, "spoilers": False, "recommends": None}
    reviews.upsert(user=user, movie=godfather, rating=3, **unsaid)
    old = reviews.upsert(user=user, movie=heat, rating=4, **unsaid)
    old.updated_at = datetime(2020, 1, 1, tzinfo=UTC)  # long before the export
    db.session.flush()
    content = letterboxd_zip(
        {
            "ratings.csv": [
                {"Date": "2023-01-02", "Name": "The Godfather", "Year": "1972", "Rating": "5"},
                {"Date": "2023-01-02", "Name": "Heat", "Year": "1995", "Rating": "4.5"},
            ]
        }
    )
    imported = _import(user, content)
    statuses = {row.title: row.status for row in _rows(imported)}
    assert statuses == {"The Godfather": RowStatus.kept, "Heat": RowStatus.saved}
    assert reviews.of(user, godfather).rating == 3
    assert reviews.of(user, heat).rating == 9
    summary = " ".join(imports.summary_lines(imported))
    assert "1 kept as they are: you changed them in Marquee after the export was made" in summary
    assert "May 1, 2024" in summary


def test_one_review_per_film_the_latest_and_reviews_need_a_rating(db, sample):
    user = make_user("ana")
    review = {"Name": "Heat", "Year": "1995", "Rating": "4"}
    content = letterboxd_zip(
        {
            "reviews.csv": [
                {**review, "Watched Date": "2019-03-01", "Review": "First time: long."},
                {**review, "Watched Date": "2022-07-09", "Review": "Second time: <i>perfect</i>."},
                {"Name": "Alien", "Year": "1979", "Review": "No stars given."},
            ]
        }
    )
    imported = _import(user, content)
    by_line = {row.line: row for row in _rows(imported)}
    assert by_line[3].status is RowStatus.saved
    assert by_line[2].status is RowStatus.failed
    assert "your later review of it (reviews.csv line 3)" in by_line[2].message
    assert by_line[4].status is RowStatus.failed
    assert "come with a rating" in by_line[4].message
    heat = db.session.scalar(select(Movie).where(Movie.tmdb_id == 949))
    assert reviews.of(user, heat).body == "Second time: perfect."
    assert reviews.of(user, heat).rating == 8


def test_two_viewings_on_one_day_make_two_entries_and_a_rerun_adds_none(db, sample):
    user = make_user("ana")
    viewing = {"Name": "Heat", "Year": "1995", "Watched Date": "2021-05-05", "Date": "2021-05-06"}
    content = letterboxd_zip(
        {"diary.csv": [{**viewing, "Rating": "4"}, {**viewing, "Rewatch": "Yes"}]}
    )
    _import(user, content)
    _import(user, content)
    entries = db.session.scalars(select(DiaryEntry).where(DiaryEntry.user_id == user.id)).all()
    assert sorted((entry.rewatch, entry.rating) for entry in entries) == [(False, 8), (True, None)]


def test_a_watchlist_row_is_kept_off_when_the_film_was_watched_here_since(db, sample):
    user = make_user("ana")
    heat = db.session.scalar(select(Movie).where(Movie.tmdb_id == 949))
    db.session.add(DiaryEntry(user_id=user.id, movie_id=heat.id, watched_on=date(2024, 6, 1)))
    db.session.flush()
    content = letterboxd_zip({"watchlist.csv": [{"Name": "Heat", "Year": "1995"}]})
    imported = _import(user, content)
    assert _rows(imported)[0].status is RowStatus.kept
    assert db.session.scalar(select(func.count()).where(WatchlistEntry.user_id == user.id)) == 0


def test_a_queued_film_is_resolved_once_for_all_its_rows_or_skipped(db, sample):
    user = make_user("ana")
    make_movie("Solaris", release_date=date(2002, 11, 27))
    search.index_movies(db.session.scalars(select(Movie.id).where(Movie.title == "Solaris")))
    solaris = {"Name": "Solaris", "Year": ""}  # no year: two films could be it
    content = letterboxd_zip(
        {
            "ratings.csv": [{**solaris, "Rating": "4"}, {"Name": "Nowhere Film", "Rating": "1"}],
            "diary.csv": [{**solaris, "Watched Date": "2020-01-01"}],
        }
    )
    imported = _import(user, content)
    page = imports.queue(imported)
    assert page.total == 2
    item = page.items[0]
    assert [row.kind for row in item.rows] == [RowKind.rating, RowKind.diary]
    assert {movie.year for movie in item.candidates} == {1972, 2002}
    tarkovsky = next(movie for movie in item.candidates if movie.year == 1972)
    assert item.directors[tarkovsky.id] == ["Andrei Tarkovsky"]
    assert imports.resolve(imported, row_id=item.first.id, movie=tarkovsky) == 2
    assert reviews.of(user, tarkovsky).rating == 8
    nowhere = imports.queue(imported).items[0]
    assert imports.skip(imported, row_id=nowhere.first.id) == 1
    assert imports.queue(imported).total == 0
    with pytest.raises(imports.QueueError):
        imports.resolve(imported, row_id=item.first.id, movie=tarkovsky)
    assert imports.counts(imported)[RowStatus.skipped] == 1


def test_rows_with_bad_values_fail_alone_with_their_reason(db, sample):
    user = make_user("ana")
    ratings = [
        {"Name": "Heat", "Year": "1995", "Rating": "6"},
        {"Name": "Alien", "Year": "1979", "Rating": "2.3"},
        {"Name": "Jaws", "Year": "1975", "Rating": "4", "Date": "2031-01-01"},
        {"Name": "Vertigo", "Year": "1958", "Rating": "4", "Date": "yesterday"},
        {"Name": "", "Year": "1958", "Rating": "4"},
        {"Name": "Psycho", "Year": "1960", "Rating": "0.5"},
        {"Name": "Alien", "Year": "19²9", "Rating": "4"},
    ]
    imported = _import(user, letterboxd_zip({"ratings.csv": ratings}))
    messages = {row.line: (row.status, row.message) for row in _rows(imported)}
    assert messages[2] == (RowStatus.failed, "The rating 6 is not from 0.5 to 5 stars in halves.")
    assert messages[3][0] is RowStatus.failed
    assert messages[4] == (RowStatus.failed, "Date 2031-01-01 is in the future.")
    assert messages[5] == (
        RowStatus.failed,
        "Date “yesterday” is not a date (write it as YYYY-MM-DD).",
    )
    assert messages[6] == (RowStatus.failed, "This row has no film title.")
    assert messages[7] == (RowStatus.saved, "Rated 1/10.")
    assert messages[8] == (RowStatus.failed, "The year “19²9” is not a year.")


def test_an_unreadable_file_imports_nothing_and_says_why(db, sample):
    user = make_user("ana")
    imported = _import(user, b"\x89PNG\r\n\x1a\n" + bytes(200), filename="photo.png")
    assert imported.error.startswith("That file is neither a zip nor a CSV")
    assert _rows(imported) == []
    assert imports.summary_lines(imported)[0].startswith("Nothing was imported:")


def test_titles_a_film_goes_by_elsewhere_match_it(db, sample):
    user = make_user("ana")
    ratings = [
        {"Name": "Sen to Chihiro no Kamikakushi", "Year": "2001", "Rating": "5"},
        {"Name": "O Poderoso Chefão", "Year": "1972", "Rating": "5"},
        {"Name": "Lola rennt", "Year": "1998", "Rating": "4"},
    ]
    imported = _import(user, letterboxd_zip({"ratings.csv": ratings}))
    matched = {row.title: (row.status, row.movie.tmdb_id) for row in _rows(imported)}
    assert matched == {
        "Sen to Chihiro no Kamikakushi": (RowStatus.saved, 129),
        "O Poderoso Chefão": (RowStatus.saved, 238),
        "Lola rennt": (RowStatus.saved, 104),
    }


def test_an_imdb_ratings_file_matches_by_its_ids(db, sample):
    user = make_user("ana")
    rows = [
        {"Const": "tt0068646", "Your Rating": "10", "Title": "Le Parrain", "Year": "1972"},
        {"Const": "tt0903747", "Your Rating": "9", "Title": "Breaking Bad", "Year": "2008",
         "Title Type": "TV Series"},
        {"Const": "tt9999999", "Your Rating": "7", "Title": "Heat", "Year": "1995",
         "Title Type": "Movie"},
    ]  # fmt: skip
    content = csv_text(["Const", "Your Rating", "Title", "Year", "Title Type"], rows).encode()
    imported = _import(user, content, filename="ratings.csv")
    by_title = {row.title: row for row in _rows(imported)}
    assert by_title["Le Parrain"].status is RowStatus.saved
    assert by_title["Le Parrain"].method == "IMDb id"
    assert by_title["Breaking Bad"].message == (
        "IMDb lists this as a TV series: Marquee's catalog holds films."
    )
    # Its IMDb id is not Heat's: the title alone is only a suggestion.
    assert by_title["Heat"].status is RowStatus.queued


def test_a_review_s_old_rating_never_replaces_the_current_one(db, sample):
    user = make_user("ana")
    film = {"Name": "Heat", "Year": "1995"}
    content = letterboxd_zip(
        {
            "ratings.csv": [{**film, "Date": "2023-01-02", "Rating": "4"}],
            "reviews.csv": [
                {**film, "Date": "2019-03-01", "Rating": "3", "Review": "Long, but right."}
            ],
        }
    )
    heat = db.session.scalar(select(Movie).where(Movie.tmdb_id == 949))
    _import(user, content)
    assert (reviews.of(user, heat).rating, reviews.of(user, heat).body) == (8, "Long, but right.")
    again = _import(user, content)
    assert imports.counts(again)[RowStatus.saved] == 0
    assert reviews.of(user, heat).rating == 8


def test_a_rating_changed_here_after_the_export_survives_its_review_and_like(db, sample):
    user = make_user("ana")
    heat = db.session.scalar(select(Movie).where(Movie.tmdb_id == 949))
    reviews.upsert(user=user, movie=heat, rating=2, body=None, spoilers=False, recommends=None)
    db.session.flush()
    film = {"Name": "Heat", "Year": "1995", "Date": "2023-01-02"}
    content = letterboxd_zip(
        {
            "ratings.csv": [{**film, "Rating": "4"}],
            "reviews.csv": [{**film, "Rating": "4", "Review": "Great."}],
            "likes/films.csv": [film],
        }
    )
    for _ in range(2):
        _import(user, content)
        assert reviews.of(user, heat).rating == 2
        assert reviews.of(user, heat).body is None


def test_what_the_member_took_back_after_an_import_is_not_put_back(db, sample):
    user = make_user("ana")
    film = {"Name": "Heat", "Year": "1995", "Date": "2023-01-02"}
    content = letterboxd_zip({"watchlist.csv": [film], "watched.csv": [film]})
    heat = db.session.scalar(select(Movie).where(Movie.tmdb_id == 949))
    _import(user, content)
    assert watchlist.remove(user, heat)
    assert diary.forget_seen(user, heat)

    again = _import(user, content)

    assert [row.status for row in _rows(again)] == [RowStatus.kept, RowStatus.kept]
    assert not watchlist.contains(user, heat)
    assert diary.viewings(user, heat) == (0, False)
