"""The editors' pages: edit forms, field locks, and the history everyone may read."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..forms.auth import EmptyForm
from ..forms.edits import (
    AddCreditForm,
    CreditListForm,
    GenreEditForm,
    JobEditForm,
    MovieEditForm,
    NewMovieForm,
    NewPersonForm,
    PersonEditForm,
)
from ..forms.history import ChangesFilterForm
from ..infra.db import db
from ..models import Credit, CreditKind, Edit, EntityType, Genre, Movie, Person, Role
from ..services import catalog, edits, people, roles
from ..services.edits import credits as credit_edits
from ..services.edits import history
from .caching import public_page
from .helpers import or_404, page_number, refused

bp = Blueprint("edits", __name__)


def editors_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Sign in first; then only editors and admins get past (403 for members)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        roles.require(current_user, Role.editor)
        return view(*args, **kwargs)

    return login_required(wrapper)


@bp.route("/movies/<id:movie_id>/edit", methods=["GET", "POST"])
@editors_only
def movie(movie_id: int):
    """Edit a movie's facts, genres and keywords."""
    found = or_404(catalog.get(movie_id))
    genres = catalog.genres()
    form = MovieEditForm(genres=genres) if request.method == "POST" else None
    form = form or MovieEditForm.for_movie(found, genres=genres)
    return _edit_page(
        form,
        partial(edits.update_movie, movie=found),
        entity=found,
        done=lambda: url_for("movies.detail", movie_id=found.id, slug=found.slug),
    )


@bp.route("/movies/new", methods=["GET", "POST"])
@editors_only
def new_movie():
    """Enter a movie TMDB does not have."""
    form = NewMovieForm(genres=catalog.genres())
    return _create_page(
        form,
        lambda: edits.create_movie(
            editor=current_user, values=form.values(), comment=form.comment.data
        ),
        "movies.detail",
    )


@bp.route("/people/<id:person_id>/edit", methods=["GET", "POST"])
@editors_only
def person(person_id: int):
    """Edit a person's facts and biography."""
    found = or_404(people.get(person_id))
    form = PersonEditForm() if request.method == "POST" else PersonEditForm.for_person(found)
    return _edit_page(
        form,
        partial(edits.update_person, person=found),
        entity=found,
        done=lambda: url_for("people.detail", person_id=found.id, slug=found.slug),
    )


@bp.route("/people/new", methods=["GET", "POST"])
@editors_only
def new_person():
    """Enter a person TMDB does not have."""
    form = NewPersonForm()
    return _create_page(
        form,
        lambda: edits.create_person(
            editor=current_user, values=form.values(), comment=form.comment.data
        ),
        "people.detail",
    )


@bp.route("/genres/<slug>/edit", methods=["GET", "POST"])
@editors_only
def genre(slug: str):
    """Rename a genre or write its description."""
    found = or_404(catalog.get_genre_by_slug(slug))
    if request.method == "POST":
        form = GenreEditForm()
    else:  # the description editors write is the main language's, whatever they read in
        form = GenreEditForm.for_genre(
            found, description=edits.current_values(found)["description"]
        )
    return _edit_page(
        form,
        partial(edits.update_genre, genre=found),
        entity=found,
        done=lambda: url_for("genres.detail", slug=found.slug),
    )


@bp.route("/jobs/<path:job>/edit", methods=["GET", "POST"])
@editors_only
def job(job: str):
    """Write a crew job's description."""
    current = or_404(people.job_summary(job))
    # Editors write the main language's text, whatever language they read the site in.
    described = edits.current_values(current.job)["description"]
    data = {"description": described, "version": str(edits.version_of(current.job))}
    form = JobEditForm(data=data)
    return _edit_page(
        form,
        partial(edits.update_job, job=current.job),
        entity=current.job,
        done=url_for("jobs.detail", job=current.job),
    )


def _edit_page(form, update: Callable[..., Edit | None], *, entity, done) -> Any:
    """The edit form; a valid POST saves through `update`, commits and goes to `done`.

    `update` is the service function with the entity bound; `done` is a URL,
    or makes one once the save has renamed what the URL is made of.
    """
    meanwhile: list[Edit] = []
    if form.validate_on_submit():
        try:
            saved = update(
                editor=current_user,
                values=form.values(),
                version=form.opened_at(),
                comment=form.comment.data,
            )
        except edits.StaleEditError as error:
            meanwhile = _kept_for_another_try(form, error)
        except edits.EditError as error:
            refused(error, form)
        else:
            return _saved(saved, done() if callable(done) else done)
    status = 409 if meanwhile else 422 if request.method == "POST" else 200
    return _form_page(form, entity, meanwhile=meanwhile), status


def _kept_for_another_try(form, error: edits.StaleEditError) -> list[Edit]:
    """A stale save: the form keeps what was typed, moves to the current version, says why."""
    form.version.data = str(error.version)
    refused(error)
    return error.edits


def _form_page(form, entity, **context: Any) -> str:
    """The edit template of the entity's kind, with its locks."""
    entity_type = history.entity_type_of(entity)
    return render_template(
        f"edits/{entity_type.value}.jinja2",
        form=form,
        entity=entity,
        notes={} if isinstance(entity, str) else edits.lock_notes(entity),
        **context,
    )


