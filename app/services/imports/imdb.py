"""IMDb's exports: the ratings CSV, the watchlist and lists (Your Ratings, Export).

Every row carries its title's IMDb id (`Const`, tt…), which matches a film's
`imdb_id` directly. IMDb also exports series and episodes; Marquee's catalog
holds films, so those rows are left out with a reason.
"""

from __future__ import annotations

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
    ten_point_rating,
    title_of,
    year_of,
)

FILM_TYPES = {"movie", "tvmovie", "video", "short", "feature", "tv movie", "documentary"}
# Each with its article, which a translation may change along with the noun.
TYPE_NAMES = {
    "tvseries": _l("a TV series"),
    "tvminiseries": _l("a TV mini-series"),
    "tvepisode": _l("a TV episode"),
    "tvspecial": _l("a TV special"),
    "tvshort": _l("a TV short"),
    "videogame": _l("a video game"),
    "podcastseries": _l("a podcast"),
    "podcastepisode": _l("a podcast episode"),
    "musicvideo": _l("a music video"),
}


def recognizes(files: list[ExportFile]) -> bool:
    """Whether these files look like IMDb's exports (a Const column)."""
    return any(Table(file).has("Const") for file in files)


def parse(files: list[ExportFile]) -> Parsed:
    """The rows of IMDb's CSVs: ratings, the watchlist, and any list."""
    parsed = Parsed(ImportSource.imdb)
    for file in files:
        table = Table(file)
        if not table.has("Const"):
            parsed.notes.append(
                _("%(file)s is not an IMDb export (no Const column): skipped.", file=file.name)
            )
            continue
        try:
            parsed.rows.extend(_rows(file, table))
        except MissingColumnsError as error:
            parsed.notes.append(str(error))
    return parsed


def _rows(file: ExportFile, table: Table) -> list[ParsedRow]:
    """One file's rows; which kind they are follows from its columns and name."""
    table.require("Title")
    stem = PurePosixPath(file.name).stem
    if table.has("Position"):
        kind = RowKind.watchlist if "watchlist" in stem.casefold() else RowKind.list_entry
    else:
        table.require("Your Rating")
        kind = RowKind.rating
    about = {"title": stem.replace("_", " ")[:200] or _("IMDb list"), "key": f"imdb:{stem}"}
    rows = []
    for line, record in table.records():
        row = ParsedRow(file=file.name, line=line, kind=kind, title="")
        try:
            _fill(row, record)
            if kind is RowKind.list_entry:
                row.data["list"] = about
                position = record.get("Position")
                row.data["position"] = int(position) if is_number(position) else len(rows) + 1
        except RowError as error:
            row.error = str(error)
        rows.append(row)
    return rows


def _fill(row: ParsedRow, record: Record) -> None:
    row.imdb_id = imdb_id_of(record.get("Const"))
    row.title = title_of(record.get("Title", "Original Title"))
    row.year = year_of(record.get("Year"))
    if original := record.get("Original Title"):
        row.data["original_title"] = original[:300]
    if directors := record.get("Directors"):
        row.data["directors"] = directors[:300]
    kind = record.get("Title Type").casefold()
    if kind and kind not in FILM_TYPES:
        named = TYPE_NAMES.get(kind.replace(" ", ""))
        shown = str(named) if named is not None else _("a %(type)s", type=kind)
        raise RowError(_("IMDb lists this as %(type)s: Marquee's catalog holds films.", type=shown))
    if row.imdb_id is None:
        raise RowError(_("This row has no IMDb id (Const)."))
    # A rating is dated when it was given; a watchlist or list entry when it was added.
    order = ("Date Rated", "Created") if row.kind is RowKind.rating else ("Created", "Date Rated")
    day = day_of(record.get(*order), column="Date")
    if day:
        row.data["date"] = day.isoformat()
    if row.kind is RowKind.rating:
        rating = ten_point_rating(record.get("Your Rating"))
        if rating is None:
            raise RowError(_("This rating row has no rating."))
        row.data["rating"] = rating
    elif note := record.get("Description"):
        row.data["note"] = note[:2000]
