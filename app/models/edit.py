"""The catalog's history: every hand edit, the fields it locked, and where merged pages went."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..infra.db import db
from .mixins import utcnow
from .types import UTCDateTime

if TYPE_CHECKING:
    from .user import User


class EntityType(enum.Enum):
    """What an edit changed: a movie, a person, a genre or a crew job's description."""

    movie = "movie"
    person = "person"
    genre = "genre"
    job = "job"


class EditAction(enum.Enum):
    """The kind of change one edit made."""

    create = "create"
    update = "update"
    credits = "credits"
    revert = "revert"
    accept = "accept"  # took TMDB's value for a locked field
    unlock = "unlock"
    merge = "merge"
    unmerge = "unmerge"
    hide = "hide"
    unhide = "unhide"
    delete = "delete"


def _enum(kind: type[enum.Enum]) -> Enum:
    return Enum(kind, native_enum=False, length=16, validate_strings=True)


class Edit(db.Model):
    """One save by one editor: who, when, what, why; its field changes are `changes`.

    `entity_id` names a movie, person or genre; a crew job has no row of its
    own, so `entity_key` holds its name. The entity's id stays here after a
    merge or a delete, so its history can still be read.
    """

    __tablename__ = "edits"
    __table_args__ = (
        Index("ix_edits_entity", "entity_type", "entity_id", "id"),
        Index("ix_edits_user_id", "user_id", "id"),
        Index("ix_edits_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    entity_type: Mapped[EntityType] = mapped_column(_enum(EntityType))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    entity_key: Mapped[str | None] = mapped_column(String(100))
    # The title or name when the edit was made: lists of edits read without a join.
    entity_label: Mapped[str] = mapped_column(String(300))
    action: Mapped[EditAction] = mapped_column(_enum(EditAction))
    comment: Mapped[str | None] = mapped_column(String(500))
    # The entity's version after this edit (optimistic locking; see services.edits).
    version: Mapped[int | None] = mapped_column(Integer)
    reverts_id: Mapped[int | None] = mapped_column(ForeignKey("edits.id", ondelete="SET NULL"))

    user: Mapped[User | None] = relationship()
    changes: Mapped[list[EditChange]] = relationship(
        back_populates="edit",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="EditChange.id",
    )

    def __repr__(self) -> str:
        return f"<Edit {self.id} {self.action.value} {self.entity_type.value} {self.entity_id}>"


class EditChange(db.Model):
    """One field's old and new value within an edit; a credit's row for credit changes.

    Values are JSON: dates as ISO strings, enums by name, genres and keywords
    as lists of {"id", "name"}, a credit as a dict (None when added or removed).
    """

    __tablename__ = "edit_changes"
    __table_args__ = (Index("ix_edit_changes_edit_id", "edit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edit_id: Mapped[int] = mapped_column(ForeignKey("edits.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    # Whether the field was already locked: reverting the change that locked it unlocks it.
    was_locked: Mapped[bool] = mapped_column(Boolean, default=True)

    edit: Mapped[Edit] = relationship(back_populates="changes")

    def __repr__(self) -> str:
        return f"<EditChange {self.field}>"


class FieldLock(db.Model):
    """A field changed by hand: loads and refreshes keep upstream's value here, not in the field.

    `upstream_seen_at` is set once a load has seen the field upstream, so a
    None `upstream_value` then means upstream has no value.
    """

    __tablename__ = "field_locks"
    __table_args__ = (UniqueConstraint("entity_type", "entity_id", "field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[EntityType] = mapped_column(_enum(EntityType))
    entity_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who last wrote the field by hand: a hand-written overview or biography says so.
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    upstream_value: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    upstream_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    locked_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<FieldLock {self.entity_type.value} {self.entity_id} {self.field}>"


class Redirect(db.Model):
    """A merged movie or person: its old URL answers 301 to the survivor."""

    __tablename__ = "redirects"

    entity_type: Mapped[EntityType] = mapped_column(_enum(EntityType), primary_key=True)
    old_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    new_id: Mapped[int] = mapped_column(Integer)
    edit_id: Mapped[int | None] = mapped_column(ForeignKey("edits.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<Redirect {self.entity_type.value} {self.old_id} → {self.new_id}>"


class Tombstone(db.Model):
    """A TMDB id whose page was merged away or deleted by hand: loads do not bring it back.

    For a merge, `new_id` is the survivor, so TMDB's credits of a merged
    person land on the person they were merged into.
    """

    __tablename__ = "tombstones"

    entity_type: Mapped[EntityType] = mapped_column(_enum(EntityType), primary_key=True)
    tmdb_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    new_id: Mapped[int | None] = mapped_column(Integer)
    edit_id: Mapped[int | None] = mapped_column(ForeignKey("edits.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<Tombstone {self.entity_type.value} {self.tmdb_id} → {self.new_id}>"
