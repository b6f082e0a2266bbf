"""Where queued jobs go: RQ on Redis, a bounded in-process thread pool, or a list (tests)."""

from __future__ import annotations

import contextlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import redis
from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from ..infra.db import db
from ..models import Job
from ..models.mixins import utcnow

logger = logging.getLogger(__name__)
PERFORM = "app.jobs.runner.perform"
# RQ keeps a failed job's record this long; ours is in the jobs table for good.
RQ_FAILURE_TTL = 7 * 24 * 3600


class QueueUnavailableError(Exception):
    """The job queue (Redis) did not take the job."""


class RQEngine:
    """RQ: `flask jobs worker` processes run the jobs; the scheduler in them runs delayed ones."""

    name = "rq"

    def __init__(self, url: str, queue_name: str) -> None:
        from rq import Queue

        self.connection = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self.queue = Queue(queue_name, connection=self.connection)

    def dispatch(self, job_id: int, *, attempt: int, delay: float, timeout_seconds: int) -> None:
        """Put the job on the Redis queue (delayed jobs in RQ's schedule)."""
        options = {
            "job_id": rq_job_id(job_id, attempt),
            "job_timeout": timeout_seconds,
            "result_ttl": 0,
            "failure_ttl": RQ_FAILURE_TTL,
            "description": f"marquee job {job_id}",
        }
        try:
            if delay > 0:
                self.queue.enqueue_in(timedelta(seconds=delay), PERFORM, job_id, **options)
            else:
                self.queue.enqueue(PERFORM, job_id, **options)
        except redis.RedisError as error:
            raise QueueUnavailableError(
                _("The job queue (Redis) did not answer (%(error)s).", error=type(error).__name__)
            ) from None

    def describe(self) -> dict[str, object]:
        """The queue's name, its length and the live workers."""
        from rq import Worker

        try:
            workers = Worker.count(queue=self.queue)
            waiting = self.queue.count
        except redis.RedisError as error:
            return {"engine": self.name, "queue": self.queue.name, "problem": type(error).__name__}
        return {
            "engine": self.name,
            "queue": self.queue.name,
            "workers": workers,
            "in_queue": waiting,
        }

    def forget(self, job_id: int, *, attempt: int) -> None:
        """Take the job off the queue; the runner skips it anyway if it is already on its way."""
        from rq.exceptions import InvalidJobOperation, NoSuchJobError
        from rq.job import Job as RQJob

        with contextlib.suppress(NoSuchJobError, InvalidJobOperation, redis.RedisError):
            RQJob.fetch(rq_job_id(job_id, attempt), connection=self.connection).cancel()

    def holds(self, job_id: int, *, attempt: int) -> bool | None:
        """Whether Redis still has the job (None: Redis did not answer)."""
        from rq.job import Job as RQJob

        try:
            return RQJob.exists(rq_job_id(job_id, attempt), connection=self.connection)
        except redis.RedisError:
            return None


class ThreadEngine:
    """A bounded pool in this process, for installs without Redis.

    Jobs it holds get a heartbeat while they wait, so a restart that loses
    them shows them as lost instead of queued for ever.
    """

    name = "threads"

    def __init__(self, app: Flask, *, threads: int, heartbeat_seconds: float) -> None:
        self.app = app
        self.threads = max(1, threads)
        self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="job")
        self._waiting: set[int] = set()
        self._lock = threading.Lock()
        self._interval = heartbeat_seconds
        self._keeper: threading.Thread | None = None

    def dispatch(self, job_id: int, *, attempt: int, delay: float, timeout_seconds: int) -> None:
        """Hand the job to the pool (after `delay`, on a timer)."""
        with self._lock:
            self._waiting.add(job_id)
            if self._keeper is None:
                self._keeper = threading.Thread(
                    target=self._keep_waiting_alive, name="job-keeper", daemon=True
                )
                self._keeper.start()
        if delay > 0:
            timer = threading.Timer(delay, self._submit, args=(job_id,))
            timer.daemon = True
            timer.start()
        else:
            self._submit(job_id)

    def _submit(self, job_id: int) -> None:
        self._pool.submit(self._run, job_id)

    def _run(self, job_id: int) -> None:
        from .runner import perform

        with self._lock:
            self._waiting.discard(job_id)
        try:
            with self.app.app_context():
                try:
                    perform(job_id)
                finally:
                    db.session.remove()
        except Exception:
            logger.exception("job %s: the runner itself failed", job_id)

    def _keep_waiting_alive(self) -> None:
        while True:
            threading.Event().wait(self._interval)
            with self._lock:
                waiting = sorted(self._waiting)
            if not waiting:
                continue
            try:
                with self.app.app_context(), db.engine.begin() as connection:
                    connection.execute(
                        update(Job).where(Job.id.in_(waiting)).values(heartbeat_at=utcnow())
                    )
            except SQLAlchemyError as error:
                logger.warning("queued jobs: heartbeat not written (%s)", type(error).__name__)

    def describe(self) -> dict[str, object]:
        """The pool's size and how many jobs wait in it."""
        with self._lock:
            waiting = len(self._waiting)
        return {"engine": self.name, "threads": self.threads, "in_queue": waiting}

    def forget(self, job_id: int, *, attempt: int) -> None:
        """Nothing to take back: the runner skips a cancelled job when its turn comes."""
        with self._lock:
            self._waiting.discard(job_id)

    def shutdown(self) -> None:
        """Wait for running jobs and drop waiting ones (tests)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


class ManualEngine:
    """Keeps job ids until `run_pending()`: tests run jobs inside their own transaction."""

    name = "manual"

    def __init__(self) -> None:
        self.pending: list[int] = []

    def dispatch(self, job_id: int, *, attempt: int, delay: float, timeout_seconds: int) -> None:
        """Remember the id."""
        self.pending.append(job_id)

    def describe(self) -> dict[str, object]:
        """How many wait."""
        return {"engine": self.name, "in_queue": len(self.pending)}

    def forget(self, job_id: int, *, attempt: int) -> None:
        """Drop the id."""
        if job_id in self.pending:
            self.pending.remove(job_id)


def rq_job_id(job_id: int, attempt: int) -> str:
    """The RQ job id of one try of one of our jobs.

    Each try has its own: a retry queued while its failed try is still
    finishing would otherwise be overwritten, then deleted, by that try's end.
    """
    return f"marquee-{job_id}-{attempt}"


def engine_name(app: Flask) -> str:
    """The engine this configuration picks: JOBS_ENGINE, or RQ when REDIS_URL is set."""
    chosen = app.config.get("JOBS_ENGINE") or "auto"
    if chosen == "auto":
        return "rq" if app.config.get("REDIS_URL") else "threads"
    return chosen


def for_app(app: Flask) -> RQEngine | ThreadEngine | ManualEngine:
    """The app's engine, made on first use."""
    app = app._get_current_object() if hasattr(app, "_get_current_object") else app
    engine = app.extensions.get("marquee.jobs")
    if engine is None:
        name = engine_name(app)
        if name == "rq":
            engine = RQEngine(app.config["REDIS_URL"], app.config["JOBS_QUEUE"])
        elif name == "threads":
            engine = ThreadEngine(
                app,
                threads=app.config["JOBS_THREADS"],
                heartbeat_seconds=app.config["JOBS_HEARTBEAT_SECONDS"],
            )
        else:
            engine = ManualEngine()
        app.extensions["marquee.jobs"] = engine
    return engine