def _saved(edit: Edit | None, done: str) -> Any:
    db.session.commit()
    if edit is None:
        flash(_("Nothing changed, so nothing was saved."), "info")
    else:
        flash(_("Saved. Your change is in the history."), "success")
    return redirect(done)


def _create_page(form, create: Callable[[], Movie | Person], endpoint: str) -> Any:
    """A form entering a movie or person by hand; saved, it goes to the new page."""
    if form.validate_on_submit():
        try:
            created = create()
        except edits.EditError as error:
            refused(error, form)
        else:
            db.session.commit()
            flash(_("Added. It has a page of its own now."), "success")
            return redirect(_page_of(created))
    kind = "movie" if endpoint == "movies.detail" else "person"
    status = 422 if request.method == "POST" else 200
    return render_template(f"edits/new_{kind}.jinja2", form=form), status


def _page_of(entity: Movie | Person) -> str:
    if isinstance(entity, Movie):
        return url_for("movies.detail", movie_id=entity.id, slug=entity.slug)
    return url_for("people.detail", person_id=entity.id, slug=entity.slug)


@bp.route("/movies/<id:movie_id>/credits/edit", methods=["GET", "POST"])
@editors_only
def credits(movie_id: int):
    """The cast and crew to change: characters, billing order, removals; and adding credits."""
    found = or_404(catalog.get(movie_id))
    listed = credit_edits.of_movie(found)
    form = CreditListForm() if request.method == "POST" else None
    form = form or CreditListForm(data={"version": str(found.version)})
    if form.validate_on_submit() and _credits_saved(form, found, listed):
        return redirect(url_for(".credits", movie_id=found.id))
    status = 422 if request.method == "POST" else 200
    return _credits_page(found, listed, list_form=form), status


@bp.post("/movies/<id:movie_id>/credits/add")
@editors_only
def add_credit(movie_id: int):
    """Add one credit: a person picked by type-ahead, found by name, or entered as new."""
    found = or_404(catalog.get(movie_id))
    form = AddCreditForm()
    candidates = _added(form, found) if form.validate_on_submit() else []
    if candidates is None:
        return redirect(url_for(".credits", movie_id=found.id) + f"#add-{form.kind.data}")
    page = _credits_page(found, credit_edits.of_movie(found), add_form=form, candidates=candidates)
    return page, 422


def _added(form: AddCreditForm, movie: Movie) -> list[Person] | None:
    """Add the form's credit and commit: None when done, else the people a name matched."""
    try:
        _add(form, movie)
    except credit_edits.AmbiguousPersonError as error:
        refused(error, form)
        return error.candidates
    except edits.EditError as error:
        refused(error, form)
        return []
    return None


def _add(form: AddCreditForm, movie: Movie) -> None:
    """Add the form's credit and commit; EditError when the person or version is wrong."""
    person = credit_edits.person_for_credit(
        person_id=int(form.person_id.data) if form.person_id.data else None,
        name=form.person.data,
        new_person=form.new_person.data,
        editor=current_user,
    )
    credit_edits.save(
        movie=movie,
        editor=current_user,
        changes=credit_edits.CreditChanges(added=[form.part(person)]),
        version=int(form.version.data),
        comment=form.comment.data,
    )
    db.session.commit()
    if form.kind.data == "crew":
        flash(_("Added %(name)s to the crew.", name=person.name), "success")
    else:
        flash(_("Added %(name)s to the cast.", name=person.name), "success")


def _credits_saved(form: CreditListForm, movie: Movie, listed: list[Credit]) -> bool:
    """Save the table's changes and commit; False (with messages) when refused."""
    cast_ids = {credit.id for credit in listed if credit.kind is CreditKind.cast}
    changes, problems = form.changes(request.form, cast_ids, {credit.id for credit in listed})
    if problems:
        for problem in problems:
            flash(str(problem), "error")
        return False
    try:
        count = credit_edits.save(
            movie=movie,
            editor=current_user,
            changes=changes,
            version=form.opened_at(),
            comment=form.comment.data,
        )
    except edits.EditError as error:
        refused(error)
        return False
    db.session.commit()
    flash(_changes_saved(count))
    return True


def _changes_saved(count: int) -> str:
    if count:
        return ngettext("Saved %(num)s change.", "Saved %(num)s changes.", count)
    return _("Nothing changed.")


def _credits_page(movie: Movie, listed, *, list_form=None, add_form=None, candidates=()) -> str:
    version = {"version": str(movie.version)}
    return render_template(
        "edits/credits.jinja2",
        movie=movie,
        cast=[credit for credit in listed if credit.kind.value == "cast"],
        crew=[credit for credit in listed if credit.kind.value == "crew"],
        list_form=list_form or CreditListForm(data=version),
        cast_form=add_form
        if add_form and add_form.kind.data == "cast"
        else _add_form("cast", movie),
        crew_form=add_form
        if add_form and add_form.kind.data == "crew"
        else _add_form("crew", movie),
        candidates=candidates,
        notes=edits.lock_notes(movie),
    )


