"""TMDB keywords: the topics a movie is tagged with, used to find similar movies."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from ..infra.db import db

movie_keywords = Table(
    "movie_keywords",
    db.metadata,
    Column("movie_id", ForeignKey("movies.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "keyword_id", ForeignKey("keywords.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Keyword(db.Model):
    """A keyword such as "heist" or "based on novel"."""

    __tablename__ = "keywords"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a keyword an editor added by hand.
    tmdb_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"<Keyword {self.name!r}>"
