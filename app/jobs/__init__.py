"""Background jobs (DESIGN.md §8): long work runs outside the request that asked for it.

A service calls `enqueue(name, …)`; once the caller commits, the job goes to
RQ on Redis (when REDIS_URL is set) or to a bounded thread pool in this
process. The `jobs` table holds every job's arguments, progress and outcome,
whichever engine runs it, so one page shows them all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from ..infra import i18n
from ..infra.db import db
from ..models import Job, JobStatus, User
from ..models.job import ACTIVE_STATUSES
from ..models.mixins import utcnow
from ..services.errors import ServiceError
from ..services.numbers import format_decimal
from ..services.paging import Page, clamp
from . import engines, registry
from .progress import JobCancelledError, JobProgress
from .registry import task

__all__ = [
    "JobCancelledError",
    "JobError",
    "JobProgress",
    "cancel",
    "enqueue",
    "get",
    "recent",
    "reconcile",
    "retry",
    "run_pending",
    "task",
]

logger = logging.getLogger(__name__)
_PENDING = "marquee.jobs.pending"


class JobError(ServiceError):
    """A job cannot be started, cancelled or retried as asked."""


def enqueue(
    function: Callable[..., Any] | str,
    *,
    label: str,
    arguments: dict[str, Any] | None = None,
    user: User | None = None,
    subject: str | None = None,
    unique: bool = False,
    retry_of: Job | None = None,
) -> Job:
    """Queue a job function (or its name); it starts once the caller commits.

    With `unique`, a queued or running job of the same name and subject is
    returned instead of starting a second one.
    """
    name = function if isinstance(function, str) else registry.name_of(function)
    task_ = registry.get(name)
    if task_ is None:
        raise JobError(_("No job function is called %(name)s.", name=repr(name)))
    if unique:
        running = active_for(subject, name=name)
        if running is not None:
            return running
    job = Job(
        name=name,
        label=label[:200],
        arguments=arguments or {},
        subject=subject,
        user=user,
        engine=engines.engine_name(current_app),
        max_attempts=task_.attempts,
        retry_of_id=retry_of.id if retry_of is not None else None,
        status=JobStatus.queued,
        locale=retry_of.locale if retry_of is not None else i18n.current_locale(),
    )
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append((job.id, job.name, 1))
    return job


def hand_over(jobs: list[tuple[int, str, int]], *, delay: float = 0.0) -> None:
    """Give committed, queued jobs (id, name, try) to the engine, `delay` seconds from now."""
    engine = engines.for_app(current_app)
    for job_id, name, attempt in jobs:
        task_ = registry.get(name)
        timeout = task_.timeout_seconds if task_ else 3600
        try:
            engine.dispatch(job_id, attempt=attempt, delay=delay, timeout_seconds=timeout)
        except engines.QueueUnavailableError as error:
            _mark_undispatched(job_id, str(error))


def _mark_undispatched(job_id: int, reason: str) -> None:
    """The queue refused the job after its row was committed: the row says so."""
    logger.warning("job %s not queued: %s", job_id, reason)
    try:
        with db.engine.begin() as connection:
            connection.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(status=JobStatus.failed, finished_at=utcnow(), error=reason[:500])
            )
    except SQLAlchemyError:
        logger.exception("job %s: could not record that it was not queued", job_id)


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        hand_over(pending)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_PENDING, None)


def get(job_id: int) -> Job | None:
    """A job by id."""
    return db.session.get(Job, job_id)


def active_for(subject: str | None, *, name: str | None = None) -> Job | None:
    """The newest queued or running job about `subject` (of that name, if given)."""
    if subject is None:
        return None
    statement = select(Job).where(Job.subject == subject, Job.status.in_(ACTIVE_STATUSES))
    if name is not None:
        statement = statement.where(Job.name == name)
    return db.session.scalars(statement.order_by(Job.id.desc()).limit(1)).first()


def latest_for(subject: str, *, name: str) -> Job | None:
    """The newest job of that name about `subject`, whatever its state."""
    statement = select(Job).where(Job.subject == subject, Job.name == name)
    return db.session.scalars(statement.order_by(Job.id.desc()).limit(1)).first()


def recent(*, status: JobStatus | None = None, page: int = 1, per_page: int = 50) -> Page[Job]:
    """Jobs newest first, optionally of one status."""
    conditions = [Job.status == status] if status is not None else []
    total = db.session.scalar(select(func.count()).select_from(Job).where(*conditions)) or 0
    page = clamp(page, total=total, per_page=per_page)
    jobs = db.session.scalars(
        select(Job)
        .options(selectinload(Job.user))
        .where(*conditions)
        .order_by(Job.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(items=list(jobs), page=page, per_page=per_page, total=total)


def started_by(user: User, *, page: int = 1, per_page: int = 24) -> Page[Job]:
    """The jobs a member started, newest first."""
    condition = Job.user_id == user.id
    total = db.session.scalar(select(func.count()).select_from(Job).where(condition)) or 0
    page = clamp(page, total=total, per_page=per_page)
    query = select(Job).where(condition).order_by(Job.id.desc()).limit(per_page)
    items = db.session.scalars(query.offset((page - 1) * per_page))
    return Page(items=list(items), page=page, per_page=per_page, total=total)


def counts() -> dict[JobStatus, int]:
    """How many jobs there are of each status."""
    rows = db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all()
    found = dict(rows)
    return {status: found.get(status, 0) for status in JobStatus}


def cancel(job: Job, *, by: User) -> str:
    """Cancel a queued job, or ask a running one to stop; say which happened."""
    if job.status is JobStatus.queued:
        # Conditional, so a worker that claims the job at this moment keeps it (and is asked
        # to stop below) rather than both thinking they won.
        cancelled = db.session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status == JobStatus.queued)
            .values(
                status=JobStatus.cancelled,
                finished_at=utcnow(),
                error=_("Cancelled by %(username)s before it ran.", username=by.username),
            )
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(job)
        if cancelled.rowcount == 1:
            engines.for_app(current_app).forget(job.id, attempt=job.attempts + 1)
            return _("Cancelled before it ran.")
    if job.status is JobStatus.running:
        job.cancel_requested = True
        db.session.flush()
        return _("Asked to stop: it stops at its next progress step.")
    raise JobError(_("That job has already ended."))


def retry(job: Job, *, by: User) -> Job:
    """Run a failed or cancelled job again, as a new job that points back at it."""
    if job.is_active:
        raise JobError(_("That job is still queued or running."))
    if job.status is JobStatus.finished:
        raise JobError(_("That job finished; start a new one instead."))
    return enqueue(
        job.name,
        label=job.label,
        arguments=job.arguments,
        user=by,
        subject=job.subject,
        retry_of=job,
    )


# Jobs about a catalog page: every editor may follow them, as they may start them.
EDITORS_FOLLOW = ("seeder.jobs.refresh_record",)


def can_follow(job: Job, user: User) -> bool:
    """Whether this member may see the job's progress: who started it, admins, editors for pages."""
    if user.is_admin or job.user_id == user.id:
        return True
    return user.can_edit and job.name in EDITORS_FOLLOW


