"""Keeping the catalog fresh: TMDB's change lists, refresh by age, one record on demand.

Each goes through the same stages as a first fill: fetch (the client's rate
limit and retries), process, then load as upserts, which keeps hand-locked
fields and writes TMDB's value beside them (services.edits.locks). Only
records already in the catalog are refetched, plus the people a changed
movie newly credits.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol, TextIO

from flask import Flask
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.infra.db import db
from app.models import Movie, Person, SyncKind, SyncRun
from app.services import syncs
from app.services.edits import deletes

from . import output_dir
from .fetch import DEFAULT_CAST_LIMIT, Fetcher, StageCount
from .load import Loader, LoadSummary
from .process import process
from .storage import RAW, RawStore
from .tmdb import CHANGES_WINDOW_DAYS, ClientSettings, TMDBClient, TooManyChangesError

# How far back a first sync reads: TMDB keeps change lists for the last 14 days.
FIRST_SYNC_DAYS = 14


class SyncError(Exception):
    """A sync cannot start as asked; the message says why."""


class Reporter(Protocol):
    """Where progress goes: a job's JobProgress, or nowhere."""

    def start(self, total: int | None, message: str | None = None) -> None: ...

    def advance(self, count: int = 1, message: str | None = None) -> None: ...

    def note(self, message: str) -> None: ...


class Quiet:
    """A Reporter for the command line, where each stage prints its own progress."""

    def start(self, total: int | None, message: str | None = None) -> None:
        """Nothing."""

    def advance(self, count: int = 1, message: str | None = None) -> None:
        """Nothing."""

    def note(self, message: str) -> None:
        """Nothing."""


@dataclass
class Applied:
    """What refetching some records did."""

    refetched: int = 0
    updated: int = 0
    added_people: int = 0
    hidden: list[dict[str, object]] = field(default_factory=list)
    failed: dict[str, dict[int, str]] = field(default_factory=lambda: {"movie": {}, "person": {}})
    load: LoadSummary | None = None

    def counts(self) -> dict[str, int]:
        """The counts a sync run keeps."""
        failed = sum(len(ids) for ids in self.failed.values())
        return {
            "refetched": self.refetched,
            "updated": self.updated,
            "unchanged": max(0, self.refetched - self.updated),
            "hidden": len(self.hidden),
            "failed": failed,
            "added_people": self.added_people,
        }


@dataclass
class SyncSummary:
    """The outcome of a sync or refresh run, as the command prints it."""

    run: SyncRun
    windows: list[tuple[date, date]]
    would_refetch: dict[str, list[int]] = field(default_factory=lambda: {"movie": [], "person": []})

    def lines(self) -> list[str]:
        """Summary lines."""
        run, counts = self.run, self.run.counts or {}
        lines = []
        if self.windows:
            first, last = self.windows[0][0], self.windows[-1][1]
            lines.append(
                f"changes from {first} to {last} ({len(self.windows)} window"
                f"{'' if len(self.windows) == 1 else 's'} of up to {CHANGES_WINDOW_DAYS} days)"
            )
        if run.kind is SyncKind.sync:
            lines.append(
                f"changed ids seen: {counts.get('seen', 0):,}, "
                f"in this catalog: {counts.get('in_catalog', 0):,}"
            )
        if run.dry_run:
            movies, people = self.would_refetch["movie"], self.would_refetch["person"]
            lines.append(f"would refetch {len(movies):,} movies and {len(people):,} people")
            lines.extend(f"  movie {tmdb_id}" for tmdb_id in movies[:50])
            lines.extend(f"  person {tmdb_id}" for tmdb_id in people[:50])
            return lines
        lines.append(
            f"refetched {counts.get('refetched', 0):,}: {counts.get('updated', 0):,} updated, "
            f"{counts.get('unchanged', 0):,} unchanged; {counts.get('hidden', 0):,} hidden "
            f"(gone from TMDB), {counts.get('failed', 0):,} failed; "
            f"{counts.get('added_people', 0):,} newly credited people added"
        )
        lines.extend(
            f"  hidden: {entry['kind']} {entry['tmdb_id']} {entry['label']}" for entry in run.hidden
        )
        lines.extend(
            f"  failed: {entry['kind']} {entry['tmdb_id']}: {entry['reason']}"
            for entry in run.failures
        )
        if run.kind is SyncKind.sync and run.failures and run.cursor != run.window_end:
            start = run.cursor or run.window_start
            lines.append(f"The next sync reads from {start} again, to refetch what failed.")
        return lines


def windows(start: date, end: date) -> list[tuple[date, date]]:
    """Consecutive windows of at most 14 days (both ends included) from start to end."""
    spans = []
    while start <= end:
        last = min(end, start + timedelta(days=CHANGES_WINDOW_DAYS - 1))
        spans.append((start, last))
        start = last + timedelta(days=1)
    return spans


