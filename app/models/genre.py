"""Genres, shared by movies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..infra.db import db
from .localized import Translated
from .mixins import TimestampMixin
from .text import text_in_reading_order

if TYPE_CHECKING:
    from .movie import Movie
    from .text import GeneratedText


class Genre(Translated, TimestampMixin, db.Model):
    """A movie genre, such as Drama or Science Fiction."""

    __tablename__ = "genres"

    id: Mapped[int] = mapped_column(primary_key=True)
    tmdb_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # Hand edits move it by one; a save made from an older version is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)

    movies: Mapped[list[Movie]] = relationship(
        secondary="movie_genres", back_populates="genres", viewonly=True
    )
    # One per catalog language at most: the describe stage's, or an editor's.
    generated_texts: Mapped[list[GeneratedText]] = relationship(
        back_populates="genre", cascade="all, delete-orphan"
    )

    @property
    def local_name(self) -> str:
        """The genre's name in the reader's language (TMDB's list for it), else the catalog's."""
        return self.localized("name").text

    @property
    def generated_text(self) -> GeneratedText | None:
        """The description in the reader's language, else the catalog's."""
        return text_in_reading_order(self.generated_texts)

    @property
    def description(self) -> str | None:
        """The genre's description; TMDB has none, so it is generated or written by an editor."""
        return self.generated_text.body if self.generated_text else None

    def __repr__(self) -> str:
        return f"<Genre {self.slug}>"
