"""Download my data: Letterboxd's CSVs with ids, a JSON of everything, and an exact round trip."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.infra.db import db as database
from app.models import (
    DiaryEntry,
    Import,
    ListVisibility,
    Movie,
    MovieList,
    MovieListEntry,
    Review,
    SeenMovie,
    User,
    WatchlistEntry,
)
from app.services import reviews, twofactor
from app.services.imports import export, files, runner
from tests.factories import make_movie, make_user

FILM_IDS = ["tmdbID", "imdbID"]
# What members write in a review, as Marquee keeps it (plain text).
BODIES = [
    "Still the best thing Coppola made.\n\nThe baptism scene & the ending: perfect.",
    "- great cast\n- weak third act\n- that score!",
    '=HYPERLINK("https://example.com","click") is what a friend wrote, apparently.',
    'I <3 this film. "Leave the gun, take the cannoli."',
    "+1 for the practical effects. 10/10 would watch again 🎬",
    "@ana recommended it; Amélie's café is on every corner of the 18e.",
    "'Tis a strange one. Slow, patient — then it hits you.",
    "A film about grief. Or about nothing. 50% of me loved it, 50% fell asleep.",
]


def at(day: str) -> datetime:
    """8 pm UTC on a day: when the member did it."""
    return datetime.fromisoformat(f"{day}T20:00:00+00:00")


# key: (title, release date, TMDB id, IMDb id)
FILMS = {
    "godfather": ("The Godfather", date(1972, 3, 14), 238, "tt0068646"),
    "heat": ("Heat", date(1995, 12, 15), 949, "tt0113277"),
    "amelie": ("Amélie", date(2001, 4, 25), 194, "tt0211915"),
    "jaws": ("Jaws", date(1975, 6, 20), 578, "tt0073195"),
    "alien": ("Alien", date(1979, 5, 25), 348, "tt0078748"),
}


@pytest.fixture
def films(db) -> dict[str, Movie]:
    """A few films as TMDB knows them, with their IMDb ids."""
    return {
        key: make_movie(title, release_date=released, tmdb_id=tmdb_id, imdb_id=imdb_id)
        for key, (title, released, tmdb_id, imdb_id) in FILMS.items()
    }


def rate(user: User, movie: Movie, rating: int, day: str, **review) -> Review:
    saved = reviews.upsert(
        user=user,
        movie=movie,
        rating=rating,
        body=review.get("body"),
        spoilers=review.get("spoilers", False),
        recommends=review.get("recommends"),
    )
    saved.created_at = saved.updated_at = at(day)
    database.session.flush()
    return saved


@pytest.fixture
def ana(db, films) -> User:
    """A member with ratings, reviews, a diary, a watchlist, a seen mark and a list."""
    user = make_user("ana")
    rate(user, films["godfather"], 9, "2023-01-02", body=BODIES[0], spoilers=True, recommends=True)
    rate(user, films["heat"], 8, "2023-01-03")
    rate(user, films["amelie"], 7, "2023-01-04", body=BODIES[2])
    heat, jaws, alien = films["heat"].id, films["jaws"].id, films["alien"].id
    first = DiaryEntry(user_id=user.id, movie_id=heat, watched_on=date(2022, 12, 30), rating=7)
    again = DiaryEntry(user_id=user.id, movie_id=heat, watched_on=date(2023, 6, 1), rating=8)
    first.created_at, again.created_at, again.rewatch = at("2022-12-31"), at("2023-06-02"), True
    wanted = WatchlistEntry(user_id=user.id, movie_id=jaws, added_at=at("2023-02-11"))
    seen = SeenMovie(user_id=user.id, movie_id=alien, marked_on=date(2021, 5, 5))
    db.session.add_all([first, again, wanted, seen])
    noir = MovieList(
        user_id=user.id,
        title="Noir & neon",
        description="@ana's picks, in order",
        ranked=True,
        visibility=ListVisibility.public,
        created_at=at("2023-03-01"),
    )
    db.session.add(noir)
    db.session.flush()
    notes = [(heat, "-1"), (alien, "+1 for the score"), (films["godfather"].id, None)]
    db.session.add_all(
        MovieListEntry(list_id=noir.id, movie_id=movie_id, position=position, note=note)
        for position, (movie_id, note) in enumerate(notes, start=1)
    )
    db.session.flush()
    return user


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def records(content: bytes, name: str) -> list[dict[str, str]]:
    """One CSV of the export, as dicts by column name."""
    return list(csv.DictReader(io.StringIO(unzip(content)[name].decode(), newline="")))


def lines(content: bytes, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(unzip(content)[name].decode(), newline="")))


def test_the_zip_is_named_like_letterboxds_and_holds_its_files(ana):
    before = datetime.now(UTC).replace(second=0, microsecond=0)

    filename, content = export.build(ana)

    assert re.fullmatch(r"marquee-ana-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-utc\.zip", filename)
    assert set(unzip(content)) == {
        "profile.csv",
        "ratings.csv",
        "reviews.csv",
        "diary.csv",
        "watchlist.csv",
        "watched.csv",
        "likes/films.csv",
        "lists/noir-neon.csv",
        "marquee.json",
    }
    exported_at = files.read(filename, content, max_bytes=10**7).exported_at
    assert before <= exported_at <= datetime.now(UTC)


def test_ratings_are_stars_with_the_films_ids(ana):
    _, content = export.build(ana)

    assert lines(content, "ratings.csv") == [
        ["Date", "Name", "Year", "Letterboxd URI", "Rating", *FILM_IDS],
        ["2023-01-02", "The Godfather", "1972", "", "4.5", "238", "tt0068646"],
        ["2023-01-03", "Heat", "1995", "", "4", "949", "tt0113277"],
        ["2023-01-04", "Amélie", "2001", "", "3.5", "194", "tt0211915"],
    ]


@pytest.mark.parametrize(("rating", "stars"), [(1, "0.5"), (2, "1"), (7, "3.5"), (10, "5")])
def test_marquee_ratings_are_written_as_half_stars(rating, stars):
    assert export.stars(rating) == stars


def test_reviews_with_text_carry_it_and_their_spoilers(ana):
    _, content = export.build(ana)

    rows = records(content, "reviews.csv")

    assert [(row["Name"], row["Rating"], row["Review"], row["Spoilers"]) for row in rows] == [
        ("The Godfather", "4.5", BODIES[0], "Yes"),
        ("Amélie", "3.5", "'" + BODIES[2], ""),
    ]
    assert list(rows[0]) == [
        "Date",
        "Name",
        "Year",
        "Letterboxd URI",
        "Rating",
        "Rewatch",
        "Review",
        "Tags",
        "Watched Date",
        "Spoilers",
        *FILM_IDS,
    ]


def test_diary_entries_carry_their_day_rating_and_rewatch(ana):
    _, content = export.build(ana)

    assert lines(content, "diary.csv") == [
        ["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Tags", "Watched Date",
         *FILM_IDS],
        ["2022-12-31", "Heat", "1995", "", "3.5", "", "", "2022-12-30", "949", "tt0113277"],
        ["2023-06-02", "Heat", "1995", "", "4", "Yes", "", "2023-06-01", "949", "tt0113277"],
    ]  # fmt: skip


def test_the_watchlist_seen_films_and_likes_have_their_files(ana):
    _, content = export.build(ana)

    assert lines(content, "watchlist.csv") == [
        ["Date", "Name", "Year", "Letterboxd URI", *FILM_IDS],
        ["2023-02-11", "Jaws", "1975", "", "578", "tt0073195"],
    ]
    # Every film seen once, on the first day known: marked, logged or rated.
    assert [(row["Name"], row["Date"]) for row in records(content, "watched.csv")] == [
        ("Alien", "2021-05-05"),
        ("Heat", "2022-12-30"),
        ("The Godfather", "2023-01-02"),
        ("Amélie", "2023-01-04"),
    ]
    assert [row["Name"] for row in records(content, "likes/films.csv")] == ["The Godfather"]


def test_a_list_is_written_in_letterboxds_layout_with_its_notes(ana):
    _, content = export.build(ana)

    assert lines(content, "lists/noir-neon.csv") == [
        ["Letterboxd list export v7"],
        ["Date", "Name", "Tags", "URL", "Description", "Ranked", "Visibility"],
        ["2023-03-01", "Noir & neon", "", "", "'@ana's picks, in order", "Yes", "public"],
        [],
        ["Position", "Name", "Year", "URL", "Description", *FILM_IDS],
        ["1", "Heat", "1995", "", "'-1", "949", "tt0113277"],
        ["2", "Alien", "1979", "", "'+1 for the score", "348", "tt0078748"],
        ["3", "The Godfather", "1972", "", "", "238", "tt0068646"],
    ]


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (
            '=HYPERLINK("https://example.com","click")',
            '\'=HYPERLINK("https://example.com","click")',
        ),
        ("+33 1 42 68 53 00", "'+33 1 42 68 53 00"),
        ("-1", "'-1"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("Heat", "Heat"),
        ("'Round Midnight", "'Round Midnight"),
        ("1+1=2", "1+1=2"),
        (None, ""),
        (1995, "1995"),
    ],
)
def test_cells_a_spreadsheet_would_run_as_formulas_get_a_quote(cell, written):
    assert export.guarded(cell) == written


def test_marquee_json_holds_the_account_without_its_secrets(ana, db):
    secret = twofactor.begin_setup(ana)
    ana.totp_enabled_at = at("2023-05-01")
    db.session.flush()

    _, content = export.build(ana)

    everything = json.loads(unzip(content)["marquee.json"])
    assert everything["account"] == {
        "username": "ana",
        "email": "ana@example.com",
        "email_confirmed_at": None,
        "role": "member",
        "joined_at": ana.created_at.isoformat(),
        "last_login_at": None,
        "two_factor_enabled": True,
        "has_picture": False,
    }
    for name, data in unzip(content).items():
        for kept_back in (ana.password_hash, secret, ana.session_token):
            assert kept_back.encode() not in data, name


def _import(user: User, filename: str, content: bytes) -> Import:
    imported = Import(user=user, filename=filename, size=len(content), upload=content)
    database.session.add(imported)
    database.session.flush()
    runner.run(imported)
    return imported


def _library(user: User) -> dict[str, list]:
    """What the member has, in a form two accounts compare by."""
    ratings = database.session.execute(
        select(
            Review.movie_id, Review.rating, Review.body, Review.contains_spoilers, Review.recommends
        )
        .where(Review.user_id == user.id)
        .order_by(Review.movie_id)
    ).all()
    diary = database.session.execute(
        select(DiaryEntry.movie_id, DiaryEntry.watched_on, DiaryEntry.rating, DiaryEntry.rewatch)
        .where(DiaryEntry.user_id == user.id)
        .order_by(DiaryEntry.movie_id, DiaryEntry.watched_on, DiaryEntry.rewatch, DiaryEntry.rating)
    ).all()
    watchlist = database.session.scalars(
        select(WatchlistEntry.movie_id)
        .where(WatchlistEntry.user_id == user.id)
        .order_by(WatchlistEntry.movie_id)
    ).all()
    return {"ratings": ratings, "diary": diary, "watchlist": watchlist}


def _history(user: User, movies: list[Movie], chance: random.Random) -> None:
    """Years of a member's activity over `movies`: ratings, reviews, a diary, a watchlist."""
    rated, logged, wanted = movies[:95], movies[:100], movies[100:]
    for movie in rated:
        body = chance.choice(BODIES) if chance.random() < 0.45 else None
        rate(
            user,
            movie,
            chance.randint(1, 10),
            (date(2016, 1, 1) + timedelta(days=chance.randint(0, 2900))).isoformat(),
            body=body,
            spoilers=body is not None and chance.random() < 0.3,
            recommends=True if chance.random() < 0.4 else None,
        )
    entries = []
    while len(entries) < 260:
        movie = chance.choice(logged)
        day = date(2016, 1, 1) + timedelta(days=chance.randint(0, 2900))
        rating = chance.randint(1, 10) if chance.random() < 0.7 else None
        rewatch = chance.random() < 0.25
        entries.append(
            DiaryEntry(
                user_id=user.id, movie_id=movie.id, watched_on=day, rating=rating, rewatch=rewatch
            )
        )
        if rewatch and chance.random() < 0.2:  # twice in a day: a double bill of one film
            entries.append(
                DiaryEntry(user_id=user.id, movie_id=movie.id, watched_on=day, rewatch=True)
            )
    entries += [WatchlistEntry(user_id=user.id, movie_id=movie.id) for movie in wanted]
    database.session.add_all(entries)
    database.session.flush()


