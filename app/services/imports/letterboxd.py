"""Letterboxd's export (the zip from Settings → Data), and Marquee's own, which writes the same.

Each CSV is recognised by its name in the zip (ratings.csv, diary.csv, …) or,
for one CSV uploaded alone, by its columns. Letterboxd's rows name films by
title and year; Marquee's export adds tmdbID and imdbID columns (which
Letterboxd's importer reads too), so a round trip matches exactly.
"""

from __future__ import annotations

import html
import re
from pathlib import PurePosixPath

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...models import ImportSource, RowKind
from .files import ExportFile
from .rows import (
    MissingColumnsError,
    Parsed,
    ParsedRow,
    Record,
    RowError,
    Table,
    day_of,
    imdb_id_of,
    is_number,
    stars_to_rating,
    ten_point_rating,
    title_of,
    tmdb_id_of,
    year_of,
    yes,
)

FILES = {
    "ratings.csv": RowKind.rating,
    "reviews.csv": RowKind.review,
    "diary.csv": RowKind.diary,
    "watchlist.csv": RowKind.watchlist,
    "watched.csv": RowKind.seen,
    "likes/films.csv": RowKind.like,
}
# What Letterboxd exports that has no counterpart here, and why it is left.
LEFT_OUT = {
    "profile.csv": _l(
        "profile.csv (your Letterboxd profile) was not imported: "
        "Marquee's account page holds your username, email and avatar."
    ),
    "comments.csv": _l(
        "comments.csv was not imported: comments on others' reviews stay on Letterboxd."
    ),
    "likes/reviews.csv": _l(
        "likes/reviews.csv and likes/lists.csv were not imported: "
        "they are likes of other members' reviews and lists on Letterboxd."
    ),
}
LEFT_OUT_FOLDERS = {
    "deleted/": _l("The deleted/ folder (what you deleted on Letterboxd) was not imported."),
    "orphaned/": _l(
        "The orphaned/ folder (entries Letterboxd could not link to a film) was not imported."
    ),
}
_ALSO_LEFT = {"likes/lists.csv": "likes/reviews.csv"}
_TAGS = re.compile(r"</?(?:b|i|em|strong|u|s|strike|a|span|blockquote)\b[^>]*>", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH = re.compile(r"</p>\s*<p[^>]*>|</?p[^>]*>", re.IGNORECASE)


def recognizes(files: list[ExportFile]) -> bool:
    """Whether these files look like a Letterboxd (or Marquee) export."""
    for file in files:
        name = file.name.casefold()
        if name in FILES or name.startswith("lists/") or name in LEFT_OUT:
            return True
        table = Table(file)
        if table.has("Letterboxd URI") or (table.has("Name", "Year") and not table.has("Const")):
            return True
        if file.rows and file.rows[0][:1] == ["Letterboxd list export v7"]:
            return True
    return False


def parse(files: list[ExportFile]) -> Parsed:
    """Every row of every file Marquee imports, and a note for each file it does not."""
    parsed = Parsed(ImportSource.letterboxd)
    alone = len(files) == 1
    for file in files:
        name = file.name.casefold()
        folder = next((folder for folder in LEFT_OUT_FOLDERS if name.startswith(folder)), None)
        if folder:
            _note_once(parsed, str(LEFT_OUT_FOLDERS[folder]))
            continue
        if name in LEFT_OUT or name in _ALSO_LEFT:
            _note_once(parsed, str(LEFT_OUT[_ALSO_LEFT.get(name, name)]))
            continue
        try:
            if name.startswith("lists/") or _is_list(file):
                parsed.rows.extend(_list_rows(file))
                continue
            kind = FILES.get(name) or (_kind_from_columns(file) if alone else None)
            if kind is None:
                parsed.notes.append(
                    _("%(file)s is not part of a Letterboxd export: skipped.", file=file.name)
                )
                continue
            parsed.rows.extend(_rows(file, kind))
        except MissingColumnsError as error:
            parsed.notes.append(str(error))
    return parsed


def _note_once(parsed: Parsed, note: str) -> None:
    if note not in parsed.notes:
        parsed.notes.append(note)


def _kind_from_columns(file: ExportFile) -> RowKind | None:
    """What one CSV uploaded on its own holds, from its columns, then its name."""
    table = Table(file)
    if table.has("Review"):
        return RowKind.review
    if table.has("Watched Date") or table.has("WatchedDate"):
        return RowKind.diary
    if table.has("Rating") or table.has("Rating10"):
        return RowKind.rating
    stem = PurePosixPath(file.name).stem.casefold()
    for word, kind in (("watchlist", RowKind.watchlist), ("watched", RowKind.seen)):
        if word in stem:
            return kind
    if "like" in stem:
        return RowKind.like
    return None


def _rows(file: ExportFile, kind: RowKind) -> list[ParsedRow]:
    table = Table(file)
    if not (table.has("Name") or table.has("Title")):
        table.require("Name")
    if kind is RowKind.rating and not (table.has("Rating") or table.has("Rating10")):
        table.require("Rating")
    if kind is RowKind.review:
        table.require("Review")
    rows = []
    for line, record in table.records():
        row = ParsedRow(file=file.name, line=line, kind=kind, title="")
        try:
            _fill(row, record)
        except RowError as error:
            row.error = str(error)
        rows.append(row)
    return rows


def _fill(row: ParsedRow, record: Record) -> None:
    """Read the film and what the row says about it into `row` (RowError if a value is bad)."""
    row.title = title_of(record.get("Name", "Title"))[:300]
    row.year = year_of(record.get("Year"))
    row.tmdb_id = tmdb_id_of(record.get("tmdbID"))
    row.imdb_id = imdb_id_of(record.get("imdbID"))
    data = row.data
    if uri := record.get("Letterboxd URI", "LetterboxdURI"):
        data["uri"] = uri[:200]
    day = day_of(record.get("Date"), column="Date")
    if day:
        data["date"] = day.isoformat()
    rating = _rating(record)
    if rating is not None:
        data["rating"] = rating
    if row.kind is RowKind.rating and rating is None:
        raise RowError(_("This rating row has no rating."))
    if row.kind in (RowKind.diary, RowKind.review):
        watched = day_of(record.get("Watched Date", "WatchedDate"), column="Watched Date")
        if watched is None and row.kind is RowKind.diary:
            watched = day
        if watched is None and row.kind is RowKind.diary:
            raise RowError(_("This diary row has no Watched Date."))
        if watched:
            data["watched_on"] = watched.isoformat()
        data["rewatch"] = yes(record.get("Rewatch"))
        if tags := record.get("Tags"):
            data["tags"] = tags[:500]
    if row.kind is RowKind.review:
        text = review_text(record.get("Review"))
        if not text:
            raise RowError(_("This review row has no review text."))
        data["text"] = text
        data["spoilers"] = yes(record.get("Spoilers", "Contains Spoilers"))


def _rating(record: Record) -> int | None:
    ten = record.get("Rating10")
    return ten_point_rating(ten) if ten else stars_to_rating(record.get("Rating"))


def review_text(value: str) -> str:
    """A review as plain text: Letterboxd's few tags dropped, breaks and entities kept."""
    if "<" in value:
        value = _PARAGRAPH.sub("\n\n", _BREAK.sub("\n", value))
        value = _TAGS.sub("", value)
    text = html.unescape(value).replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _header_row(
    file: ExportFile, *choices: tuple[str, ...], before: int | None = None
) -> int | None:
    """The first row (before `before`) holding all the columns of one of the choices."""
    for index in range(len(file.rows) if before is None else before):
        table = Table(file, header_row=index)
        if any(table.has(*names) for names in choices):
            return index
    return None


def _is_list(file: ExportFile) -> bool:
    return bool(file.rows) and file.rows[0][:1] == ["Letterboxd list export v7"]


def _list_rows(file: ExportFile) -> list[ParsedRow]:
    """A list's entries, each carrying the list: its name, description, URL and order.

    Letterboxd writes a header line, the list's own row (Date, Name, Tags, URL,
    Description), a blank line, then the entries (Position, Name, Year, URL,
    Description). A plain CSV of entries is a list named after the file.
    """
    entries_header = _header_row(file, ("Name", "Year"), ("Name", "Position"))
    stem = PurePosixPath(file.name).stem
    title = stem.replace("-", " ").strip()[:200] or _("Imported list")
    about = {"title": title, "key": file.name}
    meta_header = _header_row(file, ("Name", "URL"), before=entries_header)
    if meta_header is not None and meta_header + 1 < len(file.rows):
        meta = Record(Table(file, header_row=meta_header).columns, file.rows[meta_header + 1])
        about["title"] = (meta.get("Name") or about["title"])[:200]
        if url := meta.get("URL"):
            about["key"] = url[:300]
        if description := meta.get("Description"):
            about["description"] = review_text(description)
        about["ranked"] = yes(meta.get("Ranked"))
    if entries_header is None:
        raise MissingColumnsError(
            _("%(file)s has no list of films (Position, Name, Year): skipped.", file=file.name)
        )
    table = Table(file, header_row=entries_header)
    rows = []
    for line, record in table.records():
        row = ParsedRow(file=file.name, line=line, kind=RowKind.list_entry, title="")
        row.data["list"] = about
        try:
            row.title = title_of(record.get("Name", "Title"))
            row.year = year_of(record.get("Year"))
            row.tmdb_id = tmdb_id_of(record.get("tmdbID"))
            row.imdb_id = imdb_id_of(record.get("imdbID"))
            position = record.get("Position")
            row.data["position"] = int(position) if is_number(position) else len(rows) + 1
            if note := record.get("Description"):
                row.data["note"] = review_text(note)
        except RowError as error:
            row.error = str(error)
        rows.append(row)
    return rows
