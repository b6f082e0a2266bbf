"""Reading Letterboxd's export: each file's columns, values, layouts, and what is left out."""

from __future__ import annotations

import csv
import io

import pytest

from app.models import RowKind
from app.services.imports import letterboxd
from app.services.imports.files import ExportFile
from app.services.imports.rows import ParsedRow
from tests.exports import HEADERS, csv_text, letterboxd_list

GODFATHER = {
    "Date": "2023-01-02",
    "Name": "The Godfather",
    "Year": "1972",
    "Letterboxd URI": "https://boxd.it/2bcg",
}
HEAT = {
    "Date": "2023-01-03",
    "Name": "Heat",
    "Year": "1995",
    "Letterboxd URI": "https://boxd.it/2aHi",
}


def export_file(name: str, text: str) -> ExportFile:
    """A file of an export as files.read hands it over: its name in the zip and its rows."""
    return ExportFile(name, list(csv.reader(io.StringIO(text, newline=""))))


def table(name: str, rows: list[dict], header: list[str] | None = None) -> ExportFile:
    """A file of the export with Letterboxd's columns for its name (or `header`)."""
    return export_file(name, csv_text(header or HEADERS[name], rows))


def parse_one(file: ExportFile) -> list[ParsedRow]:
    parsed = letterboxd.parse([file])
    assert parsed.notes == []
    return parsed.rows


def test_a_ratings_row_names_the_film_the_day_and_the_rating():
    rows = parse_one(table("ratings.csv", [{**GODFATHER, "Rating": "4.5"}]))

    assert rows == [
        ParsedRow(
            file="ratings.csv",
            line=2,
            kind=RowKind.rating,
            title="The Godfather",
            year=1972,
            data={"uri": "https://boxd.it/2bcg", "date": "2023-01-02", "rating": 9},
        )
    ]


@pytest.mark.parametrize(
    ("stars", "rating"),
    [("0.5", 1), ("1", 2), ("2.5", 5), ("3.0", 6), ("4.5", 9), ("5", 10), ("4,5", 9)],
)
def test_stars_become_marquee_ratings_from_1_to_10(stars, rating):
    rows = parse_one(table("ratings.csv", [{**GODFATHER, "Rating": stars}]))

    assert rows[0].error is None
    assert rows[0].data["rating"] == rating


@pytest.mark.parametrize(
    ("stars", "message"),
    [
        ("0", "The rating 0 is not from 0.5 to 5 stars in halves."),
        ("5.5", "The rating 5.5 is not from 0.5 to 5 stars in halves."),
        ("8", "The rating 8 is not from 0.5 to 5 stars in halves."),
        ("-1", "The rating -1 is not from 0.5 to 5 stars in halves."),
        ("2.3", "The rating 2.3 is not from 0.5 to 5 stars in halves."),
        ("4.25", "The rating 4.25 is not from 0.5 to 5 stars in halves."),
        ("four", "The rating “four” is not a number of stars."),
        # What a script that read the export into a data frame writes for a blank.
        ("NaN", "The rating “NaN” is not a number of stars."),
    ],
)
def test_a_rating_that_is_not_half_stars_from_half_to_five_fails_its_row_alone(stars, message):
    ratings = [{**GODFATHER, "Rating": stars}, {**HEAT, "Rating": "4"}]

    rows = parse_one(table("ratings.csv", ratings))

    assert [row.error for row in rows] == [message, None]
    assert rows[1].data["rating"] == 8


def test_a_ratings_row_without_a_rating_fails_alone():
    rows = parse_one(table("ratings.csv", [{**GODFATHER, "Rating": ""}, {**HEAT, "Rating": "3"}]))

    assert [row.error for row in rows] == ["This rating row has no rating.", None]


