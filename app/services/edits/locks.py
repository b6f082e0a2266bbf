"""Field locks: a field changed by hand keeps its value; loads keep upstream's beside it.

This is the one rule every writer of TMDB data follows (`flask seed load`,
and the sync and refresh that run through it): for a locked field, the
loaded value goes to the lock's `upstream_value`, never to the field.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ...infra.db import db
from ...models import EntityType, FieldLock, User
from ...models.mixins import utcnow


def of(entity_type: EntityType, entity_id: int) -> dict[str, FieldLock]:
    """The entity's locked fields by name, with who locked them."""
    locks = db.session.scalars(
        select(FieldLock)
        .where(FieldLock.entity_type == entity_type, FieldLock.entity_id == entity_id)
        .options(joinedload(FieldLock.locked_by))
    )
    return {lock.field: lock for lock in locks}


def lock(
    locks: dict[str, FieldLock], *, entity_type: EntityType, entity_id: int, field: str, by: User
) -> bool:
    """Lock a field an editor just changed; True when it was locked already."""
    existing = locks.get(field)
    if existing is not None:
        existing.locked_by = by
        return True
    locks[field] = FieldLock(
        entity_type=entity_type, entity_id=entity_id, field=field, locked_by=by, locked_at=utcnow()
    )
    db.session.add(locks[field])
    return False


def unlock(locks: dict[str, FieldLock], field: str) -> FieldLock | None:
    """Let a field follow upstream again from the next load; the lock removed, or None."""
    existing = locks.pop(field, None)
    if existing is not None:
        db.session.delete(existing)
    return existing


def authors(entity_type: EntityType, entity_id: int, fields: tuple[str, ...]) -> dict[str, str]:
    """Who last wrote each of these fields by hand (a former member's field reads "an editor")."""
    return {
        name: lock.locked_by.username if lock.locked_by else _("an editor")
        for name, lock in of(entity_type, entity_id).items()
        if name in fields
    }


def for_load(
    session: Session, entity_type: EntityType, entity_ids: Iterable[int]
) -> dict[int, dict[str, FieldLock]]:
    """The locks of a batch of entities a load is about to write, by entity and field."""
    ids = list(entity_ids)
    found: dict[int, dict[str, FieldLock]] = defaultdict(dict)
    for start in range(0, len(ids), 5000):
        for lock_ in session.scalars(
            select(FieldLock).where(
                FieldLock.entity_type == entity_type,
                FieldLock.entity_id.in_(ids[start : start + 5000]),
            )
        ):
            found[lock_.entity_id][lock_.field] = lock_
    return found


def hold_upstream(lock_: FieldLock, value: Any) -> bool:
    """Keep a loaded value (JSON) beside a locked field; True when upstream's value changed."""
    if lock_.upstream_seen_at is not None and lock_.upstream_value == value:
        return False
    lock_.upstream_value = value
    lock_.upstream_seen_at = utcnow()
    return True


def differs(lock_: FieldLock, current: Any) -> bool:
    """Whether upstream (once seen) says something else than the field's hand-made value."""
    return lock_.upstream_seen_at is not None and lock_.upstream_value != current
