"""Importing a member's history from Letterboxd or IMDb, and the review queue of rows left.

`start` checks and stores the upload and queues the job (runner.run_import);
the job reads every row, matches it to a film (matching.py) and writes it
(writer.py). Rows no film was sure for wait in the member's review queue,
grouped by film, until the member picks one or skips them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ... import jobs
from ...infra.db import db
from ...infra.templating import format_date
from ...models import Credit, Import, ImportRow, Job, Movie, Person, RowKind, RowStatus, User
from .. import catalog
from ..errors import NotFoundError, ServiceError
from ..numbers import format_decimal
from ..paging import Page, clamp
from . import runner
from .files import ImportFileError
from .writer import LibraryWriter

__all__ = ["ImportFileError", "QueueError", "start"]

IMPORT_JOB = "app.services.imports.runner.run_import"
LOOKUP_JOB = "seeder.jobs.find_for_import"
QUEUE_PER_PAGE = 10
RECENT = 10


class QueueError(ServiceError):
    """A queued row cannot be resolved as asked."""


class ImportNotFoundError(NotFoundError):
    """No import of this member has that id."""


class ImportBusyError(ImportFileError):
    """The member's last import is still running: one at a time."""


def subject_of(user: User) -> str:
    """The jobs' subject for a member's imports: one runs at a time."""
    return f"imports:{user.id}"


def start(*, user: User, filename: str, content: bytes) -> Import:
    """Check the upload, keep it, and queue its import; ImportFileError when it cannot be read."""
    running = jobs.active_for(subject_of(user))
    if running is not None:
        raise ImportBusyError(
            _(
                "Your last import is still running (or looking for its films on TMDB): wait for "
                "it to finish, then upload the next."
            )
        )
    runner.read_upload(filename, content)
    imported = Import(user=user, filename=_clean_name(filename), size=len(content), upload=content)
    db.session.add(imported)
    db.session.flush()
    imported.job = jobs.enqueue(
        IMPORT_JOB,
        label=_("Import %(filename)s", filename=imported.filename),
        arguments={"import_id": imported.id},
        user=user,
        subject=subject_of(user),
    )
    return imported