def test_a_diary_row_has_its_watched_day_rating_rewatch_and_tags():
    entry = {**HEAT, "Rating": "3.5", "Rewatch": "Yes", "Tags": "cinema, 35mm"}
    entry["Watched Date"] = "2022-12-30"

    rows = parse_one(table("diary.csv", [entry]))

    assert rows[0].kind is RowKind.diary
    assert rows[0].data == {
        "uri": "https://boxd.it/2aHi",
        "date": "2023-01-03",
        "rating": 7,
        "watched_on": "2022-12-30",
        "rewatch": True,
        "tags": "cinema, 35mm",
    }


def test_a_first_viewing_in_the_diary_is_no_rewatch_and_may_have_no_rating():
    rows = parse_one(table("diary.csv", [{**HEAT, "Watched Date": "2022-12-30"}]))

    assert rows[0].data["rewatch"] is False
    assert "rating" not in rows[0].data


def test_a_diary_row_without_a_watched_date_was_watched_the_day_it_was_logged():
    rows = parse_one(table("diary.csv", [{**HEAT, "Watched Date": ""}]))

    assert rows[0].error is None
    assert rows[0].data["watched_on"] == "2023-01-03"


def test_a_diary_row_without_any_date_fails_alone():
    rows = parse_one(
        table("diary.csv", [{**HEAT, "Date": ""}, {**GODFATHER, "Date": "2023-01-02"}])
    )

    assert [row.error for row in rows] == ["This diary row has no Watched Date.", None]


def test_a_review_from_letterboxd_html_becomes_plain_text():
    review = {
        **GODFATHER,
        "Rating": "5",
        "Watched Date": "2023-01-01",
        "Review": (
            "An <i>offer</i> you can&#39;t refuse.<br /><br />"
            "The <b>baptism</b> scene &amp; the ending &mdash; perfect. <3"
        ),
    }

    rows = parse_one(table("reviews.csv", [review]))

    assert rows[0].kind is RowKind.review
    assert rows[0].data["text"] == (
        "An offer you can't refuse.\n\nThe baptism scene & the ending — perfect. <3"
    )
    assert rows[0].data["rating"] == 10
    assert rows[0].data["watched_on"] == "2023-01-01"
    assert rows[0].data["spoilers"] is False


@pytest.mark.parametrize(
    ("review", "text"),
    [
        ("I <3 this film", "I <3 this film"),
        ("<p>First paragraph.</p><p>Second one.</p>", "First paragraph.\n\nSecond one."),
        ("Line one<br>line two<BR/>line three", "Line one\nline two\nline three"),
        ('See <a href="https://boxd.it/2bcg">the sequel</a> too', "See the sequel too"),
        (
            "<blockquote>Say hello to my little friend</blockquote> it never gets old",
            "Say hello to my little friend it never gets old",
        ),
        ("Plain text, 5 < 10 &lt;3", "Plain text, 5 < 10 <3"),
        ("One\r\n\r\n\r\n\r\nTwo", "One\n\nTwo"),
    ],
)
def test_review_text_keeps_what_was_written_and_drops_letterboxd_markup(review, text):
    assert letterboxd.review_text(review) == text


def test_a_review_marked_as_spoilers_says_so():
    review = {**GODFATHER, "Rating": "5", "Review": "Fredo dies.", "Spoilers": "Yes"}
    header = [*HEADERS["reviews.csv"], "Spoilers"]

    rows = parse_one(table("reviews.csv", [review], header))

    assert rows[0].data["spoilers"] is True


def test_a_review_row_with_no_text_fails_alone():
    reviews = [
        {**GODFATHER, "Rating": "5", "Review": "<i></i>"},
        {**HEAT, "Rating": "4", "Review": "The diner scene."},
    ]

    rows = parse_one(table("reviews.csv", reviews))

    assert [row.error for row in rows] == ["This review row has no review text.", None]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("watchlist.csv", RowKind.watchlist),
        ("watched.csv", RowKind.seen),
        ("likes/films.csv", RowKind.like),
    ],
)
def test_films_in_the_watchlist_watched_and_liked_files_are_rows_of_their_kind(name, kind):
    rows = parse_one(table(name, [GODFATHER, HEAT]))

    assert [(row.kind, row.title, row.year, row.line) for row in rows] == [
        (kind, "The Godfather", 1972, 2),
        (kind, "Heat", 1995, 3),
    ]
    assert rows[0].data == {"uri": "https://boxd.it/2bcg", "date": "2023-01-02"}


