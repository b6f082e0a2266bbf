"""Jobs on a real engine, in a database the test commits to: the thread pool and RQ on Redis."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app, jobs
from app.infra import crypto
from app.infra.db import db, writing_job
from app.jobs import engines
from app.models import Job, JobStatus
from tests.factories import make_admin
from tests.jobs import tasks
from tests.support import MIGRATIONS, ROOT, make_config

FAST_JOBS = {
    "JOBS_HEARTBEAT_SECONDS": 0.1,
    "JOBS_LOST_AFTER_SECONDS": 1.5,
    "JOBS_RETRY_SECONDS": 0.0,
}


@pytest.fixture
def make_app(tmp_path, blank_database_url) -> Iterator[Callable[..., Flask]]:
    """Apps on one freshly migrated database of the suite's backend, with the engine asked for."""
    instance = tmp_path / "instance"
    crypto.initialize(instance, secret_key="k" * 48)
    made: list[Flask] = []

    def make(**settings) -> Flask:
        config = make_config(instance, blank_database_url, **FAST_JOBS, **settings)
        app = create_app(config)
        if not made:
            with app.app_context():
                flask_migrate.upgrade(directory=MIGRATIONS)
        made.append(app)
        return app

    yield make
    for app in made:
        engine = app.extensions.get("marquee.jobs")
        if isinstance(engine, engines.ThreadEngine):
            engine.shutdown()
        with app.app_context():
            db.engine.dispose()


def wait_for(app: Flask, job_id: int, check: Callable[[Job], bool], timeout: float = 20) -> Job:
    """Read the job afresh until `check` holds (or fail after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            job = db.session.get(Job, job_id)
            db.session.expunge_all()
        if check(job):
            return job
        assert time.monotonic() < deadline, f"job {job_id} is {job.status.value}: {job.error}"
        time.sleep(0.05)


@contextmanager
def writing(app: Flask) -> Iterator[None]:
    """An app context whose SQLite transactions take the write lock first, as a POST's do.

    Running jobs commit several times a second; a transaction that read before
    another commit could not write after it.
    """
    token = writing_job.set(True)
    try:
        with app.app_context():
            yield
    finally:
        writing_job.reset(token)


def start(app: Flask, function, **arguments) -> int:
    """Enqueue a job and commit, as a view does."""
    with writing(app):
        job = jobs.enqueue(function, label=function.__name__, arguments=arguments)
        db.session.commit()
        return job.id


# The in-process thread pool --------------------------------------------------------------


def test_threads_run_a_job_and_show_its_progress_while_it_runs(make_app):
    app = make_app(JOBS_ENGINE="threads")
    job_id = start(app, tasks.count, to=40, pause=0.05)

    halfway = wait_for(app, job_id, lambda job: job.status is JobStatus.running and job.done > 0)
    assert halfway.total == 40
    assert halfway.done < 40
    assert halfway.message.startswith("at ")
    finished = wait_for(app, job_id, lambda job: job.status is JobStatus.finished)
    assert (finished.done, finished.result) == (40, ["counted to 40"])
    assert finished.engine == "threads"


def test_threads_retry_a_transient_failure(make_app, tmp_path):
    app = make_app(JOBS_ENGINE="threads")
    job_id = start(app, tasks.flaky, tries_file=str(tmp_path / "tries"), failures=1)
    finished = wait_for(app, job_id, lambda job: job.status is JobStatus.finished)
    assert finished.attempts == 2
    assert finished.result == ["worked on try 2"]


def test_threads_stop_a_running_job_that_is_cancelled(make_app):
    app = make_app(JOBS_ENGINE="threads")
    job_id = start(app, tasks.count, to=1000, pause=0.02)
    wait_for(app, job_id, lambda job: job.done > 0)
    with writing(app):
        admin = make_admin()
        jobs.cancel(db.session.get(Job, job_id), by=admin)
        db.session.commit()
    cancelled = wait_for(app, job_id, lambda job: not job.is_active)
    assert cancelled.status is JobStatus.cancelled
    assert 0 < cancelled.done < 1000


def test_threads_run_at_most_their_pool_size_at_once(make_app):
    app = make_app(JOBS_ENGINE="threads", JOBS_THREADS=1)
    first = start(app, tasks.count, to=20, pause=0.05)
    second = start(app, tasks.count, to=1)
    wait_for(app, first, lambda job: job.status is JobStatus.running)
    with app.app_context():
        assert db.session.get(Job, second).status is JobStatus.queued
    wait_for(app, second, lambda job: job.status is JobStatus.finished)
    with app.app_context():
        assert db.session.get(Job, first).finished_at <= db.session.get(Job, second).started_at


def test_a_queued_job_its_process_lost_is_shown_as_failed(make_app):
    # A web process that held the job in its pool stopped: nobody beats for it any more.
    app = make_app(JOBS_ENGINE="threads")
    with writing(app):
        job = Job(name=tasks.count.job_name, label="count", engine="threads", arguments={"to": 1})
        db.session.add(job)
        db.session.commit()
        time.sleep(FAST_JOBS["JOBS_LOST_AFTER_SECONDS"] + 0.2)
        assert jobs.reconcile() == 1
        db.session.commit()
        assert "process holding it stopped" in db.session.get(Job, job.id).error


# RQ on Redis, with `flask jobs worker` processes -----------------------------------------


@pytest.fixture
def rq_settings(redis_url) -> Iterator[dict[str, str]]:
    """A queue of this test's own on the test Redis, emptied afterwards."""
    import redis
    from rq import Queue

    queue = f"test-{uuid.uuid4().hex[:8]}"
    yield {"REDIS_URL": redis_url, "JOBS_ENGINE": "rq", "JOBS_QUEUE": queue}
    connection = redis.Redis.from_url(redis_url)
    Queue(queue, connection=connection).empty()
    connection.close()


