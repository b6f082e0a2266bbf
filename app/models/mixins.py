"""Columns many models share."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Mapped, mapped_column

from .slugs import slugify
from .types import UTCDateTime


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class TitledRelease:
    """`year` and `slug` for anything with a title and a release date."""

    __slots__ = ()
    title: str
    release_date: date | None

    @property
    def year(self) -> int | None:
        """Release year, if the release date is known."""
        return self.release_date.year if self.release_date else None

    @property
    def slug(self) -> str:
        """URL slug made from the title."""
        return slugify(self.title)


class TimestampMixin:
    """created_at and updated_at, set by the application on insert and update."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
