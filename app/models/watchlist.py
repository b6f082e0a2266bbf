"""Movies a user wants to watch."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..infra.db import db
from .mixins import utcnow
from .types import UTCDateTime

if TYPE_CHECKING:
    from .movie import Movie
    from .user import User


class WatchlistEntry(db.Model):
    """One movie on one user's watchlist."""

    __tablename__ = "watchlist_entries"
    __table_args__ = (
        Index("uq_watchlist_entries_user_id_movie_id", "user_id", "movie_id", unique=True),
        Index("ix_watchlist_entries_movie_id", "movie_id"),
        Index("ix_watchlist_entries_user_added", "user_id", "added_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    movie_id: Mapped[int] = mapped_column(ForeignKey("movies.id", ondelete="CASCADE"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="watchlist")
    movie: Mapped[Movie] = relationship()

    def __repr__(self) -> str:
        return f"<WatchlistEntry user={self.user_id} movie={self.movie_id}>"