def test_a_list_in_letterboxd_layout_carries_the_list_with_each_entry():
    text = letterboxd_list(
        "Noir essentials",
        [
            {
                "Position": "1",
                "Name": "Double Indemnity",
                "Year": "1944",
                "URL": "https://boxd.it/1Yp6",
                "Description": "Stanwyck &amp; MacMurray.",
            },
            {
                "Position": "2",
                "Name": "The Third Man",
                "Year": "1949",
                "URL": "https://boxd.it/1YbS",
            },
        ],
        url="https://boxd.it/4Xy2",
        description="Shadows, <i>fate</i> and rain.",
    )

    rows = parse_one(export_file("lists/noir-essentials.csv", text))

    about = {
        "title": "Noir essentials",
        "key": "https://boxd.it/4Xy2",
        "description": "Shadows, fate and rain.",
        "ranked": False,
    }
    assert [(row.kind, row.line, row.title, row.year) for row in rows] == [
        (RowKind.list_entry, 6, "Double Indemnity", 1944),
        (RowKind.list_entry, 7, "The Third Man", 1949),
    ]
    assert rows[0].data == {"list": about, "position": 1, "note": "Stanwyck & MacMurray."}
    assert rows[1].data == {"list": about, "position": 2}


def test_a_list_in_letterboxd_layout_is_recognised_by_its_first_line_wherever_it_is():
    text = letterboxd_list("Noir essentials", [{"Position": "1", "Name": "Laura", "Year": "1944"}])

    parsed = letterboxd.parse([export_file("noir-essentials.csv", text)])

    assert letterboxd.recognizes([export_file("noir-essentials.csv", text)])
    assert [(row.title, row.data["list"]["title"]) for row in parsed.rows] == [
        ("Laura", "Noir essentials")
    ]


def test_a_plain_list_csv_is_a_list_named_after_its_file():
    text = "Position,Name,Year,URL,Description\n1,Past Lives,2023,,\n2,Aftersun,2022,,Devastating\n"

    rows = parse_one(export_file("lists/best-of-2023.csv", text))

    assert [(row.title, row.year, row.data["position"]) for row in rows] == [
        ("Past Lives", 2023, 1),
        ("Aftersun", 2022, 2),
    ]
    assert rows[0].data["list"] == {"title": "best of 2023", "key": "lists/best-of-2023.csv"}
    assert rows[1].data["note"] == "Devastating"


def test_a_plain_list_without_positions_keeps_its_order():
    text = "Name,Year\nPast Lives,2023\nAftersun,2022\nAnatomy of a Fall,2023\n"

    rows = parse_one(export_file("lists/2023.csv", text))

    assert [row.data["position"] for row in rows] == [1, 2, 3]


def test_extra_and_reordered_columns_read_the_same():
    plain = table("ratings.csv", [{**GODFATHER, "Rating": "4.5"}])
    shuffled = table(
        "ratings.csv",
        [{**GODFATHER, "Rating": "4.5", "Tags": "mafia", "Liked": "Yes"}],
        ["Rating", "Tags", "Letterboxd URI", "Year", "Liked", "Name", "Date"],
    )

    assert parse_one(shuffled) == parse_one(plain)


