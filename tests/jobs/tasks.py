"""Job functions the job tests run: counting, failing for a while, failing for good."""

from __future__ import annotations

import time
from pathlib import Path

from app.infra.db import db
from app.jobs import JobProgress, task
from app.models import Genre


class FlakyError(Exception):
    """A failure the `flaky` job says is worth another try."""


@task(timeout_seconds=120)
def count(*, progress: JobProgress, to: int, pause: float = 0.0) -> list[str]:
    """Count to `to`, a step every `pause` seconds, reporting each."""
    progress.start(to, "counting")
    for number in range(1, to + 1):
        time.sleep(pause)
        progress.advance(1, f"at {number}")
    return [f"counted to {to}"]


@task(retry_on=(FlakyError,), attempts=3)
def flaky(*, progress: JobProgress, tries_file: str, failures: int) -> list[str]:
    """Fail the first `failures` tries (counted in a file, so across processes), then work."""
    path = Path(tries_file)
    tries = int(path.read_text()) if path.exists() else 0
    path.write_text(str(tries + 1))
    if tries < failures:
        raise FlakyError(f"try {tries + 1} of a flaky job")
    return [f"worked on try {tries + 1}"]


@task()
def broken(*, progress: JobProgress) -> None:
    """Always fails, and not in a way worth retrying."""
    raise ValueError("this job always fails")


@task()
def add_genre(*, progress: JobProgress, name: str) -> list[str]:
    """Write a row and commit it, as real jobs do; a later failure must not undo it."""
    db.session.add(Genre(name=name, slug=name.lower()))
    db.session.commit()
    return [f"added {name}"]


@task()
def speak(*, progress: JobProgress) -> list[str]:
    """Say a few words through the translator, as job messages and results are said."""
    from flask_babel import gettext

    progress.start(1, gettext("Movies"))
    return [gettext("People")]
