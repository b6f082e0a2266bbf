"""The catalog's history: recording edits, reading them back by entity or site-wide, diffs."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from ...infra.db import db
from ...models import Edit, EditAction, EditChange, EntityType, Genre, Movie, Person, User
from ...models.mixins import utcnow
from ..paging import Page, clamp
from .fields import field_of, shown

_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Change:
    """One field's change as the history gives it: JSON values before and after."""

    field: str
    old: Any
    new: Any
    was_locked: bool = True


def label_of(entity: Movie | Person | Genre | str) -> str:
    """How the history names an entity: "Title (1999)", a name, or a crew job."""
    if isinstance(entity, Movie):
        return f"{entity.title} ({entity.year})" if entity.year else entity.title
    if isinstance(entity, str):
        return entity
    return entity.name


def entity_type_of(entity: Movie | Person | Genre | str) -> EntityType:
    """The history's name for the kind of entity."""
    if isinstance(entity, Movie):
        return EntityType.movie
    if isinstance(entity, Person):
        return EntityType.person
    if isinstance(entity, Genre):
        return EntityType.genre
    return EntityType.job


def record(
    *,
    editor: User | None,
    entity: Movie | Person | Genre | str,
    action: EditAction,
    changes: Iterable[Change] = (),
    comment: str | None = None,
    reverts: Edit | None = None,
    entity_id: int | None = None,
) -> Edit:
    """Store one edit with its field changes; the entity's version is read after the change."""
    version = getattr(entity, "version", None)
    edit = Edit(
        user=editor,
        created_at=utcnow(),
        entity_type=entity_type_of(entity),
        entity_id=entity_id or getattr(entity, "id", None),
        entity_key=entity if isinstance(entity, str) else None,
        entity_label=label_of(entity)[:300],
        action=action,
        comment=(comment or "").strip()[:500] or None,
        version=version,
        reverts_id=reverts.id if reverts else None,
        changes=[change_row(change) for change in changes],
    )
    db.session.add(edit)
    db.session.flush()
    return edit


def change_row(change: Change) -> EditChange:
    """The stored row of one field's change."""
    return EditChange(
        field=change.field,
        old_value=change.old,
        new_value=change.new,
        was_locked=change.was_locked,
    )


def get(edit_id: int) -> Edit | None:
    """One edit with its changes and editor, or None."""
    return db.session.scalar(
        select(Edit)
        .where(Edit.id == edit_id)
        .options(selectinload(Edit.changes), selectinload(Edit.user))
    )


def _where_entity(entity_type: EntityType, entity_id: int | None, key: str | None) -> list[Any]:
    if entity_type is EntityType.job:
        return [Edit.entity_type == entity_type, Edit.entity_key == key]
    return [Edit.entity_type == entity_type, Edit.entity_id == entity_id]


