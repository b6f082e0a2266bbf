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

from flask import g
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..infra.cache import cache
from ..infra.db import db
from ..models import Revision
from ..models.mixins import utcnow

CATALOG = "catalog"
_NEVER = datetime(2000, 1, 1, tzinfo=UTC)

Function = TypeVar("Function", bound=Callable[..., Any])


@dataclass(frozen=True)
class Stamp:
    """The revision number and when it last moved."""

    number: int
    changed_at: datetime


def current() -> Stamp:
    """The catalog's revision, read once per request (or CLI command)."""
    stamp = g.get("catalog_revision")
    if stamp is None:
        row = db.session.execute(
            select(Revision.number, Revision.changed_at).where(Revision.name == CATALOG)
        ).one_or_none()
        stamp = Stamp(row.number, row.changed_at) if row else Stamp(0, _NEVER)
        g.catalog_revision = stamp
    return stamp


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
    """Memoize in the app cache (Redis when configured) until the revision moves."""
    return cache.memoize(make_name=lambda name: f"{name}@{current().number}")(function)
