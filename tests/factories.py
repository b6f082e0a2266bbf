"""Small builders for test data; each flushes so ids exist."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import Text, insert, type_coerce

from app.infra.db import db
from app.models import Credit, CreditKind, Genre, Movie, Person, Role, User
from app.services import accounts

_numbers = itertools.count(1)
PASSWORD = "correct horse battery"


def make_genre(name: str = "Drama", **fields) -> Genre:
    """A genre, by default Drama."""
    genre = Genre(name=name, slug=name.lower().replace(" ", "-"), **fields)
    db.session.add(genre)
    db.session.flush()
    return genre


def make_movie(title: str | None = None, **fields) -> Movie:
    """A movie with a unique TMDB id."""
    number = next(_numbers)
    fields.setdefault("tmdb_id", 100_000 + number)
    fields.setdefault("release_date", date(1999, 10, 15))
    movie = Movie(title=title or f"Movie {number}", **fields)
    db.session.add(movie)
    db.session.flush()
    return movie


def make_person(name: str | None = None, **fields) -> Person:
    """A person with a unique TMDB id."""
    number = next(_numbers)
    fields.setdefault("tmdb_id", 200_000 + number)
    person = Person(name=name or f"Person {number}", **fields)
    db.session.add(person)
    db.session.flush()
    return person


def make_cast_credit(movie: Movie, person: Person, character: str, order: int = 0) -> Credit:
    """A cast credit of `person` in `movie`."""
    credit = Credit(
        movie=movie, person=person, kind=CreditKind.cast, character=character, cast_order=order
    )
    db.session.add(credit)
    db.session.flush()
    return credit


def make_crew_credit(movie: Movie, person: Person, job: str, department: str) -> Credit:
    """A crew credit of `person` in `movie`."""
    credit = Credit(
        movie=movie, person=person, kind=CreditKind.crew, job=job, department=department
    )
    db.session.add(credit)
    db.session.flush()
    return credit


def make_editor(username: str = "eddie") -> User:
    """A registered member with the editor role."""
    user = make_user(username)
    user.role = Role.editor
    db.session.flush()
    return user


def make_admin(username: str = "curator") -> User:
    """A registered member with the admin role."""
    user = make_user(username)
    user.role = Role.admin
    db.session.flush()
    return user


def make_user(username: str = "ana", email: str | None = None, password: str = PASSWORD) -> User:
    """A registered user with a known password."""
    return accounts.create(
        email=email or f"{username.lower()}@example.com", username=username, password=password
    )


def add_users_with_secrets(count: int, *, start: int = 0) -> None:
    """Users user<start>… with a TOTP secret each, encrypted by the app's active key."""
    db.session.add_all(
        User(
            username=f"user{number}",
            email=f"user{number}@example.com",
            password_hash="x",
            totp_secret=f"SECRET{number:05d}",
        )
        for number in range(start, start + count)
    )
    db.session.flush()


def insert_user_with_stored_secret(username: str, stored: str) -> None:
    """A user whose totp_secret column holds `stored` exactly, past the encryption."""
    db.session.execute(
        insert(User).values(
            username=username,
            username_key=username,
            email=f"{username}@example.com",
            password_hash="x",
            totp_secret=type_coerce(stored, Text),
        )
    )