class Refresher:
    """Refetches records of the catalog through fetch → process → load."""

    def __init__(
        self,
        session: Session,
        client: TMDBClient,
        store: RawStore,
        *,
        concurrency: int = 8,
        cast_limit: int = DEFAULT_CAST_LIMIT,
        stream: TextIO | None = None,
        reporter: Reporter | None = None,
    ) -> None:
        self.session = session
        self.client = client
        self.store = store
        self.stream = stream
        self.reporter = reporter or Quiet()
        self.fetcher = Fetcher(
            client,
            store,
            concurrency=concurrency,
            cast_limit=cast_limit,
            refresh=True,
            stream=stream,
        )
        self._catalog_movies: set[int] | None = None
        self._catalog_people: set[int] | None = None

    def catalog_ids(self) -> tuple[set[int], set[int]]:
        """TMDB ids of the catalog's movies and people (read once)."""
        if self._catalog_movies is None or self._catalog_people is None:
            self._catalog_movies = set(
                self.session.scalars(select(Movie.tmdb_id).where(Movie.tmdb_id.is_not(None)))
            )
            self._catalog_people = set(
                self.session.scalars(select(Person.tmdb_id).where(Person.tmdb_id.is_not(None)))
            )
            # End the read: on SQLite a job's open transaction holds the write lock.
            self.session.commit()
        return self._catalog_movies, self._catalog_people

    def apply(self, movie_ids: Sequence[int], person_ids: Sequence[int]) -> Applied:
        """Refetch these catalog records (and the people changed movies newly credit), then load."""
        _, catalog_people = self.catalog_ids()
        applied = Applied()
        if movie_ids or person_ids:
            # A job's progress line says what it is on; a cancelled job stops here.
            movies_text = f"{len(movie_ids):,} movie{'' if len(movie_ids) == 1 else 's'}"
            people_text = f"{len(person_ids):,} {'person' if len(person_ids) == 1 else 'people'}"
            self.reporter.note(f"refetching {movies_text} and {people_text}")
        movies = self.fetcher.fetch_records("movies", movie_ids)
        people = self.fetcher.fetch_records("people", person_ids)
        fetched_movies = _fetched(movie_ids, movies)
        new_people = [
            person
            for person in self.fetcher.people_of(fetched_movies)
            if person not in catalog_people
        ]
        self.fetcher.refresh = False  # a newly credited person already saved needs no refetch
        try:
            added = self.fetcher.fetch_records("people", new_people)
        finally:
            self.fetcher.refresh = True
        for kind, count in (("movie", movies), ("person", people), ("person", added)):
            applied.failed[kind].update(count.failed)
        applied.refetched = movies.fetched + people.fetched
        fetched_people = _fetched(person_ids, people)
        new_people = [person for person in new_people if self.store.person_path(person).exists()]
        if fetched_movies or fetched_people or added.fetched:
            applied.load = self._load(fetched_movies, [*fetched_people, *new_people])
            applied.updated = len(applied.load.changed_movies) + applied.load.people.updated
            applied.added_people = applied.load.people.inserted
            catalog_people.update(new_people)
        applied.hidden = self._hide_gone(movies.not_found, people.not_found)
        self.session.commit()
        return applied

    def _load(self, movie_ids: list[int], person_ids: list[int]) -> LoadSummary:
        _, catalog_people = self.catalog_ids()
        with tempfile.TemporaryDirectory(prefix="marquee-sync-") as folder:
            processed = Path(folder)
            process(
                self.store.root,
                processed,
                stream=self.stream,
                movie_ids=movie_ids,
                person_ids=person_ids,
                known_people=catalog_people,
                languages=self.client.settings.translations,
            )
            loader = Loader(self.session, stream=self.stream, incremental=True)
            return loader.run(processed)

    def _hide_gone(
        self, movie_ids: Iterable[int], person_ids: Iterable[int]
    ) -> list[dict[str, object]]:
        """Movies and people TMDB answers 404 for are hidden, and listed."""
        hidden: list[dict[str, object]] = []
        movie_ids, person_ids = list(movie_ids), list(person_ids)
        if movie_ids:
            for movie in self.session.scalars(select(Movie).where(Movie.tmdb_id.in_(movie_ids))):
                deletes.hide_gone_upstream(movie)
                hidden.append({"kind": "movie", "tmdb_id": movie.tmdb_id, "label": movie.title})
        if person_ids:
            for person in self.session.scalars(
                select(Person).where(Person.tmdb_id.in_(person_ids))
            ):
                deletes.hide_gone_upstream(person)
                hidden.append({"kind": "person", "tmdb_id": person.tmdb_id, "label": person.name})
        return hidden


