"""Generated texts (descriptions, biographies) and where they came from."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..infra.db import db
from .localized import languages
from .mixins import utcnow
from .types import UTCDateTime

if TYPE_CHECKING:
    from .genre import Genre
    from .movie import Movie
    from .person import Person
    from .user import User


class TextSource(enum.Enum):
    """Who wrote a text: TMDB's editors, an AI model, the offline writer, or one of our editors."""

    tmdb = "tmdb"
    openai = "openai"
    offline = "offline"
    editor = "editor"


class GeneratedText(db.Model):
    """A description of exactly one movie, person, genre or crew job in one language."""

    __tablename__ = "generated_texts"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN movie_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN person_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN genre_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN crew_job IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_subject",
        ),
        UniqueConstraint("movie_id", "language", name="uq_generated_texts_movie_language"),
        UniqueConstraint("person_id", "language", name="uq_generated_texts_person_language"),
        UniqueConstraint("genre_id", "language", name="uq_generated_texts_genre_language"),
        UniqueConstraint("crew_job", "language", name="uq_generated_texts_crew_job_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    movie_id: Mapped[int | None] = mapped_column(ForeignKey("movies.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    genre_id: Mapped[int | None] = mapped_column(ForeignKey("genres.id", ondelete="CASCADE"))
    crew_job: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    source: Mapped[TextSource] = mapped_column(
        Enum(TextSource, native_enum=False, length=16, validate_strings=True)
    )
    model: Mapped[str | None] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(16))
    prompt_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The editor who wrote it by hand (source "editor"); describe never replaces such a text.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    author: Mapped[User | None] = relationship()
    movie: Mapped[Movie | None] = relationship(back_populates="generated_texts")
    person: Mapped[Person | None] = relationship(back_populates="generated_texts")
    genre: Mapped[Genre | None] = relationship(back_populates="generated_texts")

    @property
    def is_ai(self) -> bool:
        """True when an AI model wrote the text, so pages label it."""
        return self.source is TextSource.openai

    @property
    def is_composed(self) -> bool:
        """True when the offline writer composed it from the facts alone."""
        return self.source is TextSource.offline

    @property
    def is_hand_written(self) -> bool:
        """True when an editor wrote the text; describe leaves it alone."""
        return self.source is TextSource.editor

    def __repr__(self) -> str:
        return f"<GeneratedText {self.source.value} {self.model or ''}>"


def text_in_reading_order(texts: Iterable[GeneratedText]) -> GeneratedText | None:
    """Of one subject's texts, the reader's language's, else the catalog's, else any."""
    by_language = {text.language: text for text in texts}
    chosen = languages()
    return (
        by_language.get(chosen.wanted)
        or by_language.get(chosen.main)
        or next(iter(by_language.values()), None)
    )