def _add_form(kind: str, movie: Movie) -> AddCreditForm:
    form = AddCreditForm(formdata=None, data={"version": str(movie.version), "kind": kind})
    return form


ENTITIES: dict[str, tuple[EntityType, Callable[[int], Any]]] = {
    "movie": (EntityType.movie, catalog.get),
    "person": (EntityType.person, people.get),
    "genre": (EntityType.genre, lambda genre_id: db.session.get(Genre, genre_id)),
}
EDIT_PAGES = {"movie": "edits.movie", "person": "edits.person"}


LOCK_RULE = (
    "/edit/<any(movie,person,genre):kind>/<id:entity_id>/locks/<field>/<any(accept,unlock):action>"
)


@bp.post(LOCK_RULE)
@editors_only
def lock(kind: str, entity_id: int, field: str, action: str):
    """Take TMDB's value for a locked field, or unlock it to follow TMDB from the next load."""
    entity = or_404(ENTITIES[kind][1](entity_id))
    if EmptyForm().validate_on_submit():
        try:
            _change_lock(entity, field, action)
            db.session.commit()
        except edits.EditError as error:
            refused(error)
    return redirect(_edit_url(kind, entity, field))


def _change_lock(entity, field: str, action: str) -> None:
    if action == "unlock":
        edits.unlock_field(entity=entity, field=field, editor=current_user)
        flash(_("Unlocked: the next load takes TMDB's value."), "success")
        return
    sent = request.form.get("version", "")
    version = int(sent) if sent.isascii() and sent.isdigit() and len(sent) <= 9 else 0
    if field == "credits" and isinstance(entity, Movie):
        credit_edits.accept_upstream(movie=entity, editor=current_user, version=version)
    else:
        edits.accept_upstream(entity=entity, field=field, editor=current_user, version=version)
    flash(_("Saved TMDB's value; the field follows TMDB again."), "success")


def _edit_url(kind: str, entity, field: str) -> str:
    if kind == "movie" and field == "credits":
        return url_for("edits.credits", movie_id=entity.id)
    if kind == "genre":
        return url_for("edits.genre", slug=entity.slug)
    return url_for(EDIT_PAGES[kind], **{f"{kind}_id": entity.id})


# The history: readable by everyone.


@bp.get("/movies/<id:movie_id>/history")
@public_page
def movie_history(movie_id: int):
    """Every edit of one movie, newest first."""
    return _history_page(or_404(db.session.get(Movie, movie_id)))


@bp.get("/people/<id:person_id>/history")
@public_page
def person_history(person_id: int):
    """Every edit of one person, newest first."""
    return _history_page(or_404(people.get(person_id)))


@bp.get("/genres/<slug>/history")
@public_page
def genre_history(slug: str):
    """Every edit of one genre, newest first."""
    return _history_page(or_404(catalog.get_genre_by_slug(slug)))


@bp.get("/jobs/<path:job>/history")
@public_page
def job_history(job: str):
    """Every edit of one crew job's description, newest first."""
    return _history_page(or_404(people.job_summary(job)).job)


def _history_page(entity: Movie | Person | Genre | str) -> str:
    """The entity's edits, newest first; a page's history starts when the page was made."""
    entity_type = history.entity_type_of(entity)
    if isinstance(entity, str):
        page = history.of_entity(entity_type, key=entity, page=page_number())
    else:
        page = history.of_entity(
            entity_type, entity.id, since=entity.created_at, page=page_number()
        )
    return render_template(
        "edits/history.jinja2",
        entity=entity,
        entity_type=entity_type.value,
        edits=page,
    )


@bp.get("/changes")
@public_page
def changes():
    """Recent edits across the catalog, filtered by kind, editor and first day."""
    form = ChangesFilterForm(request.args)
    filters, notices = form.filters()
    page = history.recent(filters, page=page_number()) if filters else None
    return render_template(
        "edits/changes.jinja2",
        form=form,
        edits=page,
        notices=notices,
        args=form.kept_args(),
    )


@bp.get("/changes/<id:edit_id>")
@public_page
def change(edit_id: int):
    """One edit: each field's old and new value, a word diff for long texts."""
    edit = or_404(history.get(edit_id))
    return render_template(
        "edits/change.jinja2",
        edit=edit,
        shown=history.shown_changes(edit),
        later=history.after(edit),
        form=EmptyForm(),
    )


@bp.post('/changes/<id:edit_id>/<any(revert,"revert-to"):how>')
@editors_only
def revert(edit_id: int, how: str):
    """Undo one edit, or every later edit of the same page; the revert is a new edit."""
    edit = or_404(history.get(edit_id))
    if not EmptyForm().validate_on_submit():
        return redirect(url_for(".change", edit_id=edit.id))
    undo = edits.revert if how == "revert" else edits.revert_to
    try:
        done = undo(edit=edit, editor=current_user, comment=request.form.get("comment"))
    except edits.EditError as error:
        refused(error)
        return redirect(url_for(".change", edit_id=edit.id))
    db.session.commit()
    flash(_("Reverted. The revert is in the history too."), "success")
    return redirect(url_for(".change", edit_id=done.id))