def test_column_names_differing_in_case_and_spacing_read_the_same():
    header = ["date", "NAME", "year", "letterboxd_uri", "rating", "rewatch", "WatchedDate"]
    row = ["2023-01-03", "Heat", "1995", "https://boxd.it/2aHi", "4", "yes", "2022-12-30"]

    rows = parse_one(export_file("diary.csv", csv_text(header, [row])))

    assert rows[0].data == {
        "uri": "https://boxd.it/2aHi",
        "date": "2023-01-03",
        "rating": 8,
        "watched_on": "2022-12-30",
        "rewatch": True,
    }


def test_an_export_without_some_files_reads_those_it_has():
    parsed = letterboxd.parse([table("watchlist.csv", [HEAT])])

    assert parsed.notes == []
    assert [(row.kind, row.title) for row in parsed.rows] == [(RowKind.watchlist, "Heat")]


def test_files_marquee_does_not_import_are_noted_once_each():
    files = [
        export_file("profile.csv", "Date Joined,Username,Given Name\n2015-02-03,ana,Ana\n"),
        export_file("comments.csv", "Date,Content,Comment\n2020-01-01,https://boxd.it/x,Nice\n"),
        table("deleted/diary.csv", [{**HEAT, "Watched Date": "2020-01-01"}], HEADERS["diary.csv"]),
        table("deleted/reviews.csv", [{**HEAT, "Review": "Gone."}], HEADERS["reviews.csv"]),
        table("orphaned/diary.csv", [HEAT], HEADERS["watched.csv"]),
        export_file("likes/reviews.csv", "Date,Name,Year,Letterboxd URI\n"),
        export_file("likes/lists.csv", "Date,Name,Letterboxd URI\n"),
        table("ratings.csv", [{**HEAT, "Rating": "4"}]),
    ]

    parsed = letterboxd.parse(files)

    assert parsed.notes == [
        "profile.csv (your Letterboxd profile) was not imported: "
        "Marquee's account page holds your username, email and avatar.",
        "comments.csv was not imported: comments on others' reviews stay on Letterboxd.",
        "The deleted/ folder (what you deleted on Letterboxd) was not imported.",
        "The orphaned/ folder (entries Letterboxd could not link to a film) was not imported.",
        "likes/reviews.csv and likes/lists.csv were not imported: "
        "they are likes of other members' reviews and lists on Letterboxd.",
    ]
    assert [(row.file, row.title) for row in parsed.rows] == [("ratings.csv", "Heat")]


def test_a_file_missing_a_column_it_needs_is_noted_and_skipped():
    files = [
        table("ratings.csv", [HEAT], HEADERS["watchlist.csv"]),
        table("watchlist.csv", [GODFATHER]),
    ]

    parsed = letterboxd.parse(files)

    assert parsed.notes == [
        "ratings.csv has no Rating column (its columns: Date, Name, Year, Letterboxd URI), "
        "so it was skipped."
    ]
    assert [(row.kind, row.title) for row in parsed.rows] == [(RowKind.watchlist, "The Godfather")]


@pytest.mark.parametrize(
    ("name", "header", "missing"),
    [
        ("reviews.csv", HEADERS["diary.csv"], "Review"),
        ("diary.csv", ["Date", "Film", "Year", "Watched Date"], "Name"),
    ],
)
def test_each_file_names_the_column_it_lacks(name, header, missing):
    parsed = letterboxd.parse([export_file(name, csv_text(header, []))])

    assert parsed.rows == []
    assert parsed.notes[0].startswith(f"{name} has no {missing} column (its columns: ")


@pytest.mark.parametrize(
    ("filename", "columns", "kind"),
    [
        ("letterboxd-reviews.csv", HEADERS["reviews.csv"], RowKind.review),
        ("diary (1).csv", HEADERS["diary.csv"], RowKind.diary),
        ("my ratings.csv", HEADERS["ratings.csv"], RowKind.rating),
        ("watchlist (2).csv", HEADERS["watchlist.csv"], RowKind.watchlist),
        ("watched-films.csv", HEADERS["watched.csv"], RowKind.seen),
        ("liked-films.csv", HEADERS["likes/films.csv"], RowKind.like),
    ],
)
def test_a_csv_uploaded_alone_is_recognised_by_its_columns(filename, columns, kind):
    row = {**HEAT, "Rating": "4", "Review": "The diner scene.", "Watched Date": "2022-12-30"}
    file = table(filename, [row], columns)

    parsed = letterboxd.parse([file])

    assert letterboxd.recognizes([file])
    assert [(row.kind, row.title, row.error) for row in parsed.rows] == [(kind, "Heat", None)]


