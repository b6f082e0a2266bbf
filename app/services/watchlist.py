"""The watchlist: movies a member means to watch."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..infra.db import db
from ..models import Movie, User, WatchlistEntry
from .errors import NotFoundError
from .paging import Page, clamp


class NotOnWatchlistError(NotFoundError):
    """The movie is not on the member's watchlist."""


def add(user: User, movie: Movie) -> bool:
    """Put a movie on the user's watchlist; False when it was already there."""
    if contains(user, movie):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(WatchlistEntry(user_id=user.id, movie_id=movie.id))
    except IntegrityError:
        # Another request (a double click) added it between the check and the insert.
        return False
    return True


def remove(user: User, movie: Movie) -> bool:
    """Take a movie off the user's watchlist; False when it was not on it."""
    result = db.session.execute(
        delete(WatchlistEntry).where(
            WatchlistEntry.user_id == user.id, WatchlistEntry.movie_id == movie.id
        )
    )
    return bool(result.rowcount)


def contains(user: User, movie: Movie) -> bool:
    """Whether the movie is on the user's watchlist."""
    query = select(WatchlistEntry.id).where(
        WatchlistEntry.user_id == user.id, WatchlistEntry.movie_id == movie.id
    )
    return db.session.scalar(query) is not None


def entry(user: User, movie: Movie) -> WatchlistEntry:
    """The member's watchlist entry for a movie; NotOnWatchlistError when there is none."""
    found = db.session.scalar(
        select(WatchlistEntry)
        .where(WatchlistEntry.user_id == user.id, WatchlistEntry.movie_id == movie.id)
        .options(joinedload(WatchlistEntry.movie))
    )
    if found is None:
        raise NotOnWatchlistError(_("That movie is not on your watchlist."))
    return found


def count(user: User) -> int:
    """How many movies are on the user's watchlist."""
    query = (
        select(func.count()).select_from(WatchlistEntry).where(WatchlistEntry.user_id == user.id)
    )
    return db.session.scalar(query) or 0


def entries(user: User, *, page: int = 1, per_page: int = 24) -> Page[WatchlistEntry]:
    """One page of the user's watchlist with its movies, latest added first."""
    total = count(user)
    page = clamp(page, total=total, per_page=per_page)
    query = (
        select(WatchlistEntry)
        .where(WatchlistEntry.user_id == user.id)
        .options(joinedload(WatchlistEntry.movie))
        .order_by(WatchlistEntry.added_at.desc(), WatchlistEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(items=list(db.session.scalars(query)), page=page, per_page=per_page, total=total)


def movie_ids_query(user: User) -> Select[Any]:
    """A query of the ids of the movies on the user's watchlist, for catalog.list_(within=…)."""
    return select(WatchlistEntry.movie_id).where(WatchlistEntry.user_id == user.id)


def all_movie_ids(user: User) -> set[int]:
    """The ids of every movie on the user's watchlist, in one query."""
    return set(db.session.scalars(movie_ids_query(user)))


def ids_for(user: User, movie_ids: Iterable[int]) -> set[int]:
    """Which of these movies are on the user's watchlist, in one query."""
    wanted = set(movie_ids)
    if not wanted:
        return set()
    query = movie_ids_query(user).where(WatchlistEntry.movie_id.in_(wanted))
    return set(db.session.scalars(query))
