"""Sync and refresh runs: the catalog-wide lock, where the last sync got to, what each run did."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..infra.db import db
from ..models import Movie, SyncKind, SyncRun, SyncStatus
from ..models.mixins import utcnow
from .errors import ServiceError

# A run on another machine whose heartbeat is older than this is taken to be dead.
STALE_AFTER = timedelta(minutes=15)
HEARTBEAT_SECONDS = 60.0
KEPT_FAILURES = 200
logger = logging.getLogger(__name__)


class SyncBusyError(ServiceError):
    """Another sync or refresh holds the lock."""


def begin(
    *,
    kind: SyncKind,
    window_start: date | None = None,
    window_end: date | None = None,
    dry_run: bool = False,
    job_id: int | None = None,
) -> SyncRun:
    """Record a new run holding the catalog-wide lock (a dry run takes none).

    A run whose process is gone (killed, crashed) is marked interrupted and
    its lock taken over; a live one makes this raise SyncBusyError.
    """
    run = SyncRun(
        kind=kind,
        status=SyncStatus.running,
        running_slot=None if dry_run else 1,
        dry_run=dry_run,
        window_start=window_start,
        window_end=window_end,
        # Nothing applied yet: a run that fails at once sends the next one back here.
        cursor=None if dry_run else window_start,
        counts={},
        hidden=[],
        failures=[],
        host=socket.gethostname()[:200],
        pid=os.getpid(),
        job_id=job_id,
    )
    for _attempt in range(2):
        try:
            with db.session.begin_nested():
                db.session.add(run)
            return run
        except IntegrityError:
            holder = db.session.scalar(select(SyncRun).where(SyncRun.running_slot == 1))
            if holder is not None and not _is_gone(holder):
                raise SyncBusyError(_busy_message(holder)) from None
            if holder is not None:
                _interrupted(holder)
    raise SyncBusyError(_("Another sync or refresh just started: try again when it ends."))


def _busy_message(holder: SyncRun) -> str:
    """Why a run cannot start: which run holds the lock, since when, where."""
    values = {
        "id": holder.id,
        "started": f"{holder.started_at:%Y-%m-%d %H:%M}",
        "host": holder.host,
        "pid": holder.pid,
    }
    if holder.kind is SyncKind.refresh:
        return _(
            "Another refresh is running (run %(id)s, started %(started)s UTC on %(host)s, "
            "process %(pid)s): try again when it ends.",
            **values,
        )
    return _(
        "Another sync is running (run %(id)s, started %(started)s UTC on %(host)s, "
        "process %(pid)s): try again when it ends.",
        **values,
    )


def _is_gone(run: SyncRun) -> bool:
    """Whether the process holding the lock has stopped.

    On this machine the process table says; a run on another machine is taken
    to be dead once its heartbeat (written every minute) is STALE_AFTER old.
    """
    if run.host != socket.gethostname()[:200]:
        return utcnow() - run.heartbeat_at > STALE_AFTER
    try:
        os.kill(run.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Heartbeat:
    """While a run works (`with Heartbeat(run.id, engine):`), its heartbeat is written every minute.

    On a connection of its own, so a long fetch with no commit still shows the
    run alive to a second run deciding whether to take its lock.
    """

    def __init__(self, run_id: int, engine: Any, interval: float = HEARTBEAT_SECONDS) -> None:
        self.run_id, self.engine, self.interval = run_id, engine, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="sync-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        update(SyncRun)
                        .where(SyncRun.id == self.run_id)
                        .values(heartbeat_at=utcnow())
                    )
            except SQLAlchemyError as error:
                logger.warning("sync run %s: heartbeat not written (%s)", self.run_id, error)


def _interrupted(run: SyncRun) -> None:
    run.status, run.running_slot = SyncStatus.interrupted, None
    run.finished_at = run.heartbeat_at
    run.error = _("Stopped before it finished (killed or crashed); the next run went on from here.")
    db.session.flush()


def beat(run: SyncRun) -> None:
    """Say the run is alive (every window or batch)."""
    run.heartbeat_at = utcnow()
    db.session.flush()


def window_done(run: SyncRun, *, day: date | None, counts: Mapping[str, int]) -> None:
    """Record a window (or batch) fully applied: the next sync starts from `day`."""
    if day is not None:
        run.cursor = day
    add_counts(run, counts)
    beat(run)


def add_counts(run: SyncRun, counts: Mapping[str, int]) -> None:
    """Add to the run's counts."""
    total = dict(run.counts or {})
    for name, number in counts.items():
        total[name] = total.get(name, 0) + number
    run.counts = total


def note_failures(run: SyncRun, kind: str, failed: Mapping[int, str]) -> None:
    """Keep the first few hundred records that could not be refetched, with the reason."""
    kept = list(run.failures or [])
    for tmdb_id, reason in failed.items():
        if len(kept) >= KEPT_FAILURES:
            break
        kept.append({"kind": kind, "tmdb_id": tmdb_id, "reason": reason})
    run.failures = kept


def note_hidden(run: SyncRun, entries: list[dict[str, Any]]) -> None:
    """List records hidden because TMDB no longer has them."""
    run.hidden = [*(run.hidden or []), *entries]


def finish(run: SyncRun, *, error: str | None = None) -> None:
    """End the run (failed when there is an error) and free the lock."""
    run.status = SyncStatus.failed if error else SyncStatus.finished
    run.error = error
    run.finished_at = run.heartbeat_at = utcnow()
    run.running_slot = None
    db.session.flush()


def last_cursor() -> date | None:
    """Where the next sync starts: the cursor of the latest sync run that was not a dry run."""
    return db.session.scalar(
        select(SyncRun.cursor)
        .where(
            SyncRun.kind == SyncKind.sync,
            SyncRun.dry_run.is_(False),
            SyncRun.cursor.is_not(None),
        )
        .order_by(SyncRun.id.desc())
        .limit(1)
    )


def catalog_as_of() -> date | None:
    """Where a first sync starts: the day the catalog's oldest movie was fetched.

    date.min when some movie's fetch time is not known (loaded before fetch
    times were kept); None when the catalog has no TMDB movies.
    """
    oldest = db.session.scalar(select(func.min(Movie.fetched_at)))
    if oldest is not None:
        return oldest.date()
    loaded = db.session.scalar(select(func.max(Movie.updated_at)).where(Movie.tmdb_id.is_not(None)))
    return loaded.date() if loaded else None


def recent(limit: int = 10) -> list[SyncRun]:
    """The latest runs, newest first."""
    return list(db.session.scalars(select(SyncRun).order_by(SyncRun.id.desc()).limit(limit)))
