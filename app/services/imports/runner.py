"""Running an import: read the upload into rows, then match and write them batch by batch.

The same function runs as a background job (the page) and in the command
line (`flask users import`). It commits after each batch, so the progress
page counts rows as they land and a retried job goes on where it stopped:
rows already written are not pending any more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Protocol

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, insert, select, update

from ... import jobs
from ...infra.db import db
from ...jobs import JobCancelledError, JobProgress, task
from ...models import Import, ImportRow, RowKind, RowStatus
from ...models.mixins import utcnow
from ..numbers import format_decimal
from . import files, imdb, letterboxd, matching
from .rows import Parsed, ParsedRow
from .writer import KIND_ORDER, LibraryWriter

BATCH = matching.BATCH
QUEUED = _l("Several films could be this one, or none: pick it on the review page.")
NOT_FOUND = _l("No film in the catalog matches: search for it on the review page, or skip it.")


class Reporter(Protocol):
    """Where progress goes: a job's progress bar or a terminal line."""

    def start(self, total: int | None, message: str | None = None) -> None: ...

    def advance(self, count: int = 1, message: str | None = None) -> None: ...


class _Quiet:
    def start(self, total: int | None, message: str | None = None) -> None:
        pass

    def advance(self, count: int = 1, message: str | None = None) -> None:
        pass


@task(timeout_seconds=2 * 3600)
def run_import(*, progress: JobProgress, import_id: int) -> list[str]:
    """An uploaded export, imported in the background."""
    from . import summary_lines

    imported = db.session.get(Import, import_id)
    if imported is None:
        return [_("That import was deleted before it ran.")]
    try:
        run(imported, reporter=progress)
    except JobCancelledError:
        _give_up(import_id, _("The import was cancelled; the rows read so far stay as they are."))
        raise
    except Exception:
        _give_up(import_id, _("The import stopped on an error; the operators can see why."))
        raise
    lines = summary_lines(imported)
    if look_up_on_tmdb(imported):
        db.session.commit()
        lines.append(_("The films not found are being looked for on TMDB."))
    return lines


def _give_up(import_id: int, message: str) -> None:
    """Say on the import that it stopped, and drop its upload, whatever was left undone."""
    db.session.rollback()
    imported = db.session.get(Import, import_id)
    if imported is not None:
        imported.error = imported.error or message
        imported.upload = None
        imported.finished_at = utcnow()
        db.session.commit()


def look_up_on_tmdb(imported: Import) -> bool:
    """With a TMDB key, queue the job that looks for the import's queued films there."""
    from .. import refresh
    from . import LOOKUP_JOB, subject_of

    if not refresh.tmdb_configured() or not _count(imported, RowStatus.queued):
        return False
    imported.lookup_job = jobs.enqueue(
        LOOKUP_JOB,
        label=_("Look for the films of %(filename)s on TMDB", filename=imported.filename),
        arguments={"import_id": imported.id},
        user=imported.user,
        subject=subject_of(imported.user),
    )
    return True


def run(imported: Import, *, reporter: Reporter | None = None, commit: bool = True) -> None:
    """Read the upload (once), then match and write every pending row; commit per batch."""
    reporter = reporter or _Quiet()

    def save() -> None:
        if commit:
            db.session.commit()
        else:
            db.session.flush()

    if imported.upload is not None:
        reporter.start(None, _("Reading the file"))
        read_rows(imported)
        save()
    if imported.error is None:
        _match_and_write(imported, reporter, save)
    imported.finished_at = utcnow()
    save()


def read_rows(imported: Import) -> None:
    """Parse the upload into import rows, and drop the upload; a bad file sets `error`."""
    content = imported.upload or b""
    imported.upload = None
    try:
        upload = read_upload(imported.filename, content)
        parsed = parse(upload.files)
    except files.ImportFileError as error:
        imported.error = error.message[:500]
        return
    imported.source = parsed.source
    imported.notes = parsed.notes
    imported.exported_at = upload.exported_at or _newest_day(parsed.rows) or imported.created_at
    _one_review_per_film(parsed.rows)
    rows = sorted(parsed.rows, key=lambda row: (KIND_ORDER.index(row.kind), row.file, row.line))
    values = [_row_values(imported.id, row) for row in rows]
    for start in range(0, len(values), 5000):
        db.session.execute(insert(ImportRow.__table__), values[start : start + 5000])
    if not rows and not imported.notes:
        imported.error = _("That file holds no rows to import.")


