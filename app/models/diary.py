"""The watched diary: which movie a user watched on which day (rewatches too)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Index, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..infra.db import db
from .mixins import utcnow
from .types import UTCDateTime

if TYPE_CHECKING:
    from .movie import Movie
    from .user import User


class DiaryEntry(db.Model):
    """One viewing of a movie by a user, on a day."""

    __tablename__ = "diary_entries"
    __table_args__ = (
        Index("ix_diary_entries_user_watched", "user_id", "watched_on", "id"),
        Index("ix_diary_entries_movie_id", "movie_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    movie_id: Mapped[int] = mapped_column(ForeignKey("movies.id", ondelete="CASCADE"))
    watched_on: Mapped[date] = mapped_column(Date)
    # What the member gave the film that day (1–10), as Letterboxd diaries keep it.
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rewatch: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="diary")
    movie: Mapped[Movie] = relationship()

    def __repr__(self) -> str:
        return f"<DiaryEntry user={self.user_id} movie={self.movie_id} on={self.watched_on}>"
