"""Ratings and reviews, one per user and movie."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, SmallInteger, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..infra.db import db
from .mixins import TimestampMixin

if TYPE_CHECKING:
    from .movie import Movie
    from .user import User


class Review(TimestampMixin, db.Model):
    """A user's 1–10 rating of a movie, with optional text."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating >= 1 AND rating <= 10", name="rating_range"),
        Index("uq_reviews_user_id_movie_id", "user_id", "movie_id", unique=True),
        Index("ix_reviews_movie_created", "movie_id", "created_at"),
        # The movie page's rating breakdown, read from the index alone.
        Index("ix_reviews_movie_rating", "movie_id", "rating", "recommends"),
        Index("ix_reviews_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    movie_id: Mapped[int] = mapped_column(ForeignKey("movies.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(SmallInteger)
    body: Mapped[str | None] = mapped_column(Text)
    contains_spoilers: Mapped[bool] = mapped_column(Boolean, default=False)
    recommends: Mapped[bool | None] = mapped_column(Boolean)

    user: Mapped[User] = relationship(back_populates="reviews")
    movie: Mapped[Movie] = relationship()

    def __repr__(self) -> str:
        return f"<Review user={self.user_id} movie={self.movie_id} rating={self.rating}>"
