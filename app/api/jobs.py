"""/api/v1/me/jobs: the background jobs a member started (imports, lookups) and their progress."""

from __future__ import annotations

from flask_babel import gettext as _

from .. import jobs
from ..infra.db import db
from ..services.errors import NotFoundError
from .area import Area
from .auth import current_member, token_required
from .paging import paged
from .schemas import JobPageSchema, JobSchema, PageArgs

bp = Area("jobs", __name__, url_prefix="/me/jobs", description="Background jobs")


@bp.route("")
@token_required()
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, JobPageSchema)
def list_my_jobs(page: int, per_page: int):
    """The jobs the member started, newest first."""
    return paged(jobs.started_by(current_member(), page=page, per_page=per_page))


@bp.route("/<id:job_id>")
@token_required()
@bp.response(200, JobSchema)
@bp.alt_response(404, response="NOT_FOUND")
def get_job(job_id: int):
    """One job's state and progress; poll it until `status` is finished, failed or cancelled."""
    job = jobs.get(job_id)
    if job is None or job.user_id != current_member().id:
        raise NotFoundError(_("You have no such job."))
    if jobs.reconcile(only=job):
        db.session.commit()
    return job
