"""Movies and their genres."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..infra.db import db
from .localized import LocalText, Translated
from .mixins import TimestampMixin, TitledRelease
from .text import text_in_reading_order
from .types import UTCDateTime

if TYPE_CHECKING:
    from .credit import Credit
    from .genre import Genre
    from .keyword import Keyword
    from .text import GeneratedText

movie_genres = Table(
    "movie_genres",
    db.metadata,
    Column("movie_id", ForeignKey("movies.id", ondelete="CASCADE"), primary_key=True),
    Column("genre_id", ForeignKey("genres.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Movie(Translated, TitledRelease, TimestampMixin, db.Model):
    """A film in the catalog, from TMDB or entered locally."""

    __tablename__ = "movies"
    __table_args__ = (
        CheckConstraint("runtime IS NULL OR runtime >= 0", name="runtime_not_negative"),
        CheckConstraint(
            "review_average IS NULL OR (review_average >= 1 AND review_average <= 10)",
            name="review_average_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tmdb_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    imdb_id: Mapped[str | None] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(300), index=True)
    original_title: Mapped[str | None] = mapped_column(String(300))
    # Other titles it goes by (TMDB's alternative titles): searched and matched on imports.
    alternative_titles: Mapped[list[str]] = mapped_column(JSON, default=list)
    original_language: Mapped[str | None] = mapped_column(String(16), index=True)
    tagline: Mapped[str | None] = mapped_column(String(500))
    overview: Mapped[str | None] = mapped_column(Text)
    release_date: Mapped[date | None] = mapped_column(Date, index=True)
    runtime: Mapped[int | None] = mapped_column(Integer, index=True)
    budget: Mapped[int | None] = mapped_column(BigInteger)
    revenue: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str | None] = mapped_column(String(40))
    certification: Mapped[str | None] = mapped_column(String(16))
    popularity: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    vote_average: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    vote_count: Mapped[int] = mapped_column(Integer, default=0)
    poster_path: Mapped[str | None] = mapped_column(String(200))
    backdrop_path: Mapped[str | None] = mapped_column(String(200))
    homepage: Mapped[str | None] = mapped_column(String(500))
    trailer_key: Mapped[str | None] = mapped_column(String(64))
    # Kept with the review in one transaction, so catalog sorts use an index.
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    review_average: Mapped[float | None] = mapped_column(Float, index=True)
    # Hand edits move it by one; a save made from an older version is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Hidden movies leave lists, search and rails; members keep what they logged.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # When TMDB's record was last fetched (a raw reply's time): refresh --stale goes by it.
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    genres: Mapped[list[Genre]] = relationship(
        secondary=movie_genres, back_populates="movies", order_by="Genre.name"
    )
    keywords: Mapped[list[Keyword]] = relationship(
        secondary="movie_keywords", order_by="Keyword.name"
    )
    credits: Mapped[list[Credit]] = relationship(
        back_populates="movie", cascade="all, delete-orphan", passive_deletes=True
    )
    # One per catalog language at most (the describe stage writes them).
    generated_texts: Mapped[list[GeneratedText]] = relationship(
        back_populates="movie", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def local_title(self) -> str:
        """The title in the reader's language, else the catalog's."""
        return self.localized("title").text

    @property
    def local_overview(self) -> LocalText:
        """TMDB's overview in the reader's language, else the catalog's (with its language)."""
        return self.localized("overview")

    @property
    def local_tagline(self) -> LocalText:
        """The tagline in the reader's language, else the catalog's."""
        return self.localized("tagline")

    @property
    def generated_text(self) -> GeneratedText | None:
        """The generated description in the reader's language, else the catalog's."""
        return text_in_reading_order(self.generated_texts)

    def __repr__(self) -> str:
        return f"<Movie {self.id} {self.title!r}>"
