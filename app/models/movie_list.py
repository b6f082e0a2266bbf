"""Members' lists of movies: ranked or not, with a note per entry."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..infra.db import db
from .mixins import TimestampMixin, utcnow
from .types import UTCDateTime

if TYPE_CHECKING:
    from .movie import Movie
    from .user import User


class ListVisibility(enum.Enum):
    """Who may see a list."""

    public = "public"
    unlisted = "unlisted"  # anyone with the link
    private = "private"  # the owner alone


class MovieList(TimestampMixin, db.Model):
    """A member's list: a title, a description and its movies in order."""

    __tablename__ = "movie_lists"
    __table_args__ = (
        Index("ix_movie_lists_user_id", "user_id", "id"),
        # One list per imported source (a Letterboxd list's URL), so importing twice adds none.
        Index("uq_movie_lists_user_id_source", "user_id", "source", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    ranked: Mapped[bool] = mapped_column(Boolean, default=False)
    visibility: Mapped[ListVisibility] = mapped_column(
        Enum(ListVisibility, native_enum=False, length=16, validate_strings=True),
        default=ListVisibility.private,
    )
    # Where an imported list came from (its Letterboxd URL or file), else None.
    source: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship()
    entries: Mapped[list[MovieListEntry]] = relationship(
        back_populates="movie_list",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="MovieListEntry.position",
    )

    def __repr__(self) -> str:
        return f"<MovieList {self.id} {self.title!r}>"


class MovieListEntry(db.Model):
    """One movie on a list, at a position, with the owner's note."""

    __tablename__ = "movie_list_entries"
    __table_args__ = (
        Index("uq_movie_list_entries_list_id_movie_id", "list_id", "movie_id", unique=True),
        Index("ix_movie_list_entries_list_position", "list_id", "position"),
        Index("ix_movie_list_entries_movie_id", "movie_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("movie_lists.id", ondelete="CASCADE"))
    movie_id: Mapped[int] = mapped_column(ForeignKey("movies.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    movie_list: Mapped[MovieList] = relationship(back_populates="entries")
    movie: Mapped[Movie] = relationship()

    def __repr__(self) -> str:
        return f"<MovieListEntry list={self.list_id} movie={self.movie_id} at={self.position}>"
