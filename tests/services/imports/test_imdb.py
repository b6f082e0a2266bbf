"""Reading IMDb's exports: the ratings CSV, the watchlist and other lists."""

from __future__ import annotations

import csv
import io

import pytest

from app.models import ImportSource, RowKind
from app.services.imports import imdb
from app.services.imports.files import ExportFile
from app.services.imports.rows import ParsedRow
from tests.exports import IMDB_LIST, IMDB_RATINGS, csv_text

GODFATHER = {
    "Const": "tt0068646",
    "Title": "The Godfather",
    "Original Title": "The Godfather",
    "URL": "https://www.imdb.com/title/tt0068646/",
    "Title Type": "Movie",
    "IMDb Rating": "9.2",
    "Runtime (mins)": "175",
    "Year": "1972",
    "Genres": "Crime, Drama",
    "Num Votes": "2059452",
    "Release Date": "1972-03-14",
    "Directors": "Francis Ford Coppola",
}
LOLA = {
    "Const": "tt0130827",
    "Title": "Run Lola Run",
    "Original Title": "Lola rennt",
    "URL": "https://www.imdb.com/title/tt0130827/",
    "Title Type": "Movie",
    "IMDb Rating": "7.6",
    "Runtime (mins)": "80",
    "Year": "1998",
    "Genres": "Crime, Thriller",
    "Num Votes": "207415",
    "Release Date": "1998-08-20",
    "Directors": "Tom Tykwer",
}
BREAKING_BAD = {
    "Const": "tt0903747",
    "Title": "Breaking Bad",
    "Original Title": "Breaking Bad",
    "Title Type": "TV Series",
    "Year": "2008",
}


def export_file(name: str, header: list[str], rows: list[dict]) -> ExportFile:
    """An IMDb CSV as files.read hands it over."""
    return ExportFile(name, list(csv.reader(io.StringIO(csv_text(header, rows), newline=""))))


def ratings(*rows: dict) -> ExportFile:
    return export_file("ratings.csv", IMDB_RATINGS, list(rows))


def test_a_ratings_export_row_carries_the_imdb_id_rating_and_day():
    parsed = imdb.parse([ratings({**GODFATHER, "Your Rating": "10", "Date Rated": "2023-04-05"})])

    assert parsed.source is ImportSource.imdb
    assert parsed.notes == []
    assert parsed.rows == [
        ParsedRow(
            file="ratings.csv",
            line=2,
            kind=RowKind.rating,
            title="The Godfather",
            year=1972,
            imdb_id="tt0068646",
            data={
                "original_title": "The Godfather",
                "directors": "Francis Ford Coppola",
                "date": "2023-04-05",
                "rating": 10,
            },
        )
    ]


def test_the_original_title_is_kept_for_matching():
    parsed = imdb.parse([ratings({**LOLA, "Your Rating": "8", "Date Rated": "2021-06-30"})])

    assert parsed.rows[0].title == "Run Lola Run"
    assert parsed.rows[0].data["original_title"] == "Lola rennt"


@pytest.mark.parametrize("title_type", ["Movie", "movie", "TV Movie", "tvMovie", "Short", "Video"])
def test_films_of_every_type_imdb_names_are_read(title_type):
    parsed = imdb.parse([ratings({**LOLA, "Your Rating": "8", "Title Type": title_type})])

    assert parsed.rows[0].error is None


@pytest.mark.parametrize(
    ("title_type", "shown"),
    [
        ("TV Series", "a TV series"),
        ("tvSeries", "a TV series"),
        ("TV Mini Series", "a TV mini-series"),
        ("TV Episode", "a TV episode"),
        ("tvEpisode", "a TV episode"),
        ("TV Special", "a TV special"),
        ("Video Game", "a video game"),
        ("Podcast Series", "a podcast"),
    ],
)
def test_series_episodes_and_games_fail_their_row_alone_saying_what_they_are(title_type, shown):
    rows = [{**BREAKING_BAD, "Your Rating": "10", "Title Type": title_type}]
    rows.append({**GODFATHER, "Your Rating": "9"})

    parsed = imdb.parse([ratings(*rows)])

    assert [row.error for row in parsed.rows] == [
        f"IMDb lists this as {shown}: Marquee's catalog holds films.",
        None,
    ]


def test_a_row_without_an_imdb_id_fails_alone():
    parsed = imdb.parse(
        [ratings({**GODFATHER, "Const": "", "Your Rating": "9"}, {**LOLA, "Your Rating": "8"})]
    )

    assert [row.error for row in parsed.rows] == ["This row has no IMDb id (Const).", None]