def test_a_csv_of_unknown_name_inside_a_whole_export_is_skipped_with_a_note():
    files = [
        table("ratings.csv", [{**HEAT, "Rating": "4"}]),
        table("diary (1).csv", [HEAT], HEADERS["diary.csv"]),
    ]

    parsed = letterboxd.parse(files)

    assert parsed.notes == ["diary (1).csv is not part of a Letterboxd export: skipped."]
    assert [row.file for row in parsed.rows] == ["ratings.csv"]


def test_a_cell_guarded_against_formulas_is_read_without_its_quote():
    text = letterboxd_list(
        "Spreadsheet-proof",
        [
            {"Position": "1", "Name": "Heat", "Year": "1995", "Description": "'=SUM(A1)"},
            {"Position": "2", "Name": "Jaws", "Year": "1975", "Description": "'-1"},
            {"Position": "3", "Name": "Alien", "Year": "1979", "Description": "'+ the score"},
        ],
    )

    rows = parse_one(export_file("lists/spreadsheet-proof.csv", text))

    assert [row.data["note"] for row in rows] == ["=SUM(A1)", "-1", "+ the score"]


@pytest.mark.parametrize("title", ["'Round Midnight", "'71"])
def test_a_title_that_starts_with_an_apostrophe_keeps_it(title):
    rows = parse_one(table("watched.csv", [{**HEAT, "Name": title, "Year": "1986"}]))

    assert rows[0].title == title


def test_tmdb_and_imdb_id_columns_are_read():
    header = [*HEADERS["ratings.csv"], "tmdbID", "imdbID"]
    ratings = [
        {**GODFATHER, "Rating": "4.5", "tmdbID": "238", "imdbID": "tt0068646"},
        {**HEAT, "Rating": "4", "tmdbID": "", "imdbID": "https://www.imdb.com/title/tt0113277/"},
        {**HEAT, "Name": "Jaws", "Rating": "4", "tmdbID": "n/a", "imdbID": "none"},
    ]

    rows = parse_one(table("ratings.csv", ratings, header))

    assert [(row.tmdb_id, row.imdb_id) for row in rows] == [
        (238, "tt0068646"),
        (None, "tt0113277"),
        (None, None),
    ]


@pytest.mark.parametrize(
    ("film", "message"),
    [
        ({"Name": "", "Year": "1995"}, "This row has no film title."),
        ({"Name": "Heat", "Year": "MCMXCV"}, "The year “MCMXCV” is not a year."),
        ({"Name": "Heat", "Year": "1066"}, "The year 1066 is not a film's year."),
        (
            {"Name": "Heat", "Year": "1995", "Date": "2023-02-30"},
            "Date “2023-02-30” is not a date (write it as YYYY-MM-DD).",
        ),
    ],
)
def test_a_bad_title_year_or_day_fails_its_row_alone(film, message):
    rows = parse_one(table("watchlist.csv", [{**HEAT, **film}, GODFATHER]))

    assert [row.error for row in rows] == [message, None]


def test_a_whole_export_is_recognised_and_a_csv_of_other_columns_is_not():
    export = [table("ratings.csv", [{**HEAT, "Rating": "4"}]), table("watchlist.csv", [HEAT])]
    other = export_file("export.csv", "Const,Title,Year\ntt0113277,Heat,1995\n")

    assert letterboxd.recognizes(export)
    assert letterboxd.recognizes([other]) is False