def _clean_name(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (name or "upload")[:255]


def get_own(user: User, import_id: int) -> Import:
    """One of the member's imports; anyone else's is not found (admins use the CLI)."""
    imported = db.session.get(Import, import_id)
    if imported is None or imported.user_id != user.id:
        raise ImportNotFoundError(_("You have no such import."))
    return imported


def recent(user: User) -> list[Import]:
    """The member's latest imports, newest first, with their jobs."""
    query = (
        select(Import)
        .where(Import.user_id == user.id)
        .order_by(Import.id.desc())
        .limit(RECENT)
        .options(selectinload(Import.job))
    )
    return list(db.session.scalars(query))


def counts_of_each(imported: list[Import]) -> dict[int, Counter[RowStatus]]:
    """counts() for several imports at once, in one query."""
    tally: dict[int, Counter[RowStatus]] = {each.id: Counter() for each in imported}
    if not tally:
        return tally
    query = (
        select(ImportRow.import_id, ImportRow.status, func.count())
        .where(ImportRow.import_id.in_(tally))
        .group_by(ImportRow.import_id, ImportRow.status)
    )
    for import_id, status, count in db.session.execute(query):
        tally[import_id][status] = count
    return tally


def counts(imported: Import) -> Counter[RowStatus]:
    """How many of the import's rows are in each state, in one query."""
    query = (
        select(ImportRow.status, func.count())
        .where(ImportRow.import_id == imported.id)
        .group_by(ImportRow.status)
    )
    return Counter({status: count for status, count in db.session.execute(query)})


def counts_by_kind(imported: Import) -> dict[RowKind, Counter[RowStatus]]:
    """The same, for each kind of row (ratings, diary, …), in one query."""
    query = (
        select(ImportRow.kind, ImportRow.status, func.count())
        .where(ImportRow.import_id == imported.id)
        .group_by(ImportRow.kind, ImportRow.status)
    )
    table: dict[RowKind, Counter[RowStatus]] = {}
    for kind, status, count in db.session.execute(query):
        table.setdefault(kind, Counter())[status] = count
    return dict(sorted(table.items(), key=lambda item: list(RowKind).index(item[0])))


def summary_lines(imported: Import) -> list[str]:
    """What the import did, in a few sentences (the job's result and the CLI's output)."""
    if imported.error:
        return [_("Nothing was imported: %(error)s", error=imported.error)]
    tally = counts(imported)
    total = sum(tally.values())
    lines = [
        ngettext(
            "Read %(count)s row from %(filename)s.",
            "Read %(count)s rows from %(filename)s.",
            total,
            count=format_decimal(total),
            filename=imported.filename,
        )
    ]
    lines.append(
        _(
            "%(saved)s saved; %(unchanged)s were already in Marquee.",
            saved=format_decimal(tally[RowStatus.saved]),
            unchanged=format_decimal(tally[RowStatus.unchanged]),
        )
    )
    if tally[RowStatus.kept]:
        lines.append(_kept_line(tally[RowStatus.kept], imported.exported_at))
    # The English is the same for one row and many; other languages agree the verb.
    if tally[RowStatus.queued]:
        lines.append(
            ngettext(
                "%(count)s wait in your review queue: pick their films or skip them.",
                "%(count)s wait in your review queue: pick their films or skip them.",
                tally[RowStatus.queued],
                count=format_decimal(tally[RowStatus.queued]),
            )
        )
    if tally[RowStatus.skipped]:
        lines.append(
            ngettext(
                "%(count)s skipped.",
                "%(count)s skipped.",
                tally[RowStatus.skipped],
                count=format_decimal(tally[RowStatus.skipped]),
            )
        )
    if tally[RowStatus.failed]:
        lines.append(
            ngettext(
                "%(count)s could not be imported (each says why).",
                "%(count)s could not be imported (each says why).",
                tally[RowStatus.failed],
                count=format_decimal(tally[RowStatus.failed]),
            )
        )
    return lines + list(imported.notes or [])


def _kept_line(kept: int, exported_at: datetime | None) -> str:
    num = format_decimal(kept)
    if exported_at:
        return ngettext(
            "%(count)s kept as they are: you changed them in Marquee after the export was made "
            "(%(date)s), so the export did not overwrite them.",
            "%(count)s kept as they are: you changed them in Marquee after the export was made "
            "(%(date)s), so the export did not overwrite them.",
            kept,
            count=num,
            date=format_date(exported_at.date()),
        )
    return ngettext(
        "%(count)s kept as they are: you changed them in Marquee after the export was made, "
        "so the export did not overwrite them.",
        "%(count)s kept as they are: you changed them in Marquee after the export was made, "
        "so the export did not overwrite them.",
        kept,
        count=num,
    )


def rows_with(imported: Import, status: RowStatus, *, limit: int = 200) -> list[ImportRow]:
    """The import's rows in one state (failed, kept), in file order, at most `limit`."""
    query = (
        select(ImportRow)
        .where(ImportRow.import_id == imported.id, ImportRow.status == status)
        .order_by(ImportRow.file, ImportRow.line)
        .limit(limit)
    )
    return list(db.session.scalars(query))


@dataclass
class QueueItem:
    """One film the member is asked about: every queued row naming it, and the candidates."""

    rows: list[ImportRow]
    candidates: list[Movie] = field(default_factory=list)
    directors: dict[int, list[str]] = field(default_factory=dict)

    @property
    def first(self) -> ImportRow:
        """The row the item is known by (its id is in the item's URLs)."""
        return self.rows[0]


def queue(imported: Import, *, page: int = 1) -> Page[QueueItem]:
    """A page of the import's review queue: one item per film, with its best candidates."""
    queued = (ImportRow.import_id == imported.id) & (ImportRow.status == RowStatus.queued)
    total = (
        db.session.scalar(select(func.count(func.distinct(ImportRow.group_key))).where(queued)) or 0
    )
    page = clamp(page, total=total, per_page=QUEUE_PER_PAGE)
    keys = list(
        db.session.scalars(
            select(ImportRow.group_key)
            .where(queued)
            .group_by(ImportRow.group_key)
            .order_by(func.min(ImportRow.id))
            .limit(QUEUE_PER_PAGE)
            .offset((page - 1) * QUEUE_PER_PAGE)
        )
    )
    rows = db.session.scalars(
        select(ImportRow).where(queued, ImportRow.group_key.in_(keys)).order_by(ImportRow.id)
    ).all()
    items = {key: QueueItem(rows=[]) for key in keys}
    for row in rows:
        items[row.group_key].rows.append(row)
    _add_candidates(list(items.values()))
    return Page(items=list(items.values()), page=page, per_page=QUEUE_PER_PAGE, total=total)


def running_job(imported: Import) -> Job | None:
    """The import's job, or its look-up on TMDB, while it is still going."""
    return next(
        (job for job in (imported.job, imported.lookup_job) if job is not None and job.is_active),
        None,
    )


def queue_item(imported: Import, row_id: int) -> QueueItem:
    """The queue item a row belongs to; QueueError when it is not waiting any more."""
    row = db.session.get(ImportRow, row_id)
    if row is None or row.import_id != imported.id:
        raise ImportNotFoundError(_("That row is not part of this import."))
    if row.status is not RowStatus.queued:
        raise QueueError(_("“%(title)s” is not waiting for review any more.", title=row.title))
    rows = db.session.scalars(
        select(ImportRow)
        .where(
            ImportRow.import_id == imported.id,
            ImportRow.status == RowStatus.queued,
            ImportRow.group_key == row.group_key,
        )
        .order_by(ImportRow.id)
    ).all()
    item = QueueItem(rows=list(rows))
    _add_candidates([item])
    return item


def _add_candidates(items: list[QueueItem]) -> None:
    """Load every item's candidate films and their directors, in two queries."""
    ids = {movie_id for item in items for movie_id in item.first.candidates}
    query = select(Movie).where(Movie.id.in_(ids))
    movies = {movie.id: movie for movie in db.session.scalars(query)}
    directors = directors_of(ids)
    for item in items:
        item.candidates = [movies[i] for i in item.first.candidates if i in movies]
        item.directors = directors


def directors_of(movie_ids: set[int]) -> dict[int, list[str]]:
    """Each film's directors' names, in one query."""
    if not movie_ids:
        return {}
    query = (
        select(Credit.movie_id, Person.name)
        .join(Person, Person.id == Credit.person_id)
        .where(Credit.movie_id.in_(movie_ids), Credit.job.in_(catalog.DIRECTING_JOBS))
        .order_by(Credit.movie_id, Person.name)
    )
    found: dict[int, list[str]] = {}
    for movie_id, name in db.session.execute(query):
        found.setdefault(movie_id, []).append(name)
    return found


def resolve(imported: Import, *, row_id: int, movie: Movie) -> int:
    """Take `movie` as the film of a queue item and write its rows; return how many."""
    if movie.hidden_at is not None:
        raise QueueError(_("That film is hidden from the catalog: pick another."))
    _not_busy(imported)
    item = queue_item(imported, row_id)
    for row in item.rows:
        row.movie_id = movie.id
        row.method = "picked"
        row.confidence = 1.0
    writer = LibraryWriter(
        imported.user,
        exported_at=imported.exported_at or imported.created_at,
        import_id=imported.id,
    )
    writer.claim_earlier(runner.earlier_diary_rows(imported, {movie.id}))
    writer.write(item.rows)
    writer.finish()
    return len(item.rows)


def _not_busy(imported: Import) -> None:
    if running_job(imported) is not None:
        raise QueueError(
            _(
                "This import is still matching films (or looking for them on TMDB): "
                "try again when it has finished."
            )
        )


@dataclass(frozen=True)
class LookupTarget:
    """A queued film to look for on TMDB: what its rows say about it."""

    group_key: str
    title: str
    year: int | None
    imdb_id: str | None
    original_title: str | None


def lookup_targets(imported: Import, *, limit: int) -> list[LookupTarget]:
    """One target per queued film, in file order, at most `limit`."""
    queued = (ImportRow.import_id == imported.id) & (ImportRow.status == RowStatus.queued)
    firsts = (
        select(func.min(ImportRow.id))
        .where(queued)
        .group_by(ImportRow.group_key)
        .order_by(func.min(ImportRow.id))
        .limit(limit)
    )
    rows = db.session.scalars(select(ImportRow).where(ImportRow.id.in_(firsts))).all()
    return [
        LookupTarget(
            row.group_key, row.title, row.year, row.imdb_id, row.data.get("original_title")
        )
        for row in sorted(rows, key=lambda row: row.id)
    ]


def rematch(imported: Import) -> int:
    """Match the queued rows again, after films were added; return how many left the queue."""
    return runner.rematch(imported)


def skip(imported: Import, *, row_id: int) -> int:
    """Leave a queue item out of the import; return how many rows it had."""
    _not_busy(imported)
    item = queue_item(imported, row_id)
    db.session.execute(
        update(ImportRow)
        .where(ImportRow.id.in_([row.id for row in item.rows]))
        .values(status=RowStatus.skipped, message=_("You skipped it in the review queue."))
        .execution_options(synchronize_session=False)
    )
    return len(item.rows)