def from_app(
    app: Flask, *, reporter: Reporter | None = None, stream: TextIO | None = None
) -> Refresher:
    """A Refresher on the app's database, TMDB settings and raw folder (TMDBAuthError: no key)."""
    settings = ClientSettings.from_config(app.config)
    return Refresher(
        db.session,
        TMDBClient(settings),
        RawStore(output_dir(app.config) / RAW),
        concurrency=settings.concurrency,
        stream=stream,
        reporter=reporter,
    )


class Syncer:
    """`flask seed sync`: applies TMDB's change lists since the last sync, window by window."""

    def __init__(self, refresher: Refresher, *, today: date | None = None) -> None:
        self.refresher = refresher
        self.session = refresher.session
        self.client = refresher.client
        self.today = today or datetime.now(UTC).date()

    def start_day(self, since: date | None) -> date:
        """Where this sync starts: --since, else the last sync's end, else the catalog's fetch."""
        if since is not None:
            if since > self.today:
                raise SyncError(f"--since {since} is in the future (today is {self.today}).")
            return since
        cursor = syncs.last_cursor()
        if cursor is not None:
            return min(cursor, self.today)
        oldest = syncs.catalog_as_of()
        if oldest is None:
            raise SyncError(
                "The catalog has no movies from TMDB yet: fill it first "
                "(flask seed all, or fetch, process and load)."
            )
        earliest = self.today - timedelta(days=FIRST_SYNC_DAYS - 1)
        return min(max(oldest, earliest), self.today)

    def run(
        self, *, since: date | None = None, dry_run: bool = False, job_id: int | None = None
    ) -> SyncSummary:
        """Sync from the start day to today; each completed window moves the cursor."""
        spans = windows(self.start_day(since), self.today)
        run = syncs.begin(
            kind=SyncKind.sync,
            window_start=spans[0][0],
            window_end=spans[-1][1],
            dry_run=dry_run,
            job_id=job_id,
        )
        self.session.commit()
        summary = SyncSummary(run=run, windows=spans)
        reporter = self.refresher.reporter
        reporter.start(len(spans), f"{len(spans)} window{'' if len(spans) == 1 else 's'} to read")
        self._held = False
        try:
            with syncs.Heartbeat(run.id, self.session.get_bind()):
                for number, (first, last) in enumerate(spans, 1):
                    self._window(run, summary, first, last, dry_run=dry_run)
                    reporter.advance(1, f"window {number} of {len(spans)} done ({first} to {last})")
        except BaseException as error:
            self.session.rollback()
            syncs.finish(run, error=_reason(error))
            self.session.commit()
            raise
        syncs.finish(run)
        self.session.commit()
        return summary

    def _window(
        self, run: SyncRun, summary: SyncSummary, first: date, last: date, *, dry_run: bool
    ) -> None:
        catalog_movies, catalog_people = self.refresher.catalog_ids()
        changed_movies = self._changed("movie", first, last)
        changed_people = self._changed("person", first, last)
        movies = sorted(set(changed_movies) & catalog_movies)
        people = sorted(set(changed_people) & catalog_people)
        seen = {
            "seen": len(changed_movies) + len(changed_people),
            "in_catalog": len(movies) + len(people),
        }
        self.refresher.reporter.note(
            f"{first} to {last}: {len(movies):,} movies and {len(people):,} people changed"
        )
        if dry_run:
            summary.would_refetch["movie"].extend(movies)
            summary.would_refetch["person"].extend(people)
            syncs.add_counts(run, seen)
            self.session.commit()
            return
        applied = self.refresher.apply(movies, people)
        # A record that could not be refetched holds the cursor here: the next sync reads
        # this window again (upserts make that harmless) instead of losing its change.
        self._held = self._held or any(applied.failed.values())
        day = None if self._held else last
        _record(run, applied, day=day, seen=seen)
        self.session.commit()

    def _changed(self, kind: str, first: date, last: date) -> list[int]:
        """A window's changed ids; a window with more than TMDB lists is read in halves."""
        try:
            return self.client.changed_ids(kind, first, last)
        except TooManyChangesError:
            if first == last:
                raise
            middle = first + (last - first) // 2
            return list(
                dict.fromkeys(
                    [
                        *self._changed(kind, first, middle),
                        *self._changed(kind, middle + timedelta(days=1), last),
                    ]
                )
            )


def _record(
    run: SyncRun,
    applied: Applied,
    *,
    day: date | None,
    seen: dict[str, int] | None = None,
) -> None:
    """Add what one window or batch did to its run."""
    syncs.note_hidden(run, applied.hidden)
    for kind, failed in applied.failed.items():
        syncs.note_failures(run, kind, failed)
    syncs.window_done(run, day=day, counts={**(seen or {}), **applied.counts()})


