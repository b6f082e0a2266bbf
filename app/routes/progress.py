"""A background job's progress, for the member who started it (and admins)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from .. import jobs
from ..infra.db import db
from ..models import Job
from .helpers import or_404

bp = Blueprint("progress", __name__, url_prefix="/progress")


def _own_job_or_404(job_id: int) -> Job:
    """The job, if the signed-in member may follow it; others get a 404.

    A job whose worker died is shown failed here too, not only on the admin page.
    """
    job = or_404(jobs.get(job_id))
    if not jobs.can_follow(job, current_user):
        abort(404)
    if jobs.reconcile(only=job):
        db.session.commit()
    return job


@bp.get("/<id:job_id>")
@login_required
def job_page(job_id: int):
    """One job's state: a progress bar the page's script keeps current."""
    job = _own_job_or_404(job_id)
    return render_template("progress/job.jinja2", job=job, shown=jobs.shown(job))


@bp.get("/<id:job_id>.json")
@login_required
def status(job_id: int):
    """The same as JSON, for polling."""
    job = _own_job_or_404(job_id)
    return jobs.shown(job), 200, {"Cache-Control": "no-store"}
