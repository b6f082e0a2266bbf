"""Editors' pages that take a page away: merging duplicates, hiding movies, deleting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..forms.edits import ConfirmForm, MergeForm
from ..infra.db import db
from ..models import Genre, Movie, Person
from ..services import catalog, edits, people
from ..services.edits import deletes, history, merges
from .edits import editors_only
from .helpers import or_404, refused

bp = Blueprint("merges", __name__)

KINDS: dict[str, Any] = {"movies": catalog.get, "people": people.get}


@bp.route("/<any(movies,people):kind>/<id:entity_id>/merge", methods=["GET", "POST"])
@editors_only
def merge(kind: str, entity_id: int):
    """Merge this duplicate into another movie or person; its URL then answers 301 there."""
    duplicate = or_404(KINDS[kind](entity_id))
    form = MergeForm()
    if form.validate_on_submit():
        survivor = _survivor(form, kind)
        if survivor is not None and _merged(form, duplicate, survivor):
            return redirect(_page_url(survivor))
    status = 422 if form.is_submitted() else 200
    return render_template("edits/merge.jinja2", form=form, entity=duplicate, kind=kind), status


def _survivor(form: MergeForm, kind: str) -> Movie | Person | None:
    number = form.target_number(kind)
    survivor = KINDS[kind](number) if number else None
    if survivor is None:
        form.target.errors = [*form.target.errors, _("Pick a page from the suggestions.")]
    return survivor


def _merged(form: MergeForm, duplicate, survivor) -> bool:
    try:
        result = merges.merge(
            duplicate=duplicate, survivor=survivor, editor=current_user, comment=form.comment.data
        )
    except edits.EditError as error:
        refused(error, form)
        return False
    db.session.commit()
    flash(_("Merged into %(label)s.", label=history.label_of(survivor)), "success")
    for note in result.notes:
        flash(note, "info")
    return True


@bp.post("/changes/<id:edit_id>/undo-merge")
@editors_only
def undo_merge(edit_id: int):
    """Put a merged duplicate back as it was, with its rows and links."""
    edit = or_404(history.get(edit_id))
    done = _done(lambda: merges.undo(edit=edit, editor=current_user)) if _confirmed() else None
    if done is None:
        return redirect(url_for("edits.change", edit_id=edit.id))
    flash(_("The merge is undone: both pages are back."), "success")
    return redirect(url_for("edits.change", edit_id=done.id))


def _confirmed() -> bool:
    return ConfirmForm().validate_on_submit()


def _done(operation: Callable[[], Any]) -> Any:
    """Run a service operation and commit; None (with the refusal shown) when refused."""
    try:
        result = operation()
    except edits.EditError as error:
        refused(error)
        return None
    db.session.commit()
    return result


@bp.route("/movies/<id:movie_id>/<any(hide,unhide):action>", methods=["GET", "POST"])
@editors_only
def visibility(movie_id: int, action: str):
    """Hide a movie from lists, search and rails (members keep their rows), or show it again."""
    movie = or_404(db.session.get(Movie, movie_id))
    form = ConfirmForm(data={"version": str(movie.version)})
    change = deletes.hide if action == "hide" else deletes.unhide
    if form.validate_on_submit() and _done(
        lambda: change(
            movie=movie, editor=current_user, version=form.opened_at(), comment=form.comment.data
        )
    ):
        flash(str(VISIBILITY_DONE[action]), "success")
        return redirect(url_for("edits.movie", movie_id=movie.id))
    return render_template(
        "edits/visibility.jinja2", form=form, entity=movie, name=movie.title, action=action
    )


@bp.route("/people/<id:person_id>/unhide", methods=["GET", "POST"])
@editors_only
def person_visibility(person_id: int):
    """Show a hidden person (TMDB deleted them) in lists and search again."""
    person = or_404(db.session.get(Person, person_id))
    form = ConfirmForm(data={"version": str(person.version)})
    if form.validate_on_submit() and _done(
        lambda: deletes.unhide_person(
            person=person, editor=current_user, version=form.opened_at(), comment=form.comment.data
        )
    ):
        flash(str(VISIBILITY_DONE["unhide"]), "success")
        return redirect(url_for("edits.person", person_id=person.id))
    return render_template(
        "edits/visibility.jinja2", form=form, entity=person, name=person.name, action="unhide"
    )


VISIBILITY_DONE = {
    "hide": _l("Hidden: it has left lists, search and rails; members keep what they logged."),
    "unhide": _l("It is back in lists, search and rails."),
}


@bp.route("/<any(movies,people,genres):kind>/<key>/delete", methods=["GET", "POST"])
@editors_only
def delete(kind: str, key: str):
    """Delete a page nothing depends on; otherwise say what depends on it and how many."""
    entity = or_404(_entity(kind, key))
    form = ConfirmForm()
    label = history.label_of(entity)
    if form.validate_on_submit() and _done(
        lambda: deletes.delete(entity=entity, editor=current_user, comment=form.comment.data)
    ):
        flash(_("Deleted %(label)s. The history keeps a note of it.", label=label), "success")
        return redirect(url_for("edits.changes"))
    dependents = deletes.dependents(entity)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "edits/delete.jinja2", form=form, entity=entity, kind=kind, dependents=dependents
    ), status


def _entity(kind: str, key: str) -> Movie | Person | Genre | None:
    if kind == "genres":
        return catalog.get_genre_by_slug(key)
    if not key.isascii() or not key.isdigit() or len(key) > 9:
        return None
    return KINDS[kind](int(key))


def _page_url(entity: Movie | Person) -> str:
    if isinstance(entity, Movie):
        return url_for("movies.detail", movie_id=entity.id, slug=entity.slug)
    return url_for("people.detail", person_id=entity.id, slug=entity.slug)
