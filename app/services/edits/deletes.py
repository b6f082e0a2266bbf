"""Deleting what nothing depends on, and hiding movies members have used.

A movie members reviewed, listed or logged is never deleted: it is merged
into another or hidden. Hidden movies leave lists, search and rails, their
page answers 410, and members keep every row they had. A person with credits
and a genre with movies cannot be deleted either; the refusal says what
depends on them and how many.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete as delete_rows
from sqlalchemy import func, select

from ...infra.db import db
from ...models import (
    Credit,
    DiaryEntry,
    Edit,
    EditAction,
    EntityType,
    FieldLock,
    Genre,
    Movie,
    Person,
    Review,
    Role,
    Tombstone,
    User,
    WatchlistEntry,
    movie_genres,
)
from ...models.mixins import utcnow
from .. import revisions, roles, search
from . import history
from .catalog import EditError, claim_version, moved
from .fields import counted_rows
from .history import Change


class DependentsError(EditError):
    """A delete refused because rows depend on the page; `dependents` counts them."""

    def __init__(self, message: str, *, dependents: dict[str, int]) -> None:
        super().__init__(message)
        self.dependents = dependents


def dependents(entity: Movie | Person | Genre) -> dict[str, int]:
    """What would be lost with the page, by kind, leaving out kinds with none."""
    if isinstance(entity, Movie):
        counts = {
            "review": _count(Review.movie_id == entity.id),
            "watchlist entry": _count(WatchlistEntry.movie_id == entity.id),
            "diary entry": _count(DiaryEntry.movie_id == entity.id),
        }
    elif isinstance(entity, Person):
        counts = {"credit": _count(Credit.person_id == entity.id)}
    else:
        counts = {"movie": _count(movie_genres.c.genre_id == entity.id)}
    return {kind: number for kind, number in counts.items() if number}


def _count(condition) -> int:
    return db.session.scalar(select(func.count()).where(condition)) or 0


# dependents()'s kinds, as fields.counted_rows names them.
ROW_KINDS = {
    "review": "reviews",
    "watchlist entry": "watchlist",
    "diary entry": "diary",
    "credit": "credits",
    "movie": "movies",
}


def _counted(kind: str, number: int) -> str:
    return counted_rows(ROW_KINDS[kind], number)


def delete(*, entity: Movie | Person | Genre, editor: User, comment: str | None = None) -> Edit:
    """Delete a page nothing depends on; the history keeps what it held."""
    roles.require(editor, Role.editor)
    found = dependents(entity)
    if found:
        listed = ", ".join(_counted(kind, number) for kind, number in found.items())
        raise DependentsError(_not_deletable(entity, listed), dependents=found)
    entity_type = history.entity_type_of(entity)
    snapshot = {"id": entity.id, "label": history.label_of(entity), "tmdb_id": entity.tmdb_id}
    edit = history.record(
        editor=editor,
        entity=entity,
        action=EditAction.delete,
        comment=comment,
        changes=[Change("deleted", snapshot, None)],
    )
    entity_id = entity.id
    if entity.tmdb_id is not None:
        # The next load must not bring it back.
        db.session.merge(
            Tombstone(entity_type=entity_type, tmdb_id=entity.tmdb_id, new_id=None, edit_id=edit.id)
        )
    db.session.execute(
        delete_rows(FieldLock).where(
            FieldLock.entity_type == entity_type, FieldLock.entity_id == entity_id
        )
    )
    db.session.delete(entity)
    db.session.flush()
    if entity_type is EntityType.movie:
        search.index_movies([entity_id])
    elif entity_type is EntityType.person:
        search.index_people([entity_id])
    revisions.bump()
    return edit


def _not_deletable(entity: Movie | Person | Genre, listed: str) -> str:
    """Why a page cannot be deleted, and what to do instead."""
    if isinstance(entity, Movie):
        return _(
            "It cannot be deleted: %(listed)s depend on it. You can merge it into another "
            "movie or hide it instead.",
            listed=listed,
        )
    if isinstance(entity, Person):
        return _(
            "It cannot be deleted: %(listed)s depend on it. You can merge them into someone "
            "else, or remove the credits first.",
            listed=listed,
        )
    return _(
        "It cannot be deleted: %(listed)s depend on it. You can take the movies out of it first.",
        listed=listed,
    )


def hide(*, movie: Movie, editor: User, version: int, comment: str | None = None) -> Edit:
    """Take a movie out of lists, search and rails; members keep their reviews and lists."""
    roles.require(editor, Role.editor)
    if movie.hidden_at is not None:
        raise EditError(_("That movie is hidden already."))
    claim_version(movie, version)
    movie.hidden_at = utcnow()
    return _record_visibility(movie, editor, EditAction.hide, comment)


def unhide(*, movie: Movie, editor: User, version: int, comment: str | None = None) -> Edit:
    """Put a hidden movie back in lists, search and rails."""
    return _show_again(movie, editor, version, comment)


def hide_gone_upstream(entity: Movie | Person) -> Edit | None:
    """Hide a movie or person TMDB now answers 404 for (a sync found it); None if hidden already.

    Never deleted: members keep their rows, credits stay, and an editor can show it again.
    """
    if entity.hidden_at is not None:
        return None
    claim_version(entity, entity.version)
    entity.hidden_at = utcnow()
    if isinstance(entity, Movie):
        comment = _("TMDB no longer has this movie (it answers 404).")
    else:
        comment = _("TMDB no longer has this person (it answers 404).")
    return _record_visibility(entity, None, EditAction.hide, comment)


def unhide_person(
    *, person: Person, editor: User, version: int, comment: str | None = None
) -> Edit:
    """Put a hidden person back in lists and search."""
    return _show_again(person, editor, version, comment)


def _show_again(entity: Movie | Person, editor: User, version: int, comment: str | None) -> Edit:
    roles.require(editor, Role.editor)
    if entity.hidden_at is None:
        if isinstance(entity, Movie):
            raise EditError(_("That movie is not hidden."))
        raise EditError(_("That person is not hidden."))
    claim_version(entity, version)
    entity.hidden_at = None
    return _record_visibility(entity, editor, EditAction.unhide, comment)


def _record_visibility(
    entity: Movie | Person, editor: User | None, action: EditAction, comment
) -> Edit:
    db.session.flush()
    if isinstance(entity, Movie):
        revisions.recount_hidden_movies()
    hidden = action is EditAction.hide
    edit = history.record(
        editor=editor,
        entity=entity,
        action=action,
        comment=comment,
        changes=[Change("hidden", not hidden, hidden)],
    )
    moved(entity)
    return edit