def mode() -> str:
    """Which engine runs jobs here: "rq" or "threads" ("manual" in tests)."""
    return engines.engine_name(current_app)


def engine_status() -> dict[str, object]:
    """What the engine says about itself: which one, its workers or threads, its queue."""
    return engines.for_app(current_app).describe()


def reconcile(*, only: Job | None = None, other_engines: bool = True) -> int:
    """Fail the jobs whose worker or process is gone, so none waits for ever; return how many.

    Running jobs write a heartbeat every JOBS_HEARTBEAT_SECONDS, and the thread
    pool beats for the jobs it holds; RQ's queued jobs are looked up in Redis.
    `only` checks one job (a progress page); `other_engines=False` leaves jobs
    queued for another engine alone (a shell without the service's settings).
    Best effort: on a database too busy to write now, the next look does it.
    """
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config["JOBS_LOST_AFTER_SECONDS"])
    engine = engines.for_app(current_app)
    if only is not None:
        candidates = [only] if only.is_active else []
    else:
        candidates = list(db.session.scalars(select(Job).where(Job.status.in_(ACTIVE_STATUSES))))
    asker = _RedisAsker(engine)
    lost = 0
    try:
        for job in candidates:
            reason = _lost_reason(job, engine, asker, stale=stale, other_engines=other_engines)
            if reason is not None and _fail_if_unchanged(job, reason, now):
                lost += 1
    except OperationalError:
        db.session.rollback()
        return 0
    return lost


