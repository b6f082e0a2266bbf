"""What a running job reports: done/total and a message, written where a page can poll it."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..models import Job
from ..models.mixins import utcnow

logger = logging.getLogger(__name__)


class JobCancelledError(Exception):
    """An admin asked the running job to stop; it stops at its next progress report."""


@dataclass
class Snapshot:
    """The progress figures at one moment."""

    done: int = 0
    total: int | None = None
    message: str | None = None


class JobProgress:
    """Handed to a job function: `start(total)`, then `advance()` as work gets done.

    The job's own thread only updates figures in memory; a beat thread writes
    them with a heartbeat on a connection of its own every few seconds, so a
    job in the middle of a long transaction still shows how far it got (and,
    on SQLite, never waits for the write lock to report).
    """

    def __init__(self, job_id: int, *, engine: Engine | None, interval: float) -> None:
        self.job_id = job_id
        self._engine = engine
        self._interval = max(0.05, interval)
        self._lock = threading.Lock()
        self._figures = Snapshot()
        self._written: Snapshot | None = None
        self._cancelled = threading.Event()
        self._stopped = threading.Event()
        self._beat: threading.Thread | None = None

    def start(self, total: int | None, message: str | None = None) -> None:
        """Say how much work there is (None: not known yet) and begin counting from zero."""
        with self._lock:
            self._figures = Snapshot(0, total, _short(message) or self._figures.message)
        self.check()

    def advance(self, count: int = 1, message: str | None = None) -> None:
        """Count `count` more done; stop here if an admin cancelled the job."""
        with self._lock:
            self._figures.done += count
            if message is not None:
                self._figures.message = _short(message)
        self.check()

    def note(self, message: str) -> None:
        """Change the message alone."""
        with self._lock:
            self._figures.message = _short(message)
        self.check()

    def check(self) -> None:
        """Raise JobCancelledError if the job was cancelled."""
        if self._cancelled.is_set():
            raise JobCancelledError

    def snapshot(self) -> Snapshot:
        """The current figures."""
        with self._lock:
            return Snapshot(self._figures.done, self._figures.total, self._figures.message)

    def begin_beating(self) -> None:
        """Start writing heartbeats and figures (not for jobs run inside a test's transaction)."""
        if self._engine is None:
            return
        self._beat = threading.Thread(
            target=self._beat_loop, name=f"job-{self.job_id}-beat", daemon=True
        )
        self._beat.start()

    def stop_beating(self) -> None:
        """Stop the beat thread and wait for it."""
        self._stopped.set()
        if self._beat is not None:
            self._beat.join(timeout=30)

    def _beat_loop(self) -> None:
        while not self._stopped.wait(self._interval):
            self.write_beat()

    def write_beat(self) -> None:
        """Write the figures and the heartbeat once, and read whether the job was cancelled."""
        assert self._engine is not None
        figures = self.snapshot()
        values: dict[str, object] = {"heartbeat_at": utcnow()}
        if figures != self._written:
            values.update(done=figures.done, total=figures.total, message=figures.message)
        try:
            with self._engine.begin() as connection:
                connection.execute(update(Job).where(Job.id == self.job_id).values(**values))
                cancel = connection.execute(
                    select(Job.cancel_requested).where(Job.id == self.job_id)
                ).scalar()
        except SQLAlchemyError as error:
            # A busy database delays a progress line, nothing more; the next beat tries again.
            logger.warning("job %s: progress not written (%s)", self.job_id, type(error).__name__)
            return
        self._written = figures
        if cancel:
            self._cancelled.set()


def _short(message: str | None) -> str | None:
    if message is None:
        return None
    return message if len(message) <= 300 else message[:299] + "…"
