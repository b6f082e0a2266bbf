"""Letterboxd and IMDb export files, written the way those sites write them, for import tests.

`history()` makes a member's years of activity over a catalog: ratings,
diary entries with rewatches, reviews, a watchlist, watched films, likes and
lists, named the way Letterboxd names them ("Godfather, The" in places,
accents dropped in others), with films the catalog lacks mixed in. It
records which film each row means, so a test can check every match.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta

EXPORT_NAME = "letterboxd-ana-2024-05-01-12-30-utc"
HEADERS = {
    "ratings.csv": ["Date", "Name", "Year", "Letterboxd URI", "Rating"],
    "diary.csv": [
        "Date",
        "Name",
        "Year",
        "Letterboxd URI",
        "Rating",
        "Rewatch",
        "Tags",
        "Watched Date",
    ],
    "reviews.csv": [
        "Date",
        "Name",
        "Year",
        "Letterboxd URI",
        "Rating",
        "Rewatch",
        "Review",
        "Tags",
        "Watched Date",
    ],
    "watchlist.csv": ["Date", "Name", "Year", "Letterboxd URI"],
    "watched.csv": ["Date", "Name", "Year", "Letterboxd URI"],
    "likes/films.csv": ["Date", "Name", "Year", "Letterboxd URI"],
}
IMDB_RATINGS = [
    "Const",
    "Your Rating",
    "Date Rated",
    "Title",
    "Original Title",
    "URL",
    "Title Type",
    "IMDb Rating",
    "Runtime (mins)",
    "Year",
    "Genres",
    "Num Votes",
    "Release Date",
    "Directors",
]
IMDB_LIST = [
    "Position",
    "Const",
    "Created",
    "Modified",
    "Description",
    "Title",
    "Original Title",
    "URL",
    "Title Type",
    "IMDb Rating",
    "Runtime (mins)",
    "Year",
    "Genres",
    "Num Votes",
    "Release Date",
    "Directors",
    "Your Rating",
    "Date Rated",
]


def csv_text(header: list[str], rows: list[dict | list]) -> str:
    """A CSV as the sites write it: a header, then one line per row (dicts by column name)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header] if isinstance(row, dict) else row)
    return out.getvalue()


def letterboxd_list(
    name: str, entries: list[dict], *, url: str = "https://boxd.it/list1", description: str = ""
) -> str:
    """A list file in Letterboxd's layout: a header line, the list's row, a blank, its entries."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Letterboxd list export v7"])
    writer.writerow(["Date", "Name", "Tags", "URL", "Description"])
    writer.writerow(["2023-03-01", name, "", url, description])
    writer.writerow([])
    writer.writerow(["Position", "Name", "Year", "URL", "Description"])
    for entry in entries:
        writer.writerow(
            [
                entry.get("Position", ""),
                entry["Name"],
                entry.get("Year", ""),
                entry.get("URL", ""),
                entry.get("Description", ""),
            ]
        )
    return out.getvalue()


def zipped(files: dict[str, str | bytes], *, folder: str = "") -> bytes:
    """A zip holding these files (text as UTF-8), inside `folder` when given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            archive.writestr(f"{folder}{name}", data)
    return buffer.getvalue()


def letterboxd_zip(files: dict[str, list[dict] | str]) -> bytes:
    """A Letterboxd export zip: each file by name, rows as dicts (or text as it is)."""
    texts = {
        name: rows if isinstance(rows, str) else csv_text(HEADERS[name], rows)
        for name, rows in files.items()
    }
    texts.setdefault("profile.csv", "Date Joined,Username,Given Name\n2015-02-03,ana,Ana\n")
    return zipped(texts)


def stars(rating: int) -> str:
    """Marquee's 1–10 as Letterboxd writes stars: "4.5", "3"."""
    return f"{rating // 2}" if rating % 2 == 0 else f"{rating / 2:.1f}"


@dataclass(frozen=True)
class Film:
    """A film as an export names it, and the catalog movie it is (None: not in the catalog)."""

    title: str
    year: int | None
    movie_id: int | None


