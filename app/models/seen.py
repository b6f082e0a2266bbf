"""Movies a member has seen without saying when (Letterboxd's "watched")."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..infra.db import db
from .mixins import utcnow
from .types import UTCDateTime

if TYPE_CHECKING:
    from .movie import Movie
    from .user import User


class SeenMovie(db.Model):
    """One movie one member marked seen; the diary holds the dated viewings."""

    __tablename__ = "seen_movies"
    __table_args__ = (
        Index("uq_seen_movies_user_id_movie_id", "user_id", "movie_id", unique=True),
        Index("ix_seen_movies_movie_id", "movie_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    movie_id: Mapped[int] = mapped_column(ForeignKey("movies.id", ondelete="CASCADE"))
    # The day it was marked seen, where the source says (Letterboxd's Date column).
    marked_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    movie: Mapped[Movie] = relationship()

    def __repr__(self) -> str:
        return f"<SeenMovie user={self.user_id} movie={self.movie_id}>"
