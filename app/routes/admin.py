"""Admin pages: members and their roles, background jobs."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from .. import jobs
from ..forms.admin import JobFilterForm, MemberSearchForm, RoleForm
from ..forms.auth import EmptyForm
from ..infra.db import db
from ..models import Role
from ..services import accounts, roles, syncs
from .helpers import list_args, or_404, page_number, refused

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def admins_only():
    """Every admin page: sign in first, then only admins get past (403 for the rest)."""
    roles.require(current_user, Role.admin)


@bp.get("/users")
def users():
    """Members, searched by username or email and filtered by role, with their roles."""
    form = MemberSearchForm(request.args)
    members = roles.search_members(form.text(), role=form.role_filter(), page=page_number())
    return render_template(
        "admin/users.jinja2", form=form, members=members, role_form=RoleForm(), args=list_args()
    )


@bp.post("/users/<id:user_id>/role")
def set_role(user_id: int):
    """Give one member a new role, then back to the list as it was."""
    member = or_404(accounts.get(user_id))
    form = RoleForm()
    if form.validate_on_submit():
        try:
            if roles.set_role(user=member, role=Role(form.role.data), by=current_user):
                flash(_role_given(member.username, Role(form.role.data)), "success")
            db.session.commit()
        except roles.RoleError as error:
            refused(error)
    else:
        flash(_("Choose one of the roles."), "error")
    return redirect(url_for(".users", **_kept_query()))


def _role_given(username: str, role: Role) -> str:
    """The message saying a member now has a role (one sentence a role, for translators)."""
    if role is Role.admin:
        return _("%(username)s is now admin.", username=username)
    if role is Role.editor:
        return _("%(username)s is now editor.", username=username)
    return _("%(username)s is now member.", username=username)


def _kept_query() -> dict[str, str]:
    """The list's search, filter and page, sent back with the form."""
    kept = {"q": request.form.get("q"), "role": request.form.get("role_filter")}
    kept["page"] = request.form.get("page")
    return {name: value for name, value in kept.items() if value}


@bp.get("/jobs")
def jobs_page():
    """Queued, running and finished jobs, newest first, with the engine running them."""
    lost = jobs.reconcile()
    if lost:
        db.session.commit()
    form = JobFilterForm(request.args)
    page = jobs.recent(status=form.status_filter(), page=page_number())
    return render_template(
        "admin/jobs.jinja2",
        form=form,
        page=page,
        job_views={job.id: jobs.shown(job) for job in page.items},
        counts=jobs.counts(),
        engine=jobs.engine_status(),
        sync_runs=syncs.recent(),
        action_form=EmptyForm(),
        args=list_args(),
    )


@bp.get("/jobs/<id:job_id>")
def job(job_id: int):
    """One job in full: its arguments, every try's outcome and the traceback of a failure."""
    found = or_404(jobs.get(job_id))
    return render_template(
        "admin/job.jinja2", job=found, shown=jobs.shown(found), action_form=EmptyForm()
    )


@bp.post("/jobs/<id:job_id>/cancel")
def cancel_job(job_id: int):
    """Cancel a queued job, or ask a running one to stop."""
    found = or_404(jobs.get(job_id))
    if EmptyForm().validate_on_submit():
        try:
            flash(jobs.cancel(found, by=current_user), "success")
            db.session.commit()
        except jobs.JobError as error:
            refused(error)
    return redirect(_back_to_jobs())


@bp.post("/jobs/<id:job_id>/retry")
def retry_job(job_id: int):
    """Run a failed or cancelled job again, as a new job."""
    found = or_404(jobs.get(job_id))
    if EmptyForm().validate_on_submit():
        try:
            again = jobs.retry(found, by=current_user)
            db.session.commit()
            flash(_("Queued again as job %(id)s.", id=again.id), "success")
        except jobs.JobError as error:
            refused(error)
    return redirect(_back_to_jobs())


def _back_to_jobs() -> str:
    """The jobs list as it was (its status filter and page), or the job page it came from."""
    if request.form.get("from") == "job":
        return url_for(".job", job_id=request.view_args["job_id"])
    kept = {name: request.form.get(name) for name in ("status", "page")}
    return url_for(".jobs_page", **{name: value for name, value in kept.items() if value})


CATALOG_JOBS = {
    "sync": ("seeder.jobs.sync_changes", _l("Sync the catalog with TMDB's changes")),
    "refresh": ("seeder.jobs.refresh_stale", _l("Refresh the catalog's oldest records")),
}


@bp.post("/jobs/start/<any(sync,refresh):what>")
def start_catalog_job(what: str):
    """Start a sync or a stale refresh now, as a job (the schedule runs them too)."""
    if EmptyForm().validate_on_submit():
        name, label = CATALOG_JOBS[what]
        try:
            job = jobs.enqueue(
                name, label=str(label), user=current_user, subject="catalog", unique=True
            )
            db.session.commit()
            flash(_("%(label)s: job %(id)s.", label=label, id=job.id), "success")
        except jobs.JobError as error:
            refused(error)
    return redirect(url_for(".jobs_page"))
