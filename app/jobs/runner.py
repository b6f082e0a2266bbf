"""Running one job: the same steps under an RQ worker, in the thread pool and in tests."""

from __future__ import annotations

import logging
import random
import traceback
from datetime import timedelta

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import update

from ..infra import i18n
from ..infra.db import db, writing_job
from ..models import Job, JobStatus
from ..models.mixins import utcnow
from . import registry
from .progress import JobCancelledError, JobProgress

logger = logging.getLogger(__name__)
LONGEST_RETRY_WAIT = 3600.0


def perform(job_id: int) -> None:
    """Run the job with this id once, if it is still queued (what RQ's workers call)."""
    # The runner's and the job's SQLite transactions all write: take the lock up front.
    token = writing_job.set(True)
    try:
        if has_app_context():
            _perform(job_id)
        else:
            from .. import create_app  # an `rq worker` started outside `flask jobs worker`

            with create_app().app_context():
                _perform(job_id)
    finally:
        writing_job.reset(token)


def _perform(job_id: int) -> None:
    job = db.session.get(Job, job_id)
    if job is None or job.status is not JobStatus.queued:
        db.session.rollback()
        return  # cancelled, deleted, or delivered twice (RQ delivers at least once)
    task = registry.get(job.name)
    if task is None:
        _end(
            job,
            JobStatus.failed,
            error=_("No job function is called %(name)s.", name=repr(job.name)),
        )
        return
    arguments, manual = dict(job.arguments or {}), job.engine == "manual"
    locale = i18n.babel_name(i18n.supported(job.locale) or current_app.config["DEFAULT_LOCALE"])
    if not _claim(job_id):
        db.session.rollback()
        return  # a cancel, or another delivery, got there first
    db.session.commit()
    # From here the job row is read afresh only at the end: a read now would open a
    # transaction that (on SQLite) holds the write lock while the job runs.
    progress = JobProgress(
        job_id,
        engine=None if manual else db.engine,
        interval=current_app.config["JOBS_HEARTBEAT_SECONDS"],
    )
    progress.begin_beating()
    with force_locale(locale):
        _run(task, job_id, progress, arguments)


def _run(task: registry.Task, job_id: int, progress: JobProgress, arguments: dict) -> None:
    """Run the job's function and record how it ended."""
    try:
        lines = task.function(progress=progress, **arguments)
    except JobCancelledError:
        _after_run(progress)
        _end(_reloaded(job_id), JobStatus.cancelled, progress=progress, error=_("Cancelled."))
    except Exception as error:
        _after_run(progress)
        _failed(_reloaded(job_id), error, task, progress)
    except BaseException as error:  # the worker is being stopped: say so, then stop
        _after_run(progress)
        _end(_reloaded(job_id), JobStatus.failed, progress=progress, error=_describe(error))
        raise
    else:
        _after_run(progress)
        _end(_reloaded(job_id), JobStatus.finished, progress=progress, result=lines)


def _claim(job_id: int) -> bool:
    """Move the job from queued to running, unless something else changed it meanwhile.

    A conditional UPDATE, so of a cancel, a reconcile and two deliveries of
    one RQ job, exactly one wins (PostgreSQL makes the others wait for the row).
    """
    now = utcnow()
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.queued)
        .values(
            status=JobStatus.running,
            started_at=now,
            heartbeat_at=now,
            attempts=Job.attempts + 1,
            error=None,
            traceback=None,
        )
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def _after_run(progress: JobProgress) -> None:
    """Stop the heartbeat and drop what the job left uncommitted, before writing its outcome."""
    progress.stop_beating()
    db.session.rollback()


def _reloaded(job_id: int) -> Job:
    job = db.session.get(Job, job_id, populate_existing=True)
    assert job is not None
    return job


def _failed(job: Job, error: Exception, task: registry.Task, progress: JobProgress) -> None:
    """A failure: another try later if it is transient and tries are left, else failed."""
    job.traceback = "".join(traceback.format_exception(error))
    if isinstance(error, task.retry_on) and job.attempts < job.max_attempts:
        wait = retry_wait(job.attempts, current_app.config["JOBS_RETRY_SECONDS"])
        job.status = JobStatus.queued
        job.run_after = utcnow() + timedelta(seconds=wait)
        job.error = _(
            "Try %(attempt)s failed: %(error)s; trying again in %(seconds)s s.",
            attempt=job.attempts,
            error=_describe(error),
            seconds=f"{wait:.0f}",
        )
        _write_figures(job, progress)
        again = (job.id, job.name, job.attempts + 1)
        db.session.commit()
        from . import hand_over

        hand_over([again], delay=wait)
        return
    logger.warning("job %s (%s) failed: %s", job.id, job.name, _describe(error))
    _end(job, JobStatus.failed, progress=progress, error=_describe(error))


def _end(
    job: Job,
    status: JobStatus,
    *,
    progress: JobProgress | None = None,
    error: str | None = None,
    result: list[str] | None = None,
) -> None:
    job.status, job.finished_at = status, utcnow()
    if error is not None:
        job.error = error[:500]
    if result is not None:
        job.result = [str(line) for line in result]
    if progress is not None:
        _write_figures(job, progress)
    db.session.commit()


def _write_figures(job: Job, progress: JobProgress) -> None:
    figures = progress.snapshot()
    job.done, job.total, job.message = figures.done, figures.total, figures.message


def retry_wait(attempt: int, base: float) -> float:
    """Seconds before try `attempt + 1`: base, 4×base, 16×base…, with jitter, at most an hour."""
    ceiling = min(LONGEST_RETRY_WAIT, base * 4 ** (attempt - 1))
    return ceiling * random.uniform(0.75, 1.0)  # noqa: S311 (spreading retries, not security)


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    name = type(error).__name__
    return f"{name}: {text}" if text else name
