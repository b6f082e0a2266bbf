"""`flask jobs …`: run the RQ worker, list background jobs."""

from __future__ import annotations

import os
import socket
import uuid

import click
import redis
from flask import current_app

from .. import jobs
from ..infra.db import db
from ..jobs import engines
from ..models import JobStatus
from .database import needs_migrated_database


@click.group("jobs", help="Background jobs: the RQ worker, and what ran.")
def group() -> None:
    """Background jobs."""


@group.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs already queued, then exit.")
@needs_migrated_database
def worker_command(burst: bool) -> None:
    """Run queued jobs from Redis (RQ), with retries on their schedule, until stopped."""
    from rq import Worker

    if engines.engine_name(current_app) != "rq":
        raise click.ClickException(
            "flask jobs worker runs RQ jobs, and no REDIS_URL is set: without Redis, "
            "jobs run inside the web process and need no worker."
        )
    engine = engines.for_app(current_app)
    assert isinstance(engine, engines.RQEngine)
    try:
        engine.connection.ping()
    except redis.RedisError as error:
        raise click.ClickException(
            f"Redis at REDIS_URL does not answer ({type(error).__name__})."
        ) from None
    lost = jobs.reconcile()
    db.session.commit()
    if lost:
        click.echo(f"{lost} job{'s' if lost != 1 else ''} whose worker had stopped marked failed.")
    # Each job runs in a forked process: it must not inherit this one's connections.
    db.session.remove()
    db.engine.dispose()
    worker = Worker(
        [engine.queue],
        connection=engine.connection,
        name=f"marquee-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}",
    )
    worker.work(burst=burst, with_scheduler=True, logging_level=current_app.config["LOG_LEVEL"])


@group.command("list")
@click.option(
    "--status", type=click.Choice([status.value for status in JobStatus]), help="Only these."
)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@needs_migrated_database
def list_command(status: str | None, limit: int) -> None:
    """The latest jobs: id, state, progress, who started it, and how it ended."""
    jobs.reconcile(other_engines=False)
    db.session.commit()
    page = jobs.recent(status=JobStatus(status) if status else None, per_page=limit)
    described = jobs.engine_status()
    click.echo(f"engine: {', '.join(f'{key} {value}' for key, value in described.items())}")
    if not page.items:
        click.echo("No jobs.")
    for job in page.items:
        progress = f"{job.done}/{job.total}" if job.total else str(job.done)
        who = job.user.username if job.user else "-"
        outcome = job.error or "; ".join(job.result or []) or job.message or ""
        click.echo(
            f"{job.id:>6}  {job.status.value:<9} {progress:>11}  {who:<16} {job.label}"
            + (f"  — {outcome}" if outcome else "")
        )