def test_a_csv_without_a_const_column_is_noted_and_skipped():
    other = ExportFile("letterboxd-ratings.csv", [["Date", "Name", "Year", "Rating"]])

    parsed = imdb.parse([ratings({**GODFATHER, "Your Rating": "9"}), other])

    assert parsed.notes == [
        "letterboxd-ratings.csv is not an IMDb export (no Const column): skipped."
    ]
    assert [row.title for row in parsed.rows] == ["The Godfather"]


@pytest.mark.parametrize(
    ("rating", "message"),
    [
        ("0", "The rating 0 is not a whole number from 1 to 10."),
        ("11", "The rating 11 is not a whole number from 1 to 10."),
        ("-3", "The rating -3 is not a whole number from 1 to 10."),
        ("7.5", "The rating 7.5 is not a whole number from 1 to 10."),
        ("ten", "The rating “ten” is not a number."),
        ("", "This rating row has no rating."),
    ],
)
def test_a_rating_outside_1_to_10_fails_its_row_alone(rating, message):
    parsed = imdb.parse(
        [ratings({**GODFATHER, "Your Rating": rating}, {**LOLA, "Your Rating": "1"})]
    )

    assert [row.error for row in parsed.rows] == [message, None]
    assert parsed.rows[1].data["rating"] == 1


def test_a_ratings_file_without_its_rating_column_is_noted_and_skipped():
    header = [name for name in IMDB_RATINGS if name != "Your Rating"]

    parsed = imdb.parse([export_file("ratings.csv", header, [GODFATHER])])

    assert parsed.rows == []
    assert parsed.notes[0].startswith("ratings.csv has no Your Rating column (its columns: Const,")


def test_the_watchlist_export_is_watchlist_rows():
    rows = [
        {**GODFATHER, "Position": "1", "Created": "2022-11-01", "Modified": "2022-11-01"},
        {**LOLA, "Position": "2", "Created": "2023-02-14", "Modified": "2023-02-14"},
    ]

    parsed = imdb.parse([export_file("WATCHLIST.csv", IMDB_LIST, rows)])

    assert [(row.kind, row.imdb_id, row.title, row.data["date"]) for row in parsed.rows] == [
        (RowKind.watchlist, "tt0068646", "The Godfather", "2022-11-01"),
        (RowKind.watchlist, "tt0130827", "Run Lola Run", "2023-02-14"),
    ]
    assert "list" not in parsed.rows[0].data


def test_another_list_is_named_after_its_file_and_keeps_positions_and_notes():
    rows = [
        {**LOLA, "Position": "1", "Created": "2023-02-14", "Description": "Techno and red hair."},
        {**GODFATHER, "Position": "2", "Created": "2023-02-15"},
    ]

    parsed = imdb.parse([export_file("Best_of_the_90s.csv", IMDB_LIST, rows)])

    about = {"title": "Best of the 90s", "key": "imdb:Best_of_the_90s"}
    assert [(row.kind, row.title, row.data["position"]) for row in parsed.rows] == [
        (RowKind.list_entry, "Run Lola Run", 1),
        (RowKind.list_entry, "The Godfather", 2),
    ]
    assert [row.data["list"] for row in parsed.rows] == [about, about]
    assert parsed.rows[0].data["note"] == "Techno and red hair."


def test_an_episode_on_a_list_fails_alone():
    rows = [
        {**BREAKING_BAD, "Position": "1", "Title Type": "TV Episode", "Title": "Ozymandias"},
        {**LOLA, "Position": "2"},
    ]

    parsed = imdb.parse([export_file("Favourites.csv", IMDB_LIST, rows)])

    assert [row.error for row in parsed.rows] == [
        "IMDb lists this as a TV episode: Marquee's catalog holds films.",
        None,
    ]


def test_imdb_files_are_recognised_by_their_const_column():
    assert imdb.recognizes([ratings({**GODFATHER, "Your Rating": "9"})])
    assert not imdb.recognizes([ExportFile("ratings.csv", [["Date", "Name", "Year", "Rating"]])])


def test_a_watchlist_title_also_rated_is_dated_when_it_was_added():
    row = {**GODFATHER, "Position": "1", "Created": "2022-11-01", "Modified": "2022-11-01"}
    row |= {"Your Rating": "10", "Date Rated": "2023-06-09"}

    parsed = imdb.parse([export_file("WATCHLIST.csv", IMDB_LIST, [row])])

    assert parsed.rows[0].data["date"] == "2022-11-01"