def worker_environment(app: Flask, settings: dict[str, str]) -> dict[str, str]:
    """The environment of a `flask jobs worker` process on the same database and queue."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "MARQUEE_", "DATABASE_URL", "REDIS_URL"))
    }
    environment.update(
        MARQUEE_ENV="test",
        MARQUEE_INSTANCE_PATH=app.instance_path,
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=settings["REDIS_URL"],
        FLASK_JOBS_QUEUE=settings["JOBS_QUEUE"],
        **{f"FLASK_{name}": str(value) for name, value in FAST_JOBS.items()},
        PYTHONPATH=str(ROOT),
    )
    return environment


def run_worker(app: Flask, settings: dict[str, str], *args: str, **options):
    """`flask jobs worker …` in a process of its own."""
    command = [sys.executable, "-m", "flask", "jobs", "worker", *args]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=worker_environment(app, settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **options,
    )


def test_an_rq_worker_runs_jobs_retries_and_records_failures(make_app, rq_settings, tmp_path):
    app = make_app(**rq_settings)
    counted = start(app, tasks.count, to=5)
    flaky = start(app, tasks.flaky, tries_file=str(tmp_path / "tries"), failures=1)
    broken = start(app, tasks.broken)

    worker = run_worker(app, rq_settings, "--burst")
    output, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0, output

    with app.app_context():
        rows = {job.id: job for job in db.session.scalars(select(Job))}
        assert rows[counted].status is JobStatus.finished
        assert (rows[counted].done, rows[counted].result) == (5, ["counted to 5"])
        assert rows[counted].engine == "rq"
        assert rows[flaky].status is JobStatus.finished, (rows[flaky].error, output)
        assert rows[flaky].attempts == 2
        assert rows[broken].status is JobStatus.failed
        assert "ValueError: this job always fails" in rows[broken].traceback
        assert jobs.engine_status()["in_queue"] == 0


def test_a_killed_rq_worker_leaves_its_job_shown_as_failed(make_app, rq_settings):
    app = make_app(**rq_settings)
    job_id = start(app, tasks.count, to=10_000, pause=0.01)
    worker = run_worker(app, rq_settings, start_new_session=True)
    try:
        running = wait_for(app, job_id, lambda job: job.done > 0, timeout=60)
        assert running.status is JobStatus.running
        with app.app_context():
            assert jobs.engine_status()["workers"] == 1
    finally:
        # The worker, the scheduler and the process running the job (RQ gives that one a
        # session of its own): what a crash or the OOM killer would leave.
        for pid in [worker.pid, *descendants(worker.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        worker.communicate(timeout=10)

    time.sleep(FAST_JOBS["JOBS_LOST_AFTER_SECONDS"] + 0.3)
    with writing(app):
        assert jobs.reconcile() == 1
        db.session.commit()
        lost = db.session.get(Job, job_id)
        assert lost.status is JobStatus.failed
        assert "worker stopped" in lost.error
        assert 0 < lost.done < 10_000


def descendants(pid: int) -> list[int]:
    """Every process started by `pid`, and by those, from /proc."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            for child in map(int, (task / "children").read_text().split()):
                found += [child, *descendants(child)]
    return found


def test_the_worker_refuses_to_start_without_redis(make_app):
    app = make_app(JOBS_ENGINE="threads")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 1
    assert "no REDIS_URL is set" in result.output
