"""The catalog's revision: what HTTP validators and cached fragments are keyed on.

Anything that changes what an anonymous visitor sees on a catalog page (a
seed load, generated texts, a review, a reviewer's name) calls `bump()` in
the same transaction, as its last statement: the row lock it takes is then
held only until the commit. Pages read the revision once per request; the
number goes into ETags and fragment cache keys, so every process (and a
shared Redis) drops stale copies at once without being told.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import current_app, g
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..infra.cache import cache
from ..infra.db import db
from ..models import Movie, Revision
from ..models.mixins import utcnow

CATALOG = "catalog"
# How many movies are hidden, kept beside the revision so lists skip the hidden-movie
# filter (which costs every row of a long index walk a lookup) while there are none.
HIDDEN_MOVIES = "hidden_movies"
_NEVER = datetime(2000, 1, 1, tzinfo=UTC)

Function = TypeVar("Function", bound=Callable[..., Any])


@dataclass(frozen=True)
class Stamp:
    """The revision number and when it last moved."""

    number: int
    changed_at: datetime
    hidden_movies: int = 0


def current() -> Stamp:
    """The catalog's revision, read once per request (or CLI command)."""
    stamp = g.get("catalog_revision")
    if stamp is None:
        rows = {
            row.name: row
            for row in db.session.execute(
                select(Revision.name, Revision.number, Revision.changed_at).where(
                    Revision.name.in_((CATALOG, HIDDEN_MOVIES))
                )
            )
        }
        catalog = rows.get(CATALOG)
        hidden = rows[HIDDEN_MOVIES].number if HIDDEN_MOVIES in rows else 0
        stamp = Stamp(catalog.number, catalog.changed_at, hidden) if catalog else Stamp(0, _NEVER)
        g.catalog_revision = stamp
    return stamp


def recount_hidden_movies() -> None:
    """Count the hidden movies again (after a hide or unhide; the caller bumps the revision).

    The row is locked before counting, so of two editors hiding and showing
    movies at once, the second counts after the first commits (PostgreSQL
    reads each statement afresh), and the number is never 0 while one is hidden.
    """
    row = db.session.execute(
        select(Revision.name).where(Revision.name == HIDDEN_MOVIES).with_for_update()
    ).one_or_none()
    count = (
        db.session.scalar(
            select(func.count()).select_from(Movie).where(Movie.hidden_at.is_not(None))
        )
        or 0
    )
    if row is None:
        db.session.add(Revision(name=HIDDEN_MOVIES, number=count, changed_at=utcnow()))
    else:
        db.session.execute(
            update(Revision)
            .where(Revision.name == HIDDEN_MOVIES)
            .values(number=count, changed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    g.pop("catalog_revision", None)


def bump(session: Session | None = None) -> None:
    """Mark catalog pages and fragments stale; the caller commits."""
    session = session or db.session
    now = utcnow()
    moved = session.execute(
        update(Revision)
        .where(Revision.name == CATALOG)
        .values(number=Revision.number + 1, changed_at=now)
        .execution_options(synchronize_session=False)
    )
    if not moved.rowcount:
        session.add(Revision(name=CATALOG, number=1, changed_at=now))
        session.flush()
    g.pop("catalog_revision", None)


def cached(function: Function) -> Function:
    """Memoize in the app cache (Redis when configured) until the revision moves.

    The release is part of the key too: during a rolling deploy, what older code
    kept (a value of another shape) is never read by the new.
    """
    return cache.memoize(make_name=lambda name: f"{name}@{_release()}@{current().number}")(function)


def _release() -> str:
    return current_app.extensions["release"][0]
