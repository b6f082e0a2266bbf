"""Reading the people who make movies."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..infra.db import db
from ..models import Credit, Movie, Person


def get(person_id: int) -> Person | None:
    """A person, or None."""
    return db.session.get(Person, person_id)


def list_(*, page: int = 1, per_page: int = 24) -> Pagination:
    """People, most popular first, one page at a time."""
    query = select(Person).order_by(Person.popularity.desc(), Person.id)
    return db.paginate(query, page=page, per_page=per_page, max_per_page=100, error_out=False)


def filmography(person: Person) -> list[Credit]:
    """A person's credits, newest movie first, with each movie loaded."""
    query = (
        select(Credit)
        .join(Credit.movie)
        .where(Credit.person_id == person.id)
        .order_by(Movie.release_date.desc().nulls_last(), Movie.title)
        .options(selectinload(Credit.movie))
    )
    return list(db.session.scalars(query))
