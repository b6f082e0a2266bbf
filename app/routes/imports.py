"""Importing from Letterboxd or IMDb, the review queue, and downloading everything (export)."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import jobs
from ..forms.auth import EmptyForm
from ..forms.imports import ImportUploadForm, PickForm
from ..infra.db import db
from ..models import ROW_STATUS_LABELS, RowStatus
from ..services import catalog, imports, search
from ..services.imports import export
from .helpers import or_404, page_number

bp = Blueprint("imports", __name__)
# Room for the form's other fields above the file itself.
FORM_OVERHEAD = 1024 * 1024


@bp.url_value_preprocessor
def _allow_large_uploads(endpoint: str | None, values: dict | None) -> None:
    """The upload may be far larger than other forms; set before CSRF reads the form."""
    if endpoint == "imports.index":
        limit = current_app.config["IMPORT_MAX_MB"] * 1024 * 1024
        request.max_content_length = limit + FORM_OVERHEAD


@bp.route("/imports", methods=["GET", "POST"])
@login_required
def index():
    """Upload an export; the member's past imports."""
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.export.data
        try:
            imported = imports.start(
                user=current_user, filename=upload.filename or "", content=upload.read()
            )
        except imports.ImportFileError as error:
            form.export.errors = [*form.export.errors, error.message]
        else:
            db.session.commit()
            return redirect(url_for(".show", import_id=imported.id))
    status = 422 if form.errors else 200
    return render_template(
        "imports/index.jinja2", form=form, past=imports.recent(current_user)
    ), status


@bp.get("/imports/<id:import_id>")
@login_required
def show(import_id: int):
    """How an import is going or went: counts, the summary, and rows that need a look."""
    imported = imports.get_own(current_user, import_id)
    job, lookup = imported.job, imported.lookup_job
    if any(jobs.reconcile(only=each) for each in (job, lookup) if each is not None):
        db.session.commit()
    return render_template(
        "imports/show.jinja2",
        imported=imported,
        shown=jobs.shown(job) if job else None,
        lookup=jobs.shown(lookup) if lookup else None,
        counts=Counter({status.value: count for status, count in imports.counts(imported).items()}),
        by_kind=imports.counts_by_kind(imported),
        labels={status: str(label) for status, label in ROW_STATUS_LABELS.items()},
        failed=imports.rows_with(imported, RowStatus.failed),
        kept=imports.rows_with(imported, RowStatus.kept),
        summary=imports.summary_lines(imported) if imported.finished_at else [],
    )


@bp.get("/imports/<id:import_id>/review")
@login_required
def review(import_id: int):
    """The review queue: each film the import was not sure of, with its best candidates."""
    imported = imports.get_own(current_user, import_id)
    running = imports.running_job(imported)
    return render_template(
        "imports/review.jinja2",
        imported=imported,
        queue=imports.queue(imported, page=page_number()),
        form=EmptyForm(),
        busy=jobs.shown(running) if running else None,
        lookup=running is not None and running is imported.lookup_job,
    )


@bp.get("/imports/<id:import_id>/review/<id:row_id>")
@login_required
def review_item(import_id: int, row_id: int):
    """One queued film, with a search for the right one when none of the candidates is."""
    imported = imports.get_own(current_user, import_id)
    try:
        item = imports.queue_item(imported, row_id)
    except imports.QueueError as error:
        flash(error.message, "info")
        return redirect(url_for(".review", import_id=imported.id))
    query = search.Query.parse(request.args.get("q") or item.first.title)
    found = search.movies(query, limit=12)
    return render_template(
        "imports/item.jinja2",
        imported=imported,
        item=item,
        query=query,
        found=found,
        directors=imports.directors_of({movie.id for movie in found}),
        form=EmptyForm(),
        busy=imports.running_job(imported) is not None,
    )


@bp.post("/imports/<id:import_id>/review/<id:row_id>/pick")
@login_required
def pick(import_id: int, row_id: int):
    """Take the chosen film for a queued film's rows, and write them."""
    imported = imports.get_own(current_user, import_id)
    form = PickForm()
    if not form.validate_on_submit():
        flash(
            " ".join(map(str, form.movie_id.errors)) or _("Pick one of the films first."), "error"
        )
        return redirect(url_for(".review_item", import_id=imported.id, row_id=row_id))
    movie = or_404(catalog.get(form.movie_id.data))
    try:
        count = imports.resolve(imported, row_id=row_id, movie=movie)
    except imports.QueueError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_saved_as(count, movie), "success")
    return redirect(url_for(".review", import_id=imported.id, page=request.args.get("page")))


@bp.post("/imports/<id:import_id>/review/<id:row_id>/skip")
@login_required
def skip(import_id: int, row_id: int):
    """Leave a queued film out of the import."""
    imported = imports.get_own(current_user, import_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        count = imports.skip(imported, row_id=row_id)
    except imports.QueueError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(ngettext("Skipped %(num)s row.", "Skipped %(num)s rows.", count), "info")
    return redirect(url_for(".review", import_id=imported.id, page=request.args.get("page")))


def _saved_as(count: int, movie) -> str:
    if movie.year:
        return ngettext(
            "Saved %(num)s row as “%(title)s” (%(year)s).",
            "Saved %(num)s rows as “%(title)s” (%(year)s).",
            count,
            title=movie.local_title,
            year=movie.year,
        )
    return ngettext(
        "Saved %(num)s row as “%(title)s” (no year).",
        "Saved %(num)s rows as “%(title)s” (no year).",
        count,
        title=movie.local_title,
    )


@bp.get("/account/export")
@login_required
def download():
    """Everything the member owns, as a zip of Letterboxd-style CSVs and one JSON file."""
    name, content = export.build(current_user)
    return (
        content,
        200,
        {
            "Content-Type": "application/zip",
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
