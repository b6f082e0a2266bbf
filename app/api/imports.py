"""/api/v1/me/imports: a member's Letterboxd and IMDb imports: start one, follow it."""

from __future__ import annotations

from flask import abort, current_app, request, url_for

from ..infra.db import db
from ..infra.problems import problem
from ..models import Import
from ..services import imports
from ..services.paging import Page
from .area import Area
from .auth import current_member, may_upload, token_required, write_required
from .paging import paged
from .schemas import ImportPageSchema, ImportSchema, ImportUploadArgs
from .shown import Shown

bp = Area(
    "imports", __name__, url_prefix="/me/imports", description="Importing from Letterboxd or IMDb"
)
# Room for the form's other parts beside the file itself.
FORM_OVERHEAD = 1024 * 1024


@bp.url_value_preprocessor
def _allow_large_uploads(endpoint: str | None, values: dict | None) -> None:
    """An export may be far larger than other requests: allowed once a write token is known."""
    if request.method == "POST" and may_upload():
        limit = current_app.config["IMPORT_MAX_MB"] * 1024 * 1024
        request.max_content_length = limit + FORM_OVERHEAD


def _shown(imported: Import, counts=None) -> Shown:
    counts = imports.counts(imported) if counts is None else counts
    rows = {status.value: count for status, count in counts.items()}
    url = url_for("imports.show", import_id=imported.id, _external=True)
    return Shown(imported, rows=rows, url=url)


@bp.route("")
@token_required()
@bp.response(200, ImportPageSchema)
def list_my_imports():
    """The member's latest imports, newest first."""
    latest = imports.recent(current_member())
    counts = imports.counts_of_each(latest)
    recent = [_shown(imported, counts[imported.id]) for imported in latest]
    return paged(Page(items=recent, page=1, per_page=max(len(recent), 1), total=len(recent)))


@bp.route("", methods=["POST"])
@write_required
@bp.arguments(ImportUploadArgs, location="files", as_kwargs=True)
@bp.response(202, ImportSchema)
@bp.alt_response(409, response="CONFLICT")
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def start_import(export):
    """Upload a Letterboxd export (zip or CSV) or an IMDb ratings CSV; it runs in the background."""
    try:
        imported = imports.start(
            user=current_member(), filename=export.filename or "", content=export.read()
        )
    except imports.ImportBusyError as error:
        abort(problem("conflict", detail=error.message))
    db.session.commit()
    return _shown(imported), 202, {"Location": url_for(".get_import", import_id=imported.id)}


@bp.route("/<id:import_id>")
@token_required()
@bp.response(200, ImportSchema)
@bp.alt_response(404, response="NOT_FOUND")
def get_import(import_id: int):
    """How an import is going or went: its job and its rows by state."""
    return _shown(imports.get_own(current_member(), import_id))