def _fetched(asked: Sequence[int], count: StageCount) -> list[int]:
    """The asked ids that were fetched (neither missing upstream nor failed)."""
    lost = set(count.not_found) | set(count.failed)
    return [item for item in dict.fromkeys(asked) if item not in lost]


def _reason(error: BaseException) -> str:
    if isinstance(error, KeyboardInterrupt):
        return "Stopped by the operator (Ctrl-C)."
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


@dataclass(frozen=True)
class Ages:
    """How old a fetch may get before refresh --stale refetches it, by release."""

    recent_days: int = 1  # unreleased, or released in the last 60 days
    two_years_days: int = 7  # released in the last two years
    older_days: int = 30  # everything older, and people

    @classmethod
    def from_config(cls, config) -> Ages:
        """REFRESH_*_DAYS settings."""
        return cls(
            recent_days=int(config["REFRESH_RECENT_DAYS"]),
            two_years_days=int(config["REFRESH_TWO_YEARS_DAYS"]),
            older_days=int(config["REFRESH_OLDER_DAYS"]),
        )


def stale_movies(session: Session, ages: Ages, limit: int, now: datetime) -> list[int]:
    """TMDB ids of the movies most overdue for a refetch, oldest fetch first (hidden ones left out).

    Never-fetched rows (loaded before fetch times were kept) come first.
    """
    today = now.date()
    recent = or_(Movie.release_date.is_(None), Movie.release_date >= today - timedelta(days=60))
    two_years = Movie.release_date >= today - timedelta(days=730)
    due = or_(
        Movie.fetched_at.is_(None),
        and_(recent, Movie.fetched_at < now - timedelta(days=ages.recent_days)),
        and_(two_years, Movie.fetched_at < now - timedelta(days=ages.two_years_days)),
        Movie.fetched_at < now - timedelta(days=ages.older_days),
    )
    statement = (
        select(Movie.tmdb_id)
        .where(Movie.tmdb_id.is_not(None), Movie.hidden_at.is_(None), due)
        .order_by(Movie.fetched_at.is_not(None), Movie.fetched_at, Movie.id)
        .limit(limit)
    )
    return list(session.scalars(statement))


def stale_people(session: Session, ages: Ages, limit: int, now: datetime) -> list[int]:
    """TMDB ids of people fetched longest ago (never, first), past the oldest age."""
    if limit <= 0:
        return []
    statement = (
        select(Person.tmdb_id)
        .where(
            Person.tmdb_id.is_not(None),
            or_(
                Person.fetched_at.is_(None),
                Person.fetched_at < now - timedelta(days=ages.older_days),
            ),
        )
        .order_by(Person.fetched_at.is_not(None), Person.fetched_at, Person.id)
        .limit(limit)
    )
    return list(session.scalars(statement))


REFRESH_CHUNK = 100


def refresh_stale(
    refresher: Refresher,
    *,
    ages: Ages,
    limit: int,
    dry_run: bool = False,
    job_id: int | None = None,
    now: datetime | None = None,
) -> SyncSummary:
    """Refetch up to `limit` records whose last fetch is older than their age allows."""
    session = refresher.session
    now = now or datetime.now(UTC)
    # People get a quarter of the batch, and whatever the movies leave.
    people = stale_people(session, ages, limit // 4, now)
    movies = stale_movies(session, ages, limit - len(people), now)
    if len(movies) + len(people) < limit:
        people = stale_people(session, ages, limit - len(movies), now)
    session.commit()
    run = syncs.begin(kind=SyncKind.refresh, dry_run=dry_run, job_id=job_id)
    session.commit()
    summary = SyncSummary(run=run, windows=[])
    if dry_run:
        summary.would_refetch = {"movie": movies, "person": people}
        syncs.finish(run)
        session.commit()
        return summary
    chunks = [("movie", chunk) for chunk in _chunks(movies)] + [
        ("person", chunk) for chunk in _chunks(people)
    ]
    refresher.reporter.start(len(movies) + len(people), "refetching the oldest records")
    try:
        for kind, chunk in chunks:
            applied = refresher.apply(chunk, []) if kind == "movie" else refresher.apply([], chunk)
            _record(run, applied, day=None)
            session.commit()
            refresher.reporter.advance(len(chunk), f"{kind} records refetched")
    except BaseException as error:
        session.rollback()
        syncs.finish(run, error=_reason(error))
        session.commit()
        raise
    syncs.finish(run)
    session.commit()
    return summary


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + REFRESH_CHUNK] for start in range(0, len(ids), REFRESH_CHUNK)]
