"""Everything a member owns, as a zip: Letterboxd's CSVs (with tmdbID and imdbID) and one JSON.

The CSVs have Letterboxd's names and columns, so the zip imports back into
Letterboxd or into another Marquee; the extra id columns, which Letterboxd's
importer also reads, make a round trip exact. Cells that a spreadsheet would
run as a formula get a leading quote, which Marquee's importer drops again.
The zip's name carries the export time as Letterboxd's does, so an import of
it knows what changed afterwards.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ...infra.db import db
from ...models import (
    DiaryEntry,
    Movie,
    MovieList,
    MovieListEntry,
    Review,
    SeenMovie,
    User,
    WatchlistEntry,
)
from ...models.mixins import utcnow
from ...models.slugs import slugify
from .rows import FORMULA_STARTS

FILM = ["Name", "Year", "Letterboxd URI"]
IDS = ["tmdbID", "imdbID"]
FORMAT_VERSION = 1


def guarded(value: Any) -> str:
    """A cell's text, with a quote before what a spreadsheet would take for a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def stars(rating: int | None) -> str:
    """Marquee's 1–10 as Letterboxd's 0.5–5 stars ("3.5", "4")."""
    if rating is None:
        return ""
    return f"{rating // 2}" if rating % 2 == 0 else f"{rating / 2:.1f}"


