"""Reading an uploaded export safely: a zip or one CSV, size-capped, as UTF-8 text.

A zip is read entry by entry with the bytes counted as they come out, not as
its headers claim, so a zip bomb stops at the cap. Entries with absolute
paths or `..` refuse the whole file: an honest export never has them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from flask_babel import gettext as _

from ..errors import ServiceError
from ..numbers import format_decimal

MAX_ENTRIES = 2000
# An export's CSVs compress about 4:1; a file that expands far more is a bomb.
MAX_RATIO = 100
CHUNK = 64 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
# letterboxd-ana-2024-05-01-12-30-utc.zip
_LETTERBOXD_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-utc", re.IGNORECASE)
IGNORED_ENTRIES = ("__MACOSX/", ".DS_Store")
EXPORT_FOLDERS = ("lists", "likes", "deleted", "orphaned")
# The methods Python's zipfile unpacks (others, such as Deflate64, are refused up front).
READABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


class ImportFileError(ServiceError):
    """The upload cannot be read at all; nothing was imported."""


@dataclass(frozen=True)
class ExportFile:
    """One CSV of an export: its path inside the zip (or its name) and its rows."""

    name: str  # without the export's top folder: "lists/noir.csv"
    rows: list[list[str]]


@dataclass(frozen=True)
class Upload:
    """What an upload holds: its CSV files and, when it says, when it was exported."""

    files: list[ExportFile]
    exported_at: datetime | None


def megabytes(size: int) -> str:
    """A size as people read it: "12.3 MB"."""
    # Rounded as Python rounds the float, then written with the locale's decimal sign.
    return _("%(size)s MB", size=format_decimal(round(size / 1024 / 1024, 1), format="0.0"))


def read(filename: str, content: bytes, *, max_bytes: int) -> Upload:
    """The CSV files of an upload, or ImportFileError saying why it cannot be read."""
    if not content:
        raise ImportFileError(_("That file is empty: choose the export you downloaded."))
    if len(content) > max_bytes:
        raise ImportFileError(
            _(
                "That file is %(size)s: the largest import is %(limit)s.",
                size=megabytes(len(content)),
                limit=megabytes(max_bytes),
            )
        )
    if zipfile.is_zipfile(io.BytesIO(content)):
        return _read_zip(filename, content, max_bytes=max_bytes)
    if content[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        raise ImportFileError(_("That zip is damaged: download the export again."))
    if not _looks_like_text(content):
        raise ImportFileError(
            _(
                "That file is neither a zip nor a CSV: upload the zip Letterboxd sends, "
                "or the CSV IMDb exports."
            )
        )
    name = PurePosixPath(filename.replace("\\", "/")).name or "upload.csv"
    return Upload([_parse_csv(name, content)], _date_in_name(filename))


def _read_zip(filename: str, content: bytes, *, max_bytes: int) -> Upload:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportFileError(_("That zip cannot be opened (%(error)s).", error=error)) from None
    if len(entries) > MAX_ENTRIES:
        raise ImportFileError(
            _(
                "That zip holds %(count)s files: an export has a few dozen at most.",
                count=format_decimal(len(entries)),
            )
        )
    wanted = []
    for entry in entries:
        _check_path(entry.filename)
        if entry.is_dir() or any(part in entry.filename for part in IGNORED_ENTRIES):
            continue
        if entry.flag_bits & 0x1:
            raise ImportFileError(_("That zip is encrypted: export it again without a password."))
        if entry.compress_type not in READABLE_METHODS:
            raise ImportFileError(
                _(
                    "%(name)s in that zip is packed in a way Marquee does not read: "
                    "upload the export as Letterboxd sent it.",
                    name=entry.filename[:80],
                )
            )
        if entry.filename.lower().endswith(".csv"):
            wanted.append(entry)
    if not wanted:
        raise ImportFileError(
            _("That zip holds no CSV files: upload the export Letterboxd sends (a zip of CSVs).")
        )
    budget = min(max_bytes * 4, max(len(content) * MAX_RATIO, 1024 * 1024))
    prefix = _common_folder([entry.filename for entry in wanted])
    files, newest = [], None
    for entry in wanted:
        data = _inflate(archive, entry, budget)
        budget -= len(data)
        files.append(_parse_csv(entry.filename[len(prefix) :], data))
        stamp = _entry_time(entry)
        newest = stamp if newest is None or (stamp and stamp > newest) else newest
    return Upload(files, _date_in_name(filename) or newest)


def _check_path(name: str) -> None:
    """Refuse absolute paths and `..`: an entry must stay inside the export."""
    cleaned = name.replace("\\", "/")
    if cleaned.startswith("/") or _DRIVE.match(cleaned) or ".." in cleaned.split("/"):
        raise ImportFileError(
            _(
                "That zip holds a file with an unsafe path (%(name)s): it was not read.",
                name=name[:80],
            )
        )


def _inflate(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, budget: int) -> bytes:
    """An entry's bytes, stopped as soon as they pass what is left of the budget."""
    out = bytearray()
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(CHUNK):
                out += chunk
                if len(out) > budget:
                    raise ImportFileError(
                        _(
                            "That zip expands to far more than an export could hold: "
                            "it was not read."
                        )
                    )
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
        raise ImportFileError(
            _(
                "%(name)s in that zip cannot be read (%(error)s).",
                name=entry.filename,
                error=error,
            )
        ) from None
    return bytes(out)


def _common_folder(names: list[str]) -> str:
    """The one top folder every entry sits in ("letterboxd-ana-…/"), else ""."""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1 and all("/" in name for name in names):
        top = tops.pop()
        # A zip of lists/ alone keeps the folder: it says what the files are.
        return "" if top.casefold() in EXPORT_FOLDERS else top + "/"
    return ""


def _entry_time(entry: zipfile.ZipInfo) -> datetime | None:
    try:
        return datetime(*entry.date_time, tzinfo=UTC)
    except ValueError:
        return None


def _date_in_name(filename: str) -> datetime | None:
    """The export time Letterboxd writes in the zip's name, if it is there."""
    match = _LETTERBOXD_NAME.search(filename)
    if not match:
        return None
    try:
        return datetime(*(int(part) for part in match.groups()), tzinfo=UTC)
    except ValueError:
        return None


def _looks_like_text(content: bytes) -> bool:
    head = content[:4096]
    return b"\x00" not in head and (b"," in head or b"\n" in head or b";" in head)


def _parse_csv(name: str, content: bytes) -> ExportFile:
    """A CSV's rows, with a BOM dropped and a clear error for text that is not UTF-8."""
    if content.startswith(codecs.BOM_UTF8):
        content = content[len(codecs.BOM_UTF8) :]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise ImportFileError(
            _(
                "%(name)s is not UTF-8 text (an unreadable byte on line %(line)s): "
                "export it again, or save it as UTF-8.",
                name=name,
                line=format_decimal(line),
            )
        ) from None
    if "\x00" in text:
        raise ImportFileError(
            _("%(name)s holds NUL bytes, so it is no text export: export it again.", name=name)
        )
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ImportFileError(
            _("%(name)s is not a well-formed CSV (%(error)s).", name=name, error=error)
        ) from None
    return ExportFile(name, rows)