def _fail_if_unchanged(job: Job, reason: str, now: Any) -> bool:
    """Mark the job failed, unless it moved on since it was read (a worker claimed it)."""
    result = db.session.execute(
        update(Job)
        .where(Job.id == job.id, Job.status == job.status, Job.attempts == job.attempts)
        .values(status=JobStatus.failed, finished_at=now, error=reason)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(job)
    return result.rowcount == 1


class _RedisAsker:
    """Asks Redis whether it holds queued jobs, and stops asking once it does not answer."""

    def __init__(self, engine: Any) -> None:
        self.engine, self.answering = engine, True

    def holds(self, job: Job) -> bool | None:
        if not self.answering or not isinstance(engine := self.engine, engines.RQEngine):
            return None
        found = engine.holds(job.id, attempt=job.attempts + 1)
        self.answering = found is not None
        return found


def _lost_reason(
    job: Job, engine: Any, asker: _RedisAsker, *, stale: Any, other_engines: bool
) -> str | None:
    beat = job.heartbeat_at or job.started_at or job.created_at
    if job.status is JobStatus.running:
        if beat < stale:
            return _(
                "Its worker stopped while it ran (killed, crashed or restarted); "
                "retry it if it should still run."
            )
        return None
    if job.engine == "manual":
        return None
    if job.engine != engine.name:
        if not other_engines:
            return None
        return _(
            "It was queued for the %(engine)s engine, which this server no longer uses.",
            engine=job.engine,
        )
    if job.engine == "threads" and beat < stale:
        return _("The server process holding it stopped before it ran; retry it.")
    due = job.run_after or job.created_at
    if job.engine == "rq" and due < stale and asker.holds(job) is False:
        return _("Redis lost it (restarted or flushed) before a worker took it; retry it.")
    return None


def run_pending() -> int:
    """Run the jobs the manual engine holds, here and now (tests); return how many ran."""
    from .runner import perform

    engine = engines.for_app(current_app)
    ran = 0
    while isinstance(engine, engines.ManualEngine) and engine.pending:
        perform(engine.pending.pop(0))
        ran += 1
    return ran


STATUS_LABELS = {
    JobStatus.queued: _l("Queued"),
    JobStatus.running: _l("Running"),
    JobStatus.finished: _l("Finished"),
    JobStatus.failed: _l("Failed"),
    JobStatus.cancelled: _l("Cancelled"),
}


def shown(job: Job) -> dict[str, Any]:
    """What a page (and its polling script) shows of a job, ready to print."""
    from ..infra.progress import format_duration

    seconds = job.seconds
    if job.status is JobStatus.queued and job.run_after and job.run_after > utcnow():
        waiting = format_duration((job.run_after - utcnow()).total_seconds())
        state = _("Queued (next try in %(wait)s)", wait=waiting)
    elif job.status is JobStatus.running and job.cancel_requested:
        state = _("Stopping")
    else:
        state = str(STATUS_LABELS[job.status])
    if job.total:
        count = _(
            "%(done)s of %(total)s", done=format_decimal(job.done), total=format_decimal(job.total)
        )
    else:
        count = format_decimal(job.done)
    return {
        "id": job.id,
        "status": job.status.value,
        "state": state,
        "active": job.is_active,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "count": count if job.done or job.total else "",
        "message": job.message or "",
        "duration": format_duration(seconds) if seconds is not None else "",
        "result": job.result or [],
        "error": job.error or "",
    }
