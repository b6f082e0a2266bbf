"""Imports of a member's history from Letterboxd or IMDb: the upload and every row read."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Enum, Float, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..infra.db import db
from .mixins import utcnow
from .types import UTCDateTime

if TYPE_CHECKING:
    from .job import Job
    from .movie import Movie
    from .user import User


class ImportSource(enum.Enum):
    """Whose export the file is."""

    letterboxd = "letterboxd"  # also what Marquee's own export writes
    imdb = "imdb"


class RowKind(enum.Enum):
    """What one row of an export says about one film."""

    rating = "rating"
    review = "review"
    diary = "diary"
    watchlist = "watchlist"
    seen = "seen"
    like = "like"
    list_entry = "list_entry"

    @property
    def label(self) -> str:
        """What a page calls it, in the page's language."""
        labels = {
            RowKind.rating: _("Rating"),
            RowKind.review: _("Review"),
            RowKind.diary: _("Diary"),
            RowKind.watchlist: _("Watchlist"),
            RowKind.seen: _("Seen"),
            RowKind.like: _("Like"),
            RowKind.list_entry: _("List entry"),
        }
        return labels[self]


class RowStatus(enum.Enum):
    """Where a row got to."""

    pending = "pending"  # read, not matched yet
    saved = "saved"  # matched and written
    unchanged = "unchanged"  # matched; Marquee already had it
    kept = "kept"  # matched; the member changed it in Marquee after the export, so it stays
    queued = "queued"  # waiting for the member to pick the film
    skipped = "skipped"  # the member said it is not in the catalog
    failed = "failed"  # the row itself is wrong (a bad date, a rating out of range)


# Lazy: each label is translated when a page shows it (str(label) for a plain string).
ROW_STATUS_LABELS = {
    RowStatus.pending: _l("Not matched yet"),
    RowStatus.saved: _l("Saved"),
    RowStatus.unchanged: _l("Already in Marquee"),
    RowStatus.kept: _l("Kept Marquee's"),
    RowStatus.queued: _l("To review"),
    RowStatus.skipped: _l("Skipped"),
    RowStatus.failed: _l("Not imported"),
}


class Import(db.Model):
    """One upload of an export by a member, and how its import went."""

    __tablename__ = "imports"
    __table_args__ = (Index("ix_imports_user_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    lookup_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    source: Mapped[ImportSource | None] = mapped_column(
        Enum(ImportSource, native_enum=False, length=16, validate_strings=True)
    )
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    # The uploaded bytes until the rows are read from them; a worker on another
    # host reads them from here, and they are dropped once read.
    upload: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    # When the export was made: a row never overwrites what changed after it.
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Problems with the whole file or one of its files ("lists/x.csv has no Name column").
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Set when the file could not be read at all; no row was imported.
    error: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User] = relationship()
    job: Mapped[Job | None] = relationship(foreign_keys=[job_id])
    lookup_job: Mapped[Job | None] = relationship(foreign_keys=[lookup_job_id])

    def __repr__(self) -> str:
        return f"<Import {self.id} {self.filename!r}>"


class ImportRow(db.Model):
    """One row of an export: what it says, which film it matched and what became of it."""

    __tablename__ = "import_rows"
    __table_args__ = (
        Index("ix_import_rows_import_status", "import_id", "status", "group_key"),
        Index("ix_import_rows_movie_id", "movie_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"))
    file: Mapped[str] = mapped_column(String(200))
    line: Mapped[int] = mapped_column(Integer)
    kind: Mapped[RowKind] = mapped_column(
        Enum(RowKind, native_enum=False, length=16, validate_strings=True)
    )
    title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int | None] = mapped_column(Integer)
    imdb_id: Mapped[str | None] = mapped_column(String(16))
    tmdb_id: Mapped[int | None] = mapped_column(Integer)
    # Rows about the same film (normalized title and year) are resolved together.
    group_key: Mapped[str] = mapped_column(String(320))
    # What the row says: rating, dates, rewatch, review text, list and position.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[RowStatus] = mapped_column(
        Enum(RowStatus, native_enum=False, length=16, validate_strings=True),
        default=RowStatus.pending,
    )
    movie_id: Mapped[int | None] = mapped_column(ForeignKey("movies.id", ondelete="SET NULL"))
    # How the film was found ("imdb id", "title and year", "picked") and how sure it is.
    method: Mapped[str | None] = mapped_column(String(40))
    confidence: Mapped[float | None] = mapped_column(Float)
    # The best other films, best first, for the review queue.
    candidates: Mapped[list[int]] = mapped_column(JSON, default=list)
    message: Mapped[str | None] = mapped_column(String(500))

    movie: Mapped[Movie | None] = relationship()

    def __repr__(self) -> str:
        return f"<ImportRow {self.file}:{self.line} {self.kind.value} {self.title!r}>"
