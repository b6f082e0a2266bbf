"""The watched diary: which movies a member watched, on which day, rewatches included."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from operator import attrgetter

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import exists, extract, func, select
from sqlalchemy.orm import joinedload

from ..infra.db import db
from ..infra.templating import format_date
from ..models import DiaryEntry, Movie, SeenMovie, User
from .errors import NotFoundError, ServiceError
from .paging import Page, clamp

EARLIEST_DAY = date(1870, 1, 1)  # before any film anyone could have watched
# The date is the member's own, and we do not know their time zone: accept any
# day that has begun somewhere on Earth (UTC+14), so no one's today is "future".
AHEAD_OF_UTC = timedelta(hours=14)


class DiaryError(ServiceError):
    """A diary operation was refused."""


class DiaryEntryNotFoundError(NotFoundError):
    """The member has no diary entry with that id."""


def latest_day() -> date:
    """The latest date a viewing can have: today where the day began first."""
    return (datetime.now(UTC) + AHEAD_OF_UTC).date()


def check_watched_on(watched_on: date) -> None:
    """Refuse a viewing date in the future or before films existed."""
    if watched_on > latest_day():
        raise DiaryError(
            _(
                "%(date)s is in the future: pick the day you watched it.",
                date=format_date(watched_on),
            ),
            field="watched_on",
        )
    if watched_on < EARLIEST_DAY:
        raise DiaryError(
            _(
                "%(date)s is before %(year)s: check the year.",
                date=format_date(watched_on),
                year=EARLIEST_DAY.year,
            ),
            field="watched_on",
        )


def log(user: User, movie: Movie, watched_on: date) -> DiaryEntry:
    """Record that the user watched the movie on a day; each rewatch is its own entry."""
    check_watched_on(watched_on)
    entry = DiaryEntry(user_id=user.id, movie_id=movie.id, watched_on=watched_on)
    db.session.add(entry)
    db.session.flush()
    return entry


def delete(user: User, entry_id: int) -> DiaryEntry:
    """Delete one of the user's entries and return it; anyone else's is not found."""
    entry = get_own(user, entry_id)
    db.session.delete(entry)
    db.session.flush()
    return entry


def entries(
    user: User, *, page: int = 1, per_page: int = 24, year: int | None = None
) -> Page[DiaryEntry]:
    """One page of the user's diary with its movies, latest viewing first; `year` narrows it."""
    conditions = [DiaryEntry.user_id == user.id]
    if year is not None:
        conditions += [
            DiaryEntry.watched_on >= date(year, 1, 1),
            DiaryEntry.watched_on <= date(year, 12, 31),
        ]
    total = db.session.scalar(select(func.count()).select_from(DiaryEntry).where(*conditions)) or 0
    page = clamp(page, total=total, per_page=per_page)
    query = (
        select(DiaryEntry)
        .where(*conditions)
        .options(joinedload(DiaryEntry.movie))
        .order_by(DiaryEntry.watched_on.desc(), DiaryEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(items=list(db.session.scalars(query)), page=page, per_page=per_page, total=total)


def entry_count(user: User) -> int:
    """How many viewings the user logged."""
    query = select(func.count()).select_from(DiaryEntry).where(DiaryEntry.user_id == user.id)
    return db.session.scalar(query) or 0


def get_own(user: User, entry_id: int) -> DiaryEntry:
    """One of the user's entries with its movie; anyone else's is not found."""
    entry = db.session.scalar(
        select(DiaryEntry)
        .where(DiaryEntry.id == entry_id, DiaryEntry.user_id == user.id)
        .options(joinedload(DiaryEntry.movie))
    )
    if entry is None:
        raise DiaryEntryNotFoundError(_("You have no such diary entry."))
    return entry


def month(user: User, year: int, month: int) -> list[DiaryEntry]:
    """The user's entries in a month with their movies, newest day first, in one query."""
    if not 1 <= month <= 12 or not EARLIEST_DAY.year <= year <= date.max.year:
        raise DiaryError(_("There is no such month."))
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    query = (
        select(DiaryEntry)
        .where(
            DiaryEntry.user_id == user.id,
            DiaryEntry.watched_on >= first,
            DiaryEntry.watched_on <= last,
        )
        .order_by(DiaryEntry.watched_on.desc(), DiaryEntry.id.desc())
        .options(joinedload(DiaryEntry.movie))
    )
    return list(db.session.scalars(query))


def months(user: User) -> list[tuple[int, int, int]]:
    """(year, month, entries) for every month the user logged something in, newest first."""
    year = extract("year", DiaryEntry.watched_on)
    month_number = extract("month", DiaryEntry.watched_on)
    query = (
        select(year, month_number, func.count())
        .where(DiaryEntry.user_id == user.id)
        .group_by(year, month_number)
        .order_by(year.desc(), month_number.desc())
    )
    # PostgreSQL's EXTRACT answers a numeric; SQLite's an integer.
    return [(int(y), int(m), count) for y, m, count in db.session.execute(query)]


def viewings(user: User, movie: Movie) -> tuple[int, bool]:
    """How many times the member logged the movie, and whether they marked it seen: one query."""
    logged = (
        select(func.count())
        .select_from(DiaryEntry)
        .where(DiaryEntry.user_id == user.id, DiaryEntry.movie_id == movie.id)
        .scalar_subquery()
    )
    marked = exists().where(SeenMovie.user_id == user.id, SeenMovie.movie_id == movie.id)
    times, seen = db.session.execute(select(logged, marked)).one()
    return times or 0, bool(seen)


def forget_seen(user: User, movie: Movie) -> bool:
    """Take back a "seen" mark; False when there was none."""
    result = db.session.execute(
        sa.delete(SeenMovie).where(SeenMovie.user_id == user.id, SeenMovie.movie_id == movie.id)
    )
    return bool(result.rowcount)


def watched_count(user: User, movie: Movie) -> int:
    """How many times the user logged watching the movie."""
    query = (
        select(func.count())
        .select_from(DiaryEntry)
        .where(DiaryEntry.user_id == user.id, DiaryEntry.movie_id == movie.id)
    )
    return db.session.scalar(query) or 0


@dataclass(frozen=True)
class MonthOverview:
    """One month of a member's diary: its days with their entries, and the months around it."""

    shown: date
    days: list[tuple[date, list[DiaryEntry]]]
    months: list[tuple[date, int]]  # (first day, entries) of each month with any, newest first
    older: date | None
    newer: date | None


def month_overview(user: User, shown: date) -> MonthOverview:
    """The user's diary for the month `shown` starts, day by day, and the nearest other months."""
    entries = month(user, shown.year, shown.month)
    days = [(day, list(group)) for day, group in groupby(entries, attrgetter("watched_on"))]
    months_logged = [(date(year, number, 1), count) for year, number, count in months(user)]
    starts = [start for start, _ in months_logged]
    older = next((start for start in starts if start < shown), None)
    newer = next((start for start in reversed(starts) if start > shown), None)
    return MonthOverview(shown, days, months_logged, older, newer)
