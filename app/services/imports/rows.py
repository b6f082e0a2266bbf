"""What the parsers make of an export: one ParsedRow per row, with its problem if it has one.

Columns are found by name (case, spaces and order do not matter), so an
export with extra or reordered columns reads the same; a file without a
column it needs is noted and skipped, and a row with a bad value fails alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _

from ...models import ImportSource, RowKind
from ..diary import EARLIEST_DAY, latest_day
from ..numbers import SOURCE_LOCALE, format_decimal
from .files import ExportFile

MAX_TITLE_LENGTH = 300
# Our own export writes a quote before a cell starting with one of these (a
# spreadsheet would run it as a formula); reading it back drops the quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_IMDB_ID = re.compile(r"tt\d{7,10}")


class RowError(ValueError):
    """One row's value is wrong; the message says which and why."""


class MissingColumnsError(ValueError):
    """A file lacks a column it needs; the file is skipped with this message."""


@dataclass
class ParsedRow:
    """One row read from an export, before it is matched to a film."""

    file: str
    line: int
    kind: RowKind
    title: str
    year: int | None = None
    imdb_id: str | None = None
    tmdb_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class Parsed:
    """Every row of an export, and what was noticed about its files."""

    source: ImportSource
    rows: list[ParsedRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@lru_cache(maxsize=512)
def column_key(name: str) -> str:
    """'Watched Date' → 'watcheddate': how columns are matched."""
    return re.sub(r"[\s_\-]+", "", name.strip().casefold())


class Table:
    """A CSV's header and its rows, read by column name."""

    def __init__(self, file: ExportFile, *, header_row: int = 0) -> None:
        self.file = file
        self.header_row = header_row
        header = file.rows[header_row] if len(file.rows) > header_row else []
        self.columns = {column_key(name): index for index, name in enumerate(header)}
        self.header = header

    def has(self, *names: str) -> bool:
        """Whether every one of these columns is there."""
        return all(column_key(name) in self.columns for name in names)

    def require(self, *names: str) -> None:
        """MissingColumnsError unless every column is there, naming what is."""
        missing = [name for name in names if column_key(name) not in self.columns]
        if missing:
            found = ", ".join(name for name in self.header if name.strip())
            if not found:
                raise MissingColumnsError(
                    _(
                        "%(file)s has no %(missing)s column (its columns: none), "
                        "so it was skipped.",
                        file=self.file.name,
                        missing=_either(missing),
                    )
                )
            raise MissingColumnsError(
                _(
                    "%(file)s has no %(missing)s column (its columns: %(found)s), "
                    "so it was skipped.",
                    file=self.file.name,
                    missing=_either(missing),
                    found=found[:200],
                )
            )

    def records(self, start: int | None = None) -> Iterator[tuple[int, Record]]:
        """(line number, record) for each non-blank row after the header."""
        first = self.header_row + 1 if start is None else start
        for index in range(first, len(self.file.rows)):
            cells = self.file.rows[index]
            if not any(cell.strip() for cell in cells):
                continue
            yield index + 1, Record(self.columns, cells)


def _either(names: list[str]) -> str:
    """'Name', 'Name or Title': column names joined as the locale says "or"."""
    return format_list(names, style="or", locale=get_locale() or SOURCE_LOCALE)


class Record:
    """One row's cells, by column name; a missing column reads as ""."""

    def __init__(self, columns: dict[str, int], cells: list[str]) -> None:
        self._columns = columns
        self._cells = cells

    def get(self, *names: str) -> str:
        """The first of these columns that has a value, stripped, or ""."""
        for name in names:
            index = self._columns.get(column_key(name))
            if index is not None and index < len(self._cells):
                value = unescape(self._cells[index].strip())
                if value:
                    return value
        return ""


def unescape(cell: str) -> str:
    """A cell as written before our export guarded it against formulas."""
    if len(cell) > 1 and cell[0] == "'" and cell[1].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def title_of(value: str) -> str:
    """The film's title, or RowError when the row has none or it is absurdly long."""
    title = " ".join(value.split())
    if not title:
        raise RowError(_("This row has no film title."))
    if len(title) > MAX_TITLE_LENGTH:
        raise RowError(
            _(
                "The title is %(length)s characters long: is this the right column?",
                length=format_decimal(len(title)),
            )
        )
    return title


def year_of(value: str) -> int | None:
    """A release year, None when blank; RowError when it is not a plausible year."""
    if not value:
        return None
    if not is_number(value):
        raise RowError(_("The year “%(value)s” is not a year.", value=value[:20]))
    year = int(value)
    if not EARLIEST_DAY.year <= year <= latest_day().year + 10:
        raise RowError(_("The year %(year)s is not a film's year.", year=year))
    return year


def day_of(value: str, *, column: str) -> date | None:
    """A YYYY-MM-DD day (a time after it is ignored), None when blank.

    RowError for anything else, a day in the future or one before films existed.
    """
    if not value:
        return None
    match = _DAY.match(value.strip())
    try:
        if not match:
            raise ValueError
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise RowError(
            _(
                "%(column)s “%(value)s” is not a date (write it as YYYY-MM-DD).",
                column=column,
                value=value[:30],
            )
        ) from None
    if day > latest_day():
        raise RowError(
            _("%(column)s %(day)s is in the future.", column=column, day=day.isoformat())
        )
    if day < EARLIEST_DAY:
        raise RowError(
            _(
                "%(column)s %(day)s is before %(year)s.",
                column=column,
                day=day.isoformat(),
                year=EARLIEST_DAY.year,
            )
        )
    return day


def stars_to_rating(value: str) -> int | None:
    """Letterboxd's 0.5–5 stars as Marquee's 1–10, None when blank."""
    if not value:
        return None
    try:
        stars = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise RowError(_not_stars(value)) from None
    if not stars.is_finite():
        raise RowError(_not_stars(value))
    if not Decimal("0.5") <= stars <= 5 or (stars * 2) % 1:
        raise RowError(
            _(
                "The rating %(value)s is not from 0.5 to 5 stars in halves.",
                value=value[:20],
            )
        )
    return int(stars * 2)


def ten_point_rating(value: str) -> int | None:
    """A 1–10 rating (IMDb's, Letterboxd's Rating10), None when blank."""
    if not value:
        return None
    try:
        rating = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise RowError(_not_a_number(value)) from None
    if not rating.is_finite():
        raise RowError(_not_a_number(value))
    if not 1 <= rating <= 10 or rating % 1:
        raise RowError(
            _("The rating %(value)s is not a whole number from 1 to 10.", value=value[:20])
        )
    return int(rating)


def _not_stars(value: str) -> str:
    return _("The rating “%(value)s” is not a number of stars.", value=value[:20])


def _not_a_number(value: str) -> str:
    return _("The rating “%(value)s” is not a number.", value=value[:20])


def yes(value: str) -> bool:
    """Whether a flag column says yes ("Yes", "true", "1", "x")."""
    return value.strip().casefold() in ("yes", "y", "true", "1", "x")


def imdb_id_of(value: str) -> str | None:
    """An IMDb title id ("tt0068646") from the cell, or None."""
    match = _IMDB_ID.search(value)
    return match[0] if match else None


def tmdb_id_of(value: str) -> int | None:
    """A TMDB movie id from the cell, or None."""
    value = value.strip()
    return int(value) if is_number(value) and 0 < int(value) < 2**31 else None


def is_number(value: str) -> bool:
    """Whether the text is a whole number in ASCII digits ("²" and "٣" are digits, not these)."""
    return value.isascii() and value.isdigit()
