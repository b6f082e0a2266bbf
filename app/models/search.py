"""The search index: one entry per searchable name (movie titles, people's names)."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..infra.db import db


class SearchEntry(db.Model):
    """A normalized name (lower case, accents removed) pointing at a movie or a person.

    The full-text index over `key` is the backend's own: an FTS5 table on
    SQLite, a GIN tsvector index on PostgreSQL (see the migration and
    app/services/search.py).
    """

    __tablename__ = "search_entries"
    __table_args__ = (
        # (kind, key) leads, so exact and prefix lookups by name use this index.
        Index("uq_search_entries_kind_key_ref_id", "kind", "key", "ref_id", unique=True),
        # Covers the popularity walks (app/services/search.py): no row lookups.
        Index("ix_search_entries_kind_popularity", "kind", "popularity", "key", "ref_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "movie" or "person"
    ref_id: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(300))
    popularity: Mapped[float] = mapped_column(Float, default=0.0)


class LocalSortTitle(db.Model):
    """A movie's title in one of the catalog's other languages, normalized for sorting.

    Lists sorted by title in Portuguese walk this index the way English lists
    walk movies.title: every movie has a row per other catalog language (its
    main title when it has no translation), kept by search.index_movies.
    """

    __tablename__ = "local_sort_titles"
    __table_args__ = (Index("ix_local_sort_titles_language_key", "language", "key", "movie_id"),)

    movie_id: Mapped[int] = mapped_column(
        ForeignKey("movies.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
