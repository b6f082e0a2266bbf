"""Reading the movie catalog."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..infra.db import db
from ..models import Credit, CreditKind, Genre, Movie, Person


def get(movie_id: int) -> Movie | None:
    """A movie with its genres, or None."""
    return db.session.scalar(
        select(Movie).where(Movie.id == movie_id).options(selectinload(Movie.genres))
    )


def list_(*, page: int = 1, per_page: int = 24) -> Pagination:
    """Movies, most popular first, one page at a time."""
    query = select(Movie).order_by(Movie.popularity.desc(), Movie.id)
    return db.paginate(query, page=page, per_page=per_page, max_per_page=100, error_out=False)


def recently_added(*, limit: int = 12) -> list[Movie]:
    """The newest movies in the catalog."""
    return list(db.session.scalars(select(Movie).order_by(Movie.id.desc()).limit(limit)))


def count() -> int:
    """How many movies the catalog holds."""
    return db.session.scalar(select(func.count()).select_from(Movie)) or 0


def table_counts() -> dict[str, int]:
    """Rows per catalog table, for `flask seed status`."""
    models = {"movies": Movie, "people": Person, "credits": Credit, "genres": Genre}
    return {
        name: db.session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in models.items()
    }


def cast_of(movie: Movie, *, limit: int = 15) -> list[Credit]:
    """The first-billed cast of a movie, with each person loaded."""
    query = (
        select(Credit)
        .where(Credit.movie_id == movie.id, Credit.kind == CreditKind.cast)
        .order_by(Credit.cast_order, Credit.id)
        .options(selectinload(Credit.person))
        .limit(limit)
    )
    return list(db.session.scalars(query))


def genres() -> list[Genre]:
    """Every genre, by name."""
    return list(db.session.scalars(select(Genre).order_by(Genre.name)))