def read_upload(filename: str, content: bytes) -> files.Upload:
    """The upload's files, checked: within the size and row limits, and an export we read.

    Cheap enough for the request that uploads it (the rows are split, not parsed),
    so a wrong file is refused on the form rather than in the job.
    """
    config = current_app.config
    upload = files.read(filename, content, max_bytes=config["IMPORT_MAX_MB"] * 1024 * 1024)
    _parser_for(upload.files)
    rows = sum(max(len(file.rows) - 1, 0) for file in upload.files)  # less each header
    if rows > config["IMPORT_MAX_ROWS"]:
        raise files.ImportFileError(
            _(
                "That export holds %(rows)s rows: one import takes at most %(limit)s. "
                "Import its files one at a time.",
                rows=format_decimal(rows),
                limit=format_decimal(config["IMPORT_MAX_ROWS"]),
            )
        )
    return upload


def parse(export_files: list[files.ExportFile]) -> Parsed:
    """The rows of a Letterboxd or IMDb export; ImportFileError when it is neither."""
    return _parser_for(export_files).parse(export_files)


def _parser_for(export_files: list[files.ExportFile]):
    """The module that reads these files (imdb or letterboxd); ImportFileError for neither."""
    for parser in (imdb, letterboxd):
        if parser.recognizes(export_files):
            return parser
    names = ", ".join(file.name for file in export_files[:5])
    raise files.ImportFileError(
        _(
            "That is not a Letterboxd or IMDb export (%(names)s): upload the zip Letterboxd "
            "sends, or IMDb's ratings or watchlist CSV.",
            names=names[:200],
        )
    )


def _newest_day(rows: list[ParsedRow]) -> datetime | None:
    """The end of the latest day the rows mention: the export was made after it."""
    days = [row.data.get("date") or row.data.get("watched_on") for row in rows]
    latest = max((day for day in days if day), default=None)
    if latest is None:
        return None
    return datetime.combine(datetime.fromisoformat(latest).date(), time.max, tzinfo=UTC)


def _one_review_per_film(rows: list[ParsedRow]) -> None:
    """Marquee keeps one review per film: of several, the latest is imported."""
    latest: dict[str, ParsedRow] = {}
    for row in rows:
        if row.kind is not RowKind.review or row.error:
            continue
        key = matching.group_key(_wanted(row))
        current = latest.get(key)
        if current is None or _review_day(row) >= _review_day(current):
            if current is not None:
                current.error = _older_review(row)
            latest[key] = row
        else:
            row.error = _older_review(current)


def _review_day(row: ParsedRow) -> str:
    return row.data.get("watched_on") or row.data.get("date") or ""


def _older_review(newer: ParsedRow) -> str:
    return _(
        "Marquee keeps one review per film: your later review of it "
        "(%(file)s line %(line)s) is the one imported.",
        file=newer.file,
        line=newer.line,
    )


def _wanted(row: ParsedRow | ImportRow) -> matching.Wanted:
    return matching.Wanted(
        title=row.title,
        year=row.year,
        imdb_id=row.imdb_id,
        tmdb_id=row.tmdb_id,
        original_title=row.data.get("original_title"),
    )


def _row_values(import_id: int, row: ParsedRow) -> dict:
    return {
        "import_id": import_id,
        "file": row.file[:200],
        "line": row.line,
        "kind": row.kind,
        "title": row.title[:300] or _("(no title)"),
        "year": row.year,
        "imdb_id": row.imdb_id,
        "tmdb_id": row.tmdb_id,
        "group_key": matching.group_key(_wanted(row))[:320],
        "data": row.data,
        "status": RowStatus.failed if row.error else RowStatus.pending,
        "message": row.error[:500] if row.error else None,
        "candidates": [],
    }