def of_entity(
    entity_type: EntityType,
    entity_id: int | None = None,
    *,
    key: str | None = None,
    since: datetime | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[EditLine]:
    """One entity's edits, newest first.

    `since` is the entity's creation: SQLite gives a deleted row's id to the
    next row, and that row's history starts with it.
    """
    conditions = _where_entity(entity_type, entity_id, key)
    if since is not None:
        conditions.append(Edit.created_at >= since)
    return _paged(select(Edit.id).where(*conditions), page, per_page)


def since(entity_type: EntityType, entity_id: int, version: int) -> list[Edit]:
    """The edits that moved the entity past `version`, oldest first (what a stale save missed)."""
    ids = db.session.scalars(
        select(Edit.id)
        .where(*_where_entity(entity_type, entity_id, None), Edit.version > version)
        .order_by(Edit.id)
    )
    return _loaded(list(ids))


def after(edit: Edit) -> list[Edit]:
    """The same entity's edits made after `edit`, newest first."""
    ids = db.session.scalars(
        select(Edit.id)
        .where(*_where_entity(edit.entity_type, edit.entity_id, edit.entity_key), Edit.id > edit.id)
        .order_by(Edit.id.desc())
    )
    return _loaded(list(ids))


@dataclass(frozen=True)
class ChangeFilters:
    """What /changes is narrowed to: a kind of entity, one editor, a first day."""

    entity_type: EntityType | None = None
    editor: User | None = None
    since: date | None = None


def recent(
    filters: ChangeFilters | None = None, *, page: int = 1, per_page: int = 50
) -> Page[Edit]:
    """Edits across the catalog, newest first, as filtered."""
    filters = filters or ChangeFilters()
    conditions = []
    if filters.entity_type is not None:
        conditions.append(Edit.entity_type == filters.entity_type)
    if filters.editor is not None:
        conditions.append(Edit.user_id == filters.editor.id)
    if filters.since is not None:
        start = datetime.combine(filters.since, time(), tzinfo=utcnow().tzinfo)
        conditions.append(Edit.created_at >= start)
    return _paged(select(Edit.id).where(*conditions), page, per_page)


@dataclass(frozen=True)
class EditLine:
    """One edit as a history list shows it: plain values, cheap to build fifty at a time."""

    id: int
    created_at: datetime
    username: str | None
    entity_type: EntityType
    entity_id: int | None
    entity_key: str | None
    entity_label: str
    action: EditAction
    comment: str | None
    changes: list[ShownChange]


def _paged(ids_query: Select[Any], page: int, per_page: int) -> Page[EditLine]:
    """A page of edits, newest first: a count, the page's ids, its edits, their changes."""
    total = db.session.scalar(select(func.count()).select_from(ids_query.subquery())) or 0
    page = clamp(page, total=total, per_page=per_page)
    ids = db.session.scalars(
        ids_query.order_by(Edit.id.desc()).limit(per_page).offset((page - 1) * per_page)
    )
    return Page(items=_lines(list(ids)), page=page, per_page=per_page, total=total)


def _lines(ids: list[int]) -> list[EditLine]:
    """Edits by id, in order, as rows (no ORM objects): two queries whatever the count."""
    if not ids:
        return []
    changes: dict[int, list[Any]] = {edit_id: [] for edit_id in ids}
    for row in db.session.execute(
        select(EditChange.edit_id, EditChange.field, EditChange.old_value, EditChange.new_value)
        .where(EditChange.edit_id.in_(ids))
        .order_by(EditChange.id)
    ):
        changes[row.edit_id].append(row)
    rows = db.session.execute(
        select(
            Edit.id,
            Edit.created_at,
            User.username,
            Edit.entity_type,
            Edit.entity_id,
            Edit.entity_key,
            Edit.entity_label,
            Edit.action,
            Edit.comment,
        )
        .outerjoin(User, User.id == Edit.user_id)
        .where(Edit.id.in_(ids))
    )
    lines = {
        row.id: EditLine(
            **row._asdict(),
            changes=[
                _shown(row.entity_type, change.field, change.old_value, change.new_value)
                for change in changes[row.id]
            ],
        )
        for row in rows
    }
    return [lines[edit_id] for edit_id in ids if edit_id in lines]


def _loaded(ids: list[int]) -> list[Edit]:
    """Edits by id, in order, with changes and editors: three queries whatever the count."""
    if not ids:
        return []
    edits = {
        edit.id: edit
        for edit in db.session.scalars(
            select(Edit)
            .where(Edit.id.in_(ids))
            .options(selectinload(Edit.changes), selectinload(Edit.user))
        )
    }
    return [edits[edit_id] for edit_id in ids if edit_id in edits]


@dataclass(frozen=True)
class Segment:
    """A run of words in a diff: kept, removed or added."""

    kind: str  # "same", "removed", "added"
    text: str


def word_diff(old: str | None, new: str | None) -> list[Segment]:
    """The words removed and added between two texts, for the diff view."""
    before, after_ = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=before, b=after_, autojunk=False)
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if operation == "equal":
            segments.append(Segment("same", "".join(before[a_start:a_end])))
            continue
        if a_end > a_start:
            segments.append(Segment("removed", "".join(before[a_start:a_end])))
        if b_end > b_start:
            segments.append(Segment("added", "".join(after_[b_start:b_end])))
    return segments


@dataclass(frozen=True)
class ShownChange:
    """A change ready for a page: the field's label, both values as text, a word diff if long."""

    label: str
    old: str
    new: str
    diff: list[Segment] | None
    long: bool = False


def shown_changes(edit: Edit) -> list[ShownChange]:
    """An edit's changes as its own page shows them, with word diffs of long texts."""
    return [
        _shown(edit.entity_type, change.field, change.old_value, change.new_value, diffs=True)
        for change in edit.changes
    ]


def _shown(
    entity_type: EntityType, name: str, old: Any, new: Any, *, diffs: bool = False
) -> ShownChange:
    field = field_of(entity_type, name)
    long = field.long and bool(old and new)
    return ShownChange(
        label=str(field.label) if name != "credit" else _credit_label(old, new),
        old=shown(field, old),
        new=shown(field, new),
        diff=word_diff(old, new) if long and diffs else None,
        long=long,
    )


def _credit_label(old: Any, new: Any) -> str:
    if old is None:
        return _("Credit added")
    if new is None:
        return _("Credit removed")
    return _("Credit changed")