def build(user: User) -> tuple[str, bytes]:
    """The export's file name and the zip's bytes."""
    now = utcnow()
    data = _Owned.load(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, header, rows in _csv_files(user, data):
            archive.writestr(name, _csv(header, rows))
        archive.writestr("marquee.json", json.dumps(_everything(user, data, now), indent=2))
    stamp = now.strftime("%Y-%m-%d-%H-%M")
    return f"marquee-{slugify(user.username) or 'member'}-{stamp}-utc.zip", buffer.getvalue()


class _Owned:
    """What the member owns, each kind in one query with its films."""

    reviews: list[Review]
    diary: list[DiaryEntry]
    watchlist: list[WatchlistEntry]
    seen: list[SeenMovie]
    lists: list[MovieList]

    @classmethod
    def load(cls, user: User) -> _Owned:
        owned = cls()
        owned.reviews = _all(Review, user, Review.created_at)
        owned.diary = _all(DiaryEntry, user, DiaryEntry.watched_on)
        owned.watchlist = _all(WatchlistEntry, user, WatchlistEntry.added_at)
        owned.seen = _all(SeenMovie, user, SeenMovie.created_at)
        owned.lists = list(
            db.session.scalars(
                select(MovieList)
                .where(MovieList.user_id == user.id)
                .order_by(MovieList.id)
                .options(selectinload(MovieList.entries).joinedload(MovieListEntry.movie))
            )
        )
        return owned


def _all(model, user: User, order) -> list:
    query = (
        select(model)
        .where(model.user_id == user.id)
        .order_by(order, model.id)
        .options(joinedload(model.movie))
    )
    return list(db.session.scalars(query))


def _film(movie: Movie) -> list[str]:
    return [guarded(movie.title), str(movie.year or ""), ""]


def _ids(movie: Movie) -> list[str]:
    return [str(movie.tmdb_id or ""), movie.imdb_id or ""]


def _row(moment: datetime | date | None, movie: Movie, *middle: str) -> list[str]:
    """Date, the film, any columns of the file's own, then its ids."""
    return [_day(moment), *_film(movie), *middle, *_ids(movie)]


def _day(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    return (moment.date() if isinstance(moment, datetime) else moment).isoformat()


def _csv_files(user: User, data: _Owned) -> Iterable[tuple[str, list[str], list[list[str]]]]:
    yield (
        "profile.csv",
        ["Date Joined", "Username", "Email Address"],
        [[_day(user.created_at), guarded(user.username), guarded(user.email)]],
    )
    yield (
        "ratings.csv",
        ["Date", *FILM, "Rating", *IDS],
        [_row(review.updated_at, review.movie, stars(review.rating)) for review in data.reviews],
    )
    yield (
        "reviews.csv",
        ["Date", *FILM, "Rating", "Rewatch", "Review", "Tags", "Watched Date", "Spoilers", *IDS],
        [
            [
                _day(review.updated_at),
                *_film(review.movie),
                stars(review.rating),
                "",
                guarded(review.body),
                "",
                "",
                "Yes" if review.contains_spoilers else "",
                *_ids(review.movie),
            ]
            for review in data.reviews
            if review.body
        ],
    )
    yield (
        "diary.csv",
        ["Date", *FILM, "Rating", "Rewatch", "Tags", "Watched Date", *IDS],
        [
            [
                _day(entry.created_at),
                *_film(entry.movie),
                stars(entry.rating),
                "Yes" if entry.rewatch else "",
                "",
                _day(entry.watched_on),
                *_ids(entry.movie),
            ]
            for entry in data.diary
        ],
    )
    yield (
        "watchlist.csv",
        ["Date", *FILM, *IDS],
        [_row(entry.added_at, entry.movie) for entry in data.watchlist],
    )
    yield "watched.csv", ["Date", *FILM, *IDS], _watched(data)
    yield (
        "likes/films.csv",
        ["Date", *FILM, *IDS],
        [_row(review.updated_at, review.movie) for review in data.reviews if review.recommends],
    )
    used: set[str] = set()
    for movie_list in data.lists:
        yield _list_file(movie_list, used)


def _watched(data: _Owned) -> list[list[str]]:
    """Every film the member has seen (marked, logged or rated), once, first day known."""
    first: dict[int, tuple[str, Movie]] = {}
    seen = [(_day(mark.marked_on or mark.created_at), mark.movie) for mark in data.seen]
    logged = [(_day(entry.watched_on), entry.movie) for entry in data.diary]
    rated = [(_day(review.created_at), review.movie) for review in data.reviews]
    for day, movie in [*seen, *logged, *rated]:
        if movie.id not in first or day < first[movie.id][0]:
            first[movie.id] = (day, movie)
    ordered = sorted(first.values(), key=lambda item: (item[0], item[1].id))
    return [[day, *_film(movie), *_ids(movie)] for day, movie in ordered]


def _list_file(movie_list: MovieList, used: set[str]) -> tuple[str, list[str], list[list[str]]]:
    """A list in Letterboxd's layout: its own row, a blank line, then its entries."""
    stem = slugify(movie_list.title) or "list"
    name, number = stem, 2
    while name in used:
        name, number = f"{stem}-{number}", number + 1
    used.add(name)
    about = [
        ["Letterboxd list export v7"],
        ["Date", "Name", "Tags", "URL", "Description", "Ranked", "Visibility"],
        [
            _day(movie_list.created_at),
            guarded(movie_list.title),
            "",
            guarded(movie_list.source or ""),
            guarded(movie_list.description or ""),
            "Yes" if movie_list.ranked else "",
            movie_list.visibility.value,
        ],
        [],
    ]
    header = ["Position", "Name", "Year", "URL", "Description", *IDS]
    entries = [
        [str(entry.position), *_film(entry.movie), guarded(entry.note or ""), *_ids(entry.movie)]
        for entry in movie_list.entries
    ]
    return f"lists/{name}.csv", [], [*about, header, *entries]


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _movie(movie: Movie) -> dict[str, Any]:
    return {
        "title": movie.title,
        "year": movie.year,
        "tmdb_id": movie.tmdb_id,
        "imdb_id": movie.imdb_id,
        "marquee_id": movie.id,
    }


def _moment(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def _everything(user: User, data: _Owned, now: datetime) -> dict[str, Any]:
    """The member's account (no secrets) and all they own, as JSON."""
    return {
        "format": "marquee-export",
        "version": FORMAT_VERSION,
        "exported_at": now.isoformat(),
        "account": {
            "username": user.username,
            "email": user.email,
            "email_confirmed_at": _moment(user.email_confirmed_at),
            "role": user.role.value,
            "joined_at": _moment(user.created_at),
            "last_login_at": _moment(user.last_login_at),
            "two_factor_enabled": user.two_factor_enabled,
            "has_picture": bool(user.avatar),
        },
        "reviews": [
            {
                "movie": _movie(review.movie),
                "rating": review.rating,
                "body": review.body,
                "contains_spoilers": review.contains_spoilers,
                "recommends": review.recommends,
                "created_at": _moment(review.created_at),
                "updated_at": _moment(review.updated_at),
            }
            for review in data.reviews
        ],
        "diary": [
            {
                "movie": _movie(entry.movie),
                "watched_on": _moment(entry.watched_on),
                "rating": entry.rating,
                "rewatch": entry.rewatch,
                "logged_at": _moment(entry.created_at),
            }
            for entry in data.diary
        ],
        "watchlist": [
            {"movie": _movie(entry.movie), "added_at": _moment(entry.added_at)}
            for entry in data.watchlist
        ],
        "seen": [
            {"movie": _movie(mark.movie), "marked_on": _moment(mark.marked_on)}
            for mark in data.seen
        ],
        "lists": [
            {
                "title": movie_list.title,
                "description": movie_list.description,
                "ranked": movie_list.ranked,
                "visibility": movie_list.visibility.value,
                "source": movie_list.source,
                "created_at": _moment(movie_list.created_at),
                "entries": [
                    {"position": entry.position, "movie": _movie(entry.movie), "note": entry.note}
                    for entry in movie_list.entries
                ],
            }
            for movie_list in data.lists
        ],
    }