def test_an_export_imported_into_a_fresh_account_gives_the_same_library(db, sample):
    movies = list(db.session.scalars(select(Movie).order_by(Movie.id)))
    ana = make_user("ana")
    _history(ana, movies, random.Random(5))
    filename, content = export.build(ana)
    bea = make_user("bea")

    imported = _import(bea, filename, content)

    assert imported.error is None
    mine, theirs = _library(ana), _library(bea)
    assert len(mine["ratings"]) == 95
    assert len(mine["diary"]) >= 260
    assert sum(1 for row in mine["ratings"] if row.body) > 30
    assert theirs["ratings"] == mine["ratings"]
    assert theirs["diary"] == mine["diary"]
    assert theirs["watchlist"] == mine["watchlist"]


def test_lists_of_one_title_get_a_file_each(db, films):
    user = make_user("ana")
    for title in ("Favourites", "Favourites", "🎞️"):
        db.session.add(MovieList(user_id=user.id, title=title))
    db.session.flush()

    _, content = export.build(user)

    assert sorted(name for name in unzip(content) if name.startswith("lists/")) == [
        "lists/favourites-2.csv",
        "lists/favourites.csv",
        "lists/untitled.csv",
    ]


def test_a_list_imported_back_has_its_title_description_order_and_notes(ana, db):
    filename, content = export.build(ana)
    bea = make_user("bea")

    _import(bea, filename, content)

    imported = db.session.scalar(select(MovieList).where(MovieList.user_id == bea.id))
    assert (imported.title, imported.description, imported.ranked) == (
        "Noir & neon",
        "@ana's picks, in order",
        True,
    )
    assert [(entry.movie.title, entry.position, entry.note) for entry in imported.entries] == [
        ("Heat", 1, "-1"),
        ("Alien", 2, "+1 for the score"),
        ("The Godfather", 3, None),
    ]