@dataclass
class History:
    """The files of a made-up export, and which movie each of their rows means."""

    files: dict[str, list[dict] | str] = field(default_factory=dict)
    # (file, line) → the catalog movie id the row means, or None for a film it lacks.
    expected: dict[tuple[str, int], int | None] = field(default_factory=dict)
    ratings: dict[int, int] = field(default_factory=dict)  # movie id → 1–10

    @property
    def rows(self) -> int:
        """How many rows the files hold."""
        return len(self.expected)

    def add(self, file: str, row: dict, film: Film) -> None:
        """Append a row naming `film` to a file (lists go in by name as "lists/…")."""
        rows = self.files.setdefault(file, [])
        rows.append(row)
        # Letterboxd's list files open with five lines before their entries.
        line = len(rows) + (5 if file.startswith("lists/") else 1)
        self.expected[(file, line)] = film.movie_id

    def zip(self) -> bytes:
        """The export as Letterboxd sends it."""
        texts: dict[str, list[dict] | str] = {}
        for name, rows in self.files.items():
            if name.startswith("lists/"):
                texts[name] = letterboxd_list("Best of the long tail", rows)
            else:
                texts[name] = rows
        return letterboxd_zip(texts)


def unaccented(text: str) -> str:
    """'Amélie' → 'Amelie', as people type titles."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def as_exported(title: str, chance: random.Random) -> str:
    """The title as an export may write it: moved article, no accents, or as it is."""
    roll = chance.random()
    if roll < 0.15 and title.startswith("The ") and ":" not in title:
        return f"{title[4:]}, The"
    if roll < 0.3 and unaccented(title) != title:
        return unaccented(title)
    return title


def history(in_catalog: list[Film], missing: list[Film], *, rows: int, seed: int = 7) -> History:
    """At least `rows` rows of a member's activity over these films (see the module's text)."""
    chance = random.Random(seed)
    made = History()
    day = date(2016, 1, 1)
    films = list(in_catalog)
    chance.shuffle(films)
    rated = films[: len(films) * 2 // 3]
    for film in rated:
        rating = chance.randint(1, 10)
        made.ratings[film.movie_id] = rating
        made.add("ratings.csv", _row(film, day, chance, Rating=stars(rating)), film)
        day += timedelta(days=1)
    for film in missing:
        rating = chance.randint(1, 10)
        made.add("ratings.csv", _row(film, day, chance, Rating=stars(rating)), film)
    while made.rows < rows:
        film = chance.choice(missing) if chance.random() < 0.15 else chance.choice(films)
        watched = date(2016, 1, 1) + timedelta(days=chance.randint(0, 2900))
        rewatch = chance.random() < 0.2
        made.add(
            "diary.csv",
            _row(
                film,
                watched,
                chance,
                Rating=stars(chance.randint(1, 10)) if chance.random() < 0.7 else "",
                Rewatch="Yes" if rewatch else "",
                **{"Watched Date": watched.isoformat()},
            ),
            film,
        )
        if rewatch and chance.random() < 0.3:  # the same film twice in a day: both kept
            made.add(
                "diary.csv",
                _row(film, watched, chance, Rewatch="Yes", **{"Watched Date": watched.isoformat()}),
                film,
            )
        kind = chance.random()
        other = chance.choice(films)
        if kind < 0.1 and other.movie_id in made.ratings:
            text = f"Saw it again & liked it more.\n\nLine {made.rows}: “{other.title}” holds up."
            made.add(
                "reviews.csv",
                _row(
                    other,
                    watched,
                    chance,
                    Rating=stars(made.ratings[other.movie_id]),
                    Review=text,
                    **{"Watched Date": watched.isoformat()},
                ),
                other,
            )
        elif kind < 0.2:
            made.add("watched.csv", _row(other, watched, chance), other)
        elif kind < 0.25:
            wanted = chance.choice(missing + films)
            made.add("watchlist.csv", _row(wanted, watched, chance), wanted)
        elif kind < 0.28:
            entries = made.files.get("lists/long-tail.csv", [])
            made.add(
                "lists/long-tail.csv",
                {
                    "Position": len(entries) + 1,
                    "Name": as_exported(other.title, chance),
                    "Year": other.year or "",
                    "URL": f"https://boxd.it/f{len(entries)}",
                    "Description": "=SUM(A1)" if len(entries) == 2 else "",
                },
                other,
            )
    return made


def _row(film: Film, day: date, chance: random.Random, **columns: str) -> dict:
    return {
        "Date": day.isoformat(),
        "Name": as_exported(film.title, chance),
        "Year": film.year or "",
        "Letterboxd URI": f"https://boxd.it/{chance.randrange(36**4):x}",
        **columns,
    }
