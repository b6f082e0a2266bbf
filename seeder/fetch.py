"""Fetch stage: TMDB replies saved as raw JSON, resumable, with bounded concurrency."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from app.infra.progress import Progress

from .storage import RawStore, read_json, write_json_atomic
from .tmdb import TMDBAuthError, TMDBClient, TMDBError, TMDBNotFoundError

# Crew jobs whose people get their own record, besides the billed cast.
KEY_CREW_JOBS = frozenset(
    {
        "Director",
        "Screenplay",
        "Writer",
        "Novel",
        "Story",
        "Producer",
        "Executive Producer",
        "Original Music Composer",
        "Music",
        "Director of Photography",
        "Editor",
    }
)
DEFAULT_CAST_LIMIT = 15
# A refetch leaves other runs' temporary files alone unless they are this old.
LEFTOVER_SECONDS = 3600.0


@dataclass
class StageCount:
    """What happened to one kind of record in a fetch."""

    fetched: int = 0
    skipped: int = 0
    not_found: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


@dataclass
class FetchSummary:
    """The outcome of a fetch run."""

    movies: StageCount = field(default_factory=StageCount)
    people: StageCount = field(default_factory=StageCount)
    genres_fetched: bool = False

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        lines = [f"genres: {'fetched' if self.genres_fetched else 'already there'}"]
        for name, count in (("movies", self.movies), ("people", self.people)):
            lines.append(
                f"{name}: {count.fetched} fetched, {count.skipped} already there, "
                f"{len(count.not_found)} not on TMDB, {len(count.failed)} failed"
            )
            lines.extend(f"  {name[:-1]} {key}: {reason}" for key, reason in count.failed.items())
        return lines


class Fetcher:
    """Fetches movies, then their people, then genres, into a RawStore."""

    def __init__(
        self,
        client: TMDBClient,
        store: RawStore,
        *,
        concurrency: int = 8,
        cast_limit: int = DEFAULT_CAST_LIMIT,
        refresh: bool = False,
        stream: TextIO | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.concurrency = max(1, concurrency)
        self.cast_limit = cast_limit
        self.refresh = refresh
        self.stream = stream

    def run(self, movie_ids: Sequence[int]) -> FetchSummary:
        """Fetch what is missing for these movies; TMDBAuthError stops everything at once."""
        summary = FetchSummary()
        self.store.remove_leftovers()
        not_found = (
            {"movies": set(), "people": set()} if self.refresh else self.store.read_not_found()
        )
        try:
            summary.genres_fetched = self._fetch_genres()
            self._fetch_many(
                "movies",
                list(dict.fromkeys(movie_ids)),
                self.client.movie,
                self.store.movie_path,
                summary.movies,
                not_found["movies"],
            )
            self._fetch_many(
                "people",
                self.people_of(movie_ids),
                self.client.person,
                self.store.person_path,
                summary.people,
                not_found["people"],
            )
        finally:
            self.store.write_not_found(not_found)
        return summary

    def fetch_records(self, kind: str, ids: Sequence[int]) -> StageCount:
        """Fetch these movies or people ("movies", "people"), again if `refresh` was asked.

        A record TMDB no longer has loses its raw file, so the raw folder stays
        a copy of TMDB, and is listed in `not_found`. TMDBAuthError stops at once.
        """
        get, path_of = (
            (self.client.movie, self.store.movie_path)
            if kind == "movies"
            else (self.client.person, self.store.person_path)
        )
        count = StageCount()
        self.store.remove_leftovers(older_than=LEFTOVER_SECONDS)
        try:
            self._fetch_many(kind, list(dict.fromkeys(ids)), get, path_of, count, set())
        finally:
            for item_id in count.not_found:
                path_of(item_id).unlink(missing_ok=True)
            with self.store.not_found_lock():
                not_found = self.store.read_not_found()
                not_found[kind].difference_update(set(ids) - set(count.not_found))
                not_found[kind].update(count.not_found)
                self.store.write_not_found(not_found)
        return count

    def people_of(self, movie_ids: Iterable[int]) -> list[int]:
        """People credited in stored movies: the billed cast up to the limit and key crew."""
        people: dict[int, None] = {}
        for movie_id in movie_ids:
            path = self.store.movie_path(movie_id)
            if not path.exists():
                continue
            try:
                credits = read_json(path).get("credits") or {}
            except (OSError, ValueError, AttributeError):
                continue  # process reports the broken file
            for member in credits.get("cast") or []:
                order = member.get("order")
                if isinstance(order, int) and order < self.cast_limit:
                    _add_id(people, member)
            for member in credits.get("crew") or []:
                if member.get("job") in KEY_CREW_JOBS:
                    _add_id(people, member)
        return list(people)

    def _fetch_genres(self) -> bool:
        """The genre list in TMDB_LANGUAGE and in each other catalog language."""
        wanted = [(self.store.genres_path, None)] + [
            (self.store.genres_path_in(language), language)
            for language in self.client.settings.translations
        ]
        fetched = False
        for path, language in wanted:
            if path.exists() and not self.refresh:
                continue
            write_json_atomic(path, self.client.genres(language))
            fetched = True
        return fetched

    def _fetch_many(
        self,
        label: str,
        ids: list[int],
        get: Callable[[int], dict[str, Any]],
        path_of: Callable[[int], Path],
        count: StageCount,
        not_found: set[int],
    ) -> None:
        todo = []
        for item_id in ids:
            if not self.refresh and (path_of(item_id).exists() or item_id in not_found):
                count.skipped += 1
            else:
                todo.append(item_id)
        progress = Progress(f"fetch {label}", len(todo), stream=self.stream)

        def fetch_one(item_id: int) -> None:
            write_json_atomic(path_of(item_id), get(item_id))

        with closing(_run_bounded(fetch_one, todo, self.concurrency)) as results:
            for item_id, error in results:
                progress.advance()
                if error is None:
                    count.fetched += 1
                    not_found.discard(item_id)
                elif isinstance(error, TMDBNotFoundError):
                    count.not_found.append(item_id)
                    not_found.add(item_id)
                elif isinstance(error, TMDBError) and not isinstance(error, TMDBAuthError):
                    count.failed[item_id] = str(error)
                else:
                    raise error
        progress.finish()


def _add_id(people: dict[int, None], member: Any) -> None:
    person_id = member.get("id") if isinstance(member, dict) else None
    if isinstance(person_id, int) and person_id > 0:
        people[person_id] = None


def _run_bounded(
    work: Callable[[int], None], ids: list[int], workers: int
) -> Generator[tuple[int, BaseException | None], None, None]:
    """Run `work` on each id with at most `workers` in flight; yield (id, error or None).

    Only a few futures exist at a time, so a 100,000-id run stays small, and
    stopping (Ctrl-C, or a raise by the consumer) cancels what has not started.
    """
    pending: dict[Future[None], int] = {}
    queue = iter(ids)
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tmdb")
    try:
        while True:
            while len(pending) < workers * 2:
                item_id = next(queue, None)
                if item_id is None:
                    break
                pending[executor.submit(work, item_id)] = item_id
            if not pending:
                return
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield pending.pop(future), future.exception()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
