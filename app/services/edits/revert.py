"""Reverting: one edit, or everything after a point, back to what it was. A revert is an edit.

A field reverted to its value from before the edit that first locked it
follows TMDB again; a credit removed by the reverted edit comes back with its
old id, so later reverts still find it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...infra.db import db
from ...models import (
    Credit,
    CreditKind,
    Edit,
    EditAction,
    EntityType,
    Genre,
    Movie,
    Person,
    Role,
    User,
)
from .. import roles
from ..errors import NotFoundError
from . import history, locks
from .catalog import (
    Editable,
    EditError,
    claim_version,
    credit_value,
    current_values,
    from_json,
    moved,
    save_fields,
    version_of,
)
from .fields import CREDIT
from .history import Change

REVERTIBLE = (EditAction.update, EditAction.accept, EditAction.revert, EditAction.credits)


def entity_of(edit: Edit) -> Editable:
    """The movie, person, genre or crew job an edit changed; NotFoundError once it is gone."""
    if edit.entity_type is EntityType.job:
        return edit.entity_key or ""
    model = {EntityType.movie: Movie, EntityType.person: Person, EntityType.genre: Genre}[
        edit.entity_type
    ]
    found = db.session.get(model, edit.entity_id)
    # SQLite gives a deleted row's id to the next row: a page made after the edit is another.
    if found is None or found.created_at > edit.created_at:
        raise NotFoundError(_("What this edit changed is no longer in the catalog."))
    return found


def revert(*, edit: Edit, editor: User, comment: str | None = None) -> Edit:
    """Undo one edit, if nothing has changed the same fields since."""
    roles.require(editor, Role.editor)
    _check_revertible([edit])
    entity = entity_of(edit)
    fields = [change for change in edit.changes if change.field != CREDIT]
    current = current_values(entity)
    moved_on = sorted(
        {change.field for change in fields if current.get(change.field) != change.new_value}
    )
    if moved_on:
        names = ", ".join(name.replace("_", " ") for name in moved_on)
        raise EditError(
            _(
                "%(fields)s changed again after this edit: revert the later edit first, "
                "or edit the page by hand.",
                fields=names.capitalize(),
            )
        )
    credit_rows = [
        (change.old_value, change.new_value) for change in edit.changes if change.field == CREDIT
    ]
    return _apply(
        entity,
        editor=editor,
        targets={change.field: change.old_value for change in fields},
        unlock=frozenset(change.field for change in fields if not change.was_locked),
        credit_rows=list(reversed(credit_rows)),
        unlock_credits=any(c.field == CREDIT and not c.was_locked for c in edit.changes),
        reverts=edit,
        comment=comment or _("Reverted change %(id)s", id=edit.id),
    )


def revert_to(*, edit: Edit, editor: User, comment: str | None = None) -> Edit:
    """Put the entity back as it was right after `edit`: every later edit is undone at once."""
    roles.require(editor, Role.editor)
    later = history.after(edit)  # newest first
    if not later:
        raise EditError(_("Nothing was changed after this edit."))
    _check_revertible(later)
    entity = entity_of(edit)
    targets: dict[str, Any] = {}
    unlock: set[str] = set()
    for later_edit in reversed(later):  # oldest first: the first change of a field wins
        for change in later_edit.changes:
            if change.field != CREDIT and change.field not in targets:
                targets[change.field] = change.old_value
                if not change.was_locked:
                    unlock.add(change.field)
    credit_changes = [
        change
        for later_edit in later
        for change in reversed(later_edit.changes)
        if change.field == CREDIT
    ]
    credit_rows = [(change.old_value, change.new_value) for change in credit_changes]
    return _apply(
        entity,
        editor=editor,
        targets=targets,
        unlock=frozenset(unlock),
        credit_rows=credit_rows,
        unlock_credits=bool(credit_changes) and not credit_changes[-1].was_locked,
        reverts=None,
        comment=comment or _("Back to how it was after change %(id)s", id=edit.id),
    )


# Each a whole sentence, so a translator can order it; %(id)s is the change's number.
NOT_REVERTIBLE = {
    EditAction.create: _l("Change %(id)s added the page: hide or delete it instead."),
    EditAction.unlock: _l("Change %(id)s only unlocked a field: lock it again by editing it."),
    EditAction.merge: _l("Change %(id)s is a merge: undo it from its own page first."),
    EditAction.unmerge: _l("Change %(id)s undid a merge: merge again instead."),
    EditAction.hide: _l("Change %(id)s hid the movie: show it again instead."),
    EditAction.unhide: _l("Change %(id)s showed the movie again: hide it instead."),
    EditAction.delete: _l("Change %(id)s deleted the page."),
}


def _check_revertible(edits: list[Edit]) -> None:
    for edit in edits:
        if edit.action not in REVERTIBLE:
            why = NOT_REVERTIBLE.get(edit.action)
            if why is None:
                raise EditError(_("Change %(id)s cannot be reverted.", id=edit.id))
            raise EditError(str(why) % {"id": edit.id})


def _apply(
    entity: Editable,
    *,
    editor: User,
    targets: dict[str, Any],
    unlock: frozenset[str],
    credit_rows: list[tuple[Any, Any]],
    unlock_credits: bool,
    reverts: Edit | None,
    comment: str,
) -> Edit:
    """Write the target values and undo the credit rows (each `(old, new)`, newest first)."""
    entity_type = history.entity_type_of(entity)
    values = {field: from_json(entity_type, field, value) for field, value in targets.items()}
    edit = save_fields(
        entity,
        editor=editor,
        values=values,
        version=version_of(entity),
        comment=comment,
        action=EditAction.revert,
        reverts=reverts,
        unlock=unlock,
    )
    undone = [_undo_credit(entity, old, new) for old, new in credit_rows]
    if not undone:
        if edit is None:
            raise EditError(_("Everything is already as it was: nothing to revert."))
        return edit
    if edit is None:
        claim_version(entity, entity.version)
        edit = history.record(
            editor=editor, entity=entity, action=EditAction.revert, comment=comment, reverts=reverts
        )
    edit.changes.extend(
        history.change_row(Change(CREDIT, before, after)) for before, after in undone
    )
    held = locks.of(EntityType.movie, entity.id)
    if unlock_credits:
        locks.unlock(held, "credits")
    else:
        locks.lock(
            held, entity_type=EntityType.movie, entity_id=entity.id, field="credits", by=editor
        )
    db.session.flush()
    moved(entity)
    return edit


def _undo_credit(movie: Any, old: dict | None, new: dict | None) -> tuple[dict | None, dict | None]:
    """Undo one credit row; the row the revert records. EditError when it cannot be undone."""
    if new is not None:
        credit = db.session.get(Credit, new["id"])
        if credit is None or (credit.movie_id, credit.person_id) != (movie.id, new["person_id"]):
            raise EditError(_("The credit of %(name)s is gone already.", name=new["person_name"]))
        if old is None:
            before = credit_value(credit)
            db.session.delete(credit)
            return before, None
        if (credit.character, credit.cast_order) != (new["character"], new["order"]):
            raise EditError(
                _("The credit of %(name)s changed again since.", name=new["person_name"])
            )
        before = credit_value(credit)
        credit.character, credit.cast_order = old["character"], old["order"]
        db.session.flush()
        return before, credit_value(credit)
    return None, _restore_credit(movie, old)


def _restore_credit(movie: Any, old: dict) -> dict:
    person = db.session.get(Person, old["person_id"])
    if person is None:
        raise EditError(_("%(name)s is no longer in the catalog.", name=old["person_name"]))
    taken = db.session.scalar(select(Credit.id).where(Credit.id == old["id"]))
    tmdb_id = old.get("tmdb_credit_id")
    if tmdb_id and db.session.scalar(select(Credit.id).where(Credit.tmdb_credit_id == tmdb_id)):
        tmdb_id = None  # a load brought TMDB's copy back meanwhile
    credit = Credit(
        id=None if taken else old["id"],
        tmdb_credit_id=tmdb_id,
        movie=movie,
        person=person,
        kind=CreditKind(old["kind"]),
        character=old["character"],
        cast_order=old["order"],
        department=old["department"],
        job=old["job"],
    )
    db.session.add(credit)
    db.session.flush()
    return credit_value(credit)
