"""Refresh from TMDB: an editor refetches one movie or person now, in the background."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from .. import jobs
from ..forms.auth import EmptyForm
from ..infra.db import db
from ..models import Movie, Person
from ..services import refresh
from .edits import editors_only
from .helpers import or_404, refused

bp = Blueprint("refresh", __name__)
MODELS = {"movies": Movie, "people": Person}


@bp.route("/<any(movies,people):kind>/<id:entity_id>/refresh", methods=["GET", "POST"])
@editors_only
def refresh_page(kind: str, entity_id: int):
    """What a refresh does and how the last one went; the button queues one and shows it."""
    entity = or_404(db.session.get(MODELS[kind], entity_id))
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            job = refresh.request(entity=entity, editor=current_user)
            db.session.commit()
            return redirect(url_for("progress.job_page", job_id=job.id))
        except refresh.RefreshError as error:
            refused(error)
    last = refresh.latest(entity)
    return render_template(
        "refresh/page.jinja2",
        entity=entity,
        kind=kind,
        form=form,
        last=last,
        shown=jobs.shown(last) if last else None,
        configured=refresh.tmdb_configured(),
        no_key=str(refresh.NO_TMDB_KEY),
    )
