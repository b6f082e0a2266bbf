"""People who make movies: cast and crew."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, Enum, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..infra.db import db
from .localized import LocalText, Translated
from .mixins import TimestampMixin
from .slugs import slugify
from .text import text_in_reading_order
from .types import UTCDateTime

if TYPE_CHECKING:
    from .credit import Credit
    from .text import GeneratedText


class Gender(enum.Enum):
    """TMDB's gender codes, by name."""

    unknown = 0
    female = 1
    male = 2
    non_binary = 3


class Person(Translated, TimestampMixin, db.Model):
    """An actor or crew member."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    tmdb_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    imdb_id: Mapped[str | None] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    biography: Mapped[str | None] = mapped_column(Text)
    birthday: Mapped[date | None] = mapped_column(Date)
    deathday: Mapped[date | None] = mapped_column(Date)
    place_of_birth: Mapped[str | None] = mapped_column(String(300))
    gender: Mapped[Gender] = mapped_column(
        Enum(Gender, native_enum=False, length=16, validate_strings=True),
        default=Gender.unknown,
    )
    known_for_department: Mapped[str | None] = mapped_column(String(60), index=True)
    popularity: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    profile_path: Mapped[str | None] = mapped_column(String(200))
    # Hand edits move it by one; a save made from an older version is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Hidden people (TMDB deleted them) leave lists and search; their credits stay.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # When TMDB's record was last fetched; None for people known only from credits.
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    credits: Mapped[list[Credit]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )
    # One per catalog language at most (the describe stage writes them).
    generated_texts: Mapped[list[GeneratedText]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def local_biography(self) -> LocalText:
        """TMDB's biography in the reader's language, else the catalog's (with its language)."""
        return self.localized("biography")

    @property
    def generated_text(self) -> GeneratedText | None:
        """The generated biography in the reader's language, else the catalog's."""
        return text_in_reading_order(self.generated_texts)

    @property
    def slug(self) -> str:
        """URL slug made from the name."""
        return slugify(self.name)

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.name!r}>"
