"""Background job functions for the seeder: sync, refresh by age, one record on demand.

Named by import path ("seeder.jobs.refresh_record"), so the app enqueues
them without importing the seeder; a worker imports this module on first use.
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import func, select

from app.infra.db import db
from app.jobs import JobProgress, task
from app.models import Credit, Import, Movie, Person
from app.services.edits.fields import dump

from . import lookup, sync
from .load import MOVIE_FIELDS, PERSON_FIELDS
from .tmdb import TMDBUnavailableError

# A refresh that TMDB kept failing is tried again later; a missing key is not.
TRANSIENT = (TMDBUnavailableError,)


@task(retry_on=TRANSIENT, timeout_seconds=6 * 3600)
def sync_changes(
    *, progress: JobProgress, since: str | None = None, dry_run: bool = False
) -> list[str]:
    """`flask seed sync` as a job."""
    refresher = sync.from_app(current_app, reporter=progress)
    summary = sync.Syncer(refresher).run(
        since=date.fromisoformat(since) if since else None, dry_run=dry_run, job_id=progress.job_id
    )
    return summary.lines()


@task(retry_on=TRANSIENT, timeout_seconds=3 * 3600)
def refresh_stale(*, progress: JobProgress, limit: int | None = None) -> list[str]:
    """`flask seed refresh --stale` as a job."""
    config = current_app.config
    refresher = sync.from_app(current_app, reporter=progress)
    summary = sync.refresh_stale(
        refresher,
        ages=sync.Ages.from_config(config),
        limit=limit or config["REFRESH_BATCH"],
        job_id=progress.job_id,
    )
    return summary.lines()


@task(retry_on=TRANSIENT, timeout_seconds=600)
def refresh_record(*, progress: JobProgress, kind: str, entity_id: int) -> list[str]:
    """Refetch one movie (with its credits) or person from TMDB and say what changed."""
    model, fields = (Movie, MOVIE_FIELDS) if kind == "movie" else (Person, PERSON_FIELDS)
    entity = db.session.get(model, entity_id)
    if entity is None or entity.tmdb_id is None:
        return ["Nothing to refresh: that page is gone or was made here, not on TMDB."]
    label = entity.title if kind == "movie" else entity.name
    before = _snapshot(entity, fields)
    credits_before = _credit_count(entity)
    tmdb_id = entity.tmdb_id
    db.session.commit()
    progress.start(1, f"Asking TMDB for {label}")
    refresher = sync.from_app(current_app, reporter=progress)
    applied = refresher.apply([tmdb_id], []) if kind == "movie" else refresher.apply([], [tmdb_id])
    progress.advance(1, "Loaded")
    if applied.hidden:
        if kind == "movie":
            return [
                f"TMDB no longer has {label}, so it is now hidden (an editor can show it again)."
            ]
        return [
            f"TMDB no longer has {label}, so the page is now hidden (an editor can show it again)."
        ]
    failed = applied.failed[kind].get(tmdb_id)
    if failed:
        raise TMDBUnavailableError(failed)
    entity = db.session.get(model, entity_id, populate_existing=True)
    changed = [name for name, value in _snapshot(entity, fields).items() if before[name] != value]
    lines = [f"Refetched {label} from TMDB."]
    lines.append(
        "Changed: " + ", ".join(name.replace("_", " ") for name in changed) + "."
        if changed
        else "Its fields were already up to date."
    )
    credits_after = _credit_count(entity)
    if credits_after != credits_before:
        lines.append(f"Credits: {credits_before} before, {credits_after} now.")
    if applied.added_people:
        lines.append(f"{applied.added_people} newly credited people added.")
    db.session.commit()
    return lines


@task(retry_on=TRANSIENT, timeout_seconds=3600)
def find_for_import(*, progress: JobProgress, import_id: int) -> list[str]:
    """Look for an import's queued films on TMDB, add them to the catalog, and match again."""
    imported = db.session.get(Import, import_id)
    if imported is None:
        return ["That import was deleted before its films were looked for."]
    refresher = sync.from_app(current_app, reporter=progress)
    limit = current_app.config["IMPORT_TMDB_LOOKUPS"]
    return lookup.look_up_queued(imported, refresher, limit=limit).lines()


def _snapshot(entity: Movie | Person, fields: tuple[str, ...]) -> dict[str, object]:
    return {name: dump(getattr(entity, name)) for name in fields}


def _credit_count(entity: Movie | Person) -> int:
    column = Credit.movie_id if isinstance(entity, Movie) else Credit.person_id
    return db.session.scalar(select(func.count()).where(column == entity.id)) or 0