def rematch(imported: Import) -> int:
    """Match the queued rows again (films were added since) and write those now certain.

    Returns how many rows left the queue; the caller commits.
    """
    before = _count(imported, RowStatus.queued)
    _match_and_write(imported, _Quiet(), db.session.flush, status=RowStatus.queued)
    return before - _count(imported, RowStatus.queued)


def _count(imported: Import, status: RowStatus) -> int:
    query = select(func.count()).where(
        ImportRow.import_id == imported.id, ImportRow.status == status
    )
    return db.session.scalar(query) or 0


def _match_and_write(
    imported: Import, reporter: Reporter, save, *, status: RowStatus = RowStatus.pending
) -> None:
    pending = list(
        db.session.scalars(
            select(ImportRow.id)
            .where(ImportRow.import_id == imported.id, ImportRow.status == status)
            .order_by(ImportRow.id)
        )
    )
    reporter.start(
        len(pending),
        ngettext(
            "Matching %(count)s row to films",
            "Matching %(count)s rows to films",
            len(pending),
            count=format_decimal(len(pending)),
        ),
    )
    writer = LibraryWriter(
        imported.user,
        exported_at=imported.exported_at or imported.created_at,
        import_id=imported.id,
    )
    writer.claim_earlier(earlier_diary_rows(imported))
    for start in range(0, len(pending), BATCH):
        rows = _load_rows(pending[start : start + BATCH])
        matched = []
        for row, found in zip(rows, matching.match([_wanted(row) for row in rows]), strict=True):
            row.candidates = found.candidates
            row.confidence = found.confidence
            if found.movie_id is None:
                row.status = RowStatus.queued
                row.message = str(QUEUED if found.candidates else NOT_FOUND)
                continue
            row.movie_id = found.movie_id
            row.method = found.method
            matched.append(row)
        writer.write(matched)
        writer.finish()
        db.session.execute(update(ImportRow), [row.changes() for row in rows])
        save()
        reporter.advance(
            len(rows),
            ngettext(
                "%(done)s of %(count)s row matched",
                "%(done)s of %(count)s rows matched",
                len(pending),
                done=format_decimal(start + len(rows)),
                count=format_decimal(len(pending)),
            ),
        )


@dataclass
class _Row:
    """An import row as matching and writing need it: plain values, written back in bulk.

    Far cheaper than ORM objects for tens of thousands of rows, and the writer
    reads and sets the same attributes on either.
    """

    id: int
    kind: RowKind
    title: str
    year: int | None
    imdb_id: str | None
    tmdb_id: int | None
    data: dict
    status: RowStatus | None = None
    message: str | None = None
    movie_id: int | None = None
    method: str | None = None
    confidence: float | None = None
    candidates: list[int] = field(default_factory=list)

    def changes(self) -> dict:
        """The columns matching and writing set, for a bulk UPDATE by id."""
        return {
            "id": self.id,
            "status": self.status,
            "message": self.message,
            "movie_id": self.movie_id,
            "method": self.method,
            "confidence": self.confidence,
            "candidates": self.candidates,
        }


def _load_rows(ids: list[int]) -> list[_Row]:
    columns = (
        ImportRow.id,
        ImportRow.kind,
        ImportRow.title,
        ImportRow.year,
        ImportRow.imdb_id,
        ImportRow.tmdb_id,
        ImportRow.data,
        ImportRow.status,
    )
    query = select(*columns).where(ImportRow.id.in_(ids)).order_by(ImportRow.id)
    return [_Row(*values) for values in db.session.execute(query)]


def earlier_diary_rows(imported: Import, movie_ids: set[int] | None = None) -> list[ImportRow]:
    """Diary rows of this import already written or found (for LibraryWriter.claim_earlier)."""
    query = select(ImportRow).where(
        ImportRow.import_id == imported.id,
        ImportRow.kind == RowKind.diary,
        ImportRow.status.in_((RowStatus.saved, RowStatus.unchanged)),
    )
    if movie_ids is not None:
        query = query.where(ImportRow.movie_id.in_(movie_ids))
    return list(db.session.scalars(query))
