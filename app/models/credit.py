"""Credits: who played or worked on which movie."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..infra.db import db

if TYPE_CHECKING:
    from .movie import Movie
    from .person import Person


class CreditKind(enum.Enum):
    """Whether a credit is on screen (cast) or behind the camera (crew)."""

    cast = "cast"
    crew = "crew"


class Credit(db.Model):
    """One person's part in one movie: a character, or a crew job."""

    __tablename__ = "credits"
    __table_args__ = (
        Index("ix_credits_movie_kind_order", "movie_id", "kind", "cast_order"),
        Index("ix_credits_person_kind", "person_id", "kind"),
        # A crew job's page: who holds the job most often. Crew only: cast rows (most
        # of a catalog) have no job, and a load then skips this index for them.
        Index(
            "ix_credits_job_person",
            "job",
            "person_id",
            sqlite_where=text("job IS NOT NULL"),
            postgresql_where=text("job IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # TMDB's credit_id, so reloading a movie updates its credits in place.
    tmdb_credit_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    movie_id: Mapped[int] = mapped_column(ForeignKey("movies.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[CreditKind] = mapped_column(
        Enum(CreditKind, native_enum=False, length=8, validate_strings=True)
    )
    character: Mapped[str | None] = mapped_column(String(500))
    cast_order: Mapped[int | None] = mapped_column(Integer)
    department: Mapped[str | None] = mapped_column(String(60))
    job: Mapped[str | None] = mapped_column(String(100))

    movie: Mapped[Movie] = relationship(back_populates="credits")
    person: Mapped[Person] = relationship(back_populates="credits")

    def __repr__(self) -> str:
        part = self.character if self.kind is CreditKind.cast else self.job
        return f"<Credit {self.kind.value} movie={self.movie_id} person={self.person_id} {part!r}>"
