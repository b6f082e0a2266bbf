"""A small TMDB-shaped HTTP server on 127.0.0.1, for the real client to talk to.

It serves movies, people, genres and lists from dictionaries, checks the
credentials the way TMDB does, and can be told to misbehave: queue replies
for a path (429 with Retry-After, 500, slow, malformed JSON) before the
normal one, or add latency to every reply.

It also keeps a change log, served as /movie/changes and /person/changes the
way TMDB serves its own (quirks included): `publish()` swaps in a new
snapshot and logs every id that differs, `record_change()` and
`record_noise()` log ids directly, and `today` sets the server's date.

Like TMDB, a record's appended blocks (credits, translations…) come only
when `append_to_response` names them, and the genre list answers in the
`language` asked, in English when it has no list in that language.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.seeder.stand_in import LoopbackServer, send_json
from tests.seeder.tmdb_data import record_differences

API_KEY = "test-api-key"
READ_TOKEN = "test-read-token"
PAGE_SIZE = 20
CHANGES_PAGE_SIZE = 100
MAX_PAGES = 500
LONGEST_CHANGE_SPAN = timedelta(days=14)
# TMDB answers "adult": null for some change-list entries; ids divisible by
# this do here, so every client meets it.
NULL_ADULT_EVERY = 3
KINDS = ("movie", "person")
# Blocks of a record that TMDB sends only when append_to_response asks.
APPENDED = frozenset(
    {"credits", "release_dates", "videos", "keywords", "alternative_titles", "translations"}
)
INVALID_PAGE = "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer."
INVALID_RANGE = "Invalid date range: Should be a range no longer than 14 days."
INVALID_DATE = "Invalid date: Dates are expected in the format YYYY-MM-DD."

Changes = dict[str, dict[int, tuple[str, ...]]]


@dataclass
class Reply:
    """One scripted reply."""

    status: int = 200
    body: Any = None
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Request:
    """What the server saw."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float


class TMDBServer(LoopbackServer):
    """Start with `with TMDBServer(...) as server:`; the API lives at server.base_url."""

    def __init__(
        self,
        *,
        movies: dict[int, dict] | None = None,
        people: dict[int, dict] | None = None,
        genres: list[dict] | None = None,
        genres_in: dict[str, list[dict]] | None = None,
        popular: list[int] | None = None,
        top_rated: list[int] | None = None,
        by_year: dict[int, list[int]] | None = None,
        latency: float = 0.0,
        today: date | None = None,
    ) -> None:
        self.movies = movies or {}
        self.people = people or {}
        self.genres = genres if genres is not None else [{"id": 18, "name": "Drama"}]
        self.genres_in = genres_in or {}  # "pt-BR" → the list in Portuguese
        self.popular = popular or []
        self.top_rated = top_rated or []
        self.by_year = by_year or {}
        self.latency = latency
        self.today = today or datetime.now(UTC).date()
        self._scripted: dict[str, deque[Reply]] = defaultdict(deque)
        self._change_log: dict[str, list[tuple[date, int]]] = {kind: [] for kind in KINDS}
        # Change lists by (kind, start, end): a client pages through one window
        # many times, and a benchmark's log is long.
        self._windows: dict[tuple[str, date, date], list[int]] = {}
        super().__init__(self._handler_class())

    @property
    def base_url(self) -> str:
        """The API root, like https://api.themoviedb.org/3."""
        return f"{self.origin}/3"

    def script(self, path: str, *replies: Reply) -> None:
        """Serve these replies, in order, to the next requests for `path` (e.g. '/movie/550')."""
        with self._lock:
            self._scripted[path].extend(replies)

    def requests_for(self, prefix: str) -> list[Request]:
        """Requests whose path starts with prefix."""
        with self._lock:
            return [request for request in self.requests if request.path.startswith(prefix)]

    def record_change(self, kind: str, tmdb_id: int, day: date | None = None) -> None:
        """Log a change of one record ('movie' or 'person') on `day` (default: today)."""
        with self._lock:
            self._log(kind, [tmdb_id], day or self.today)

    def record_noise(self, kind: str, ids: Iterable[int], day: date | None = None) -> None:
        """Log changes of ids the server does not serve, as TMDB's feed is full of them."""
        ids = list(ids)
        served = self._table(kind).keys() & ids
        if served:
            raise ValueError(f"noise ids are served: {sorted(served)}")
        with self._lock:
            self._log(kind, ids, day or self.today)

    def publish(
        self,
        *,
        movies: dict[int, dict] | None = None,
        people: dict[int, dict] | None = None,
        day: date | None = None,
    ) -> Changes:
        """Serve this snapshot instead (None keeps a table) and log every id that differs.

        Added, removed and different records are logged as changed on `day`
        (default: today); removed ones then answer 404. The server keeps its own
        copy. Returns {"movie": {id: what changed}, "person": {...}}, the shape
        of `Snapshot.changes`.
        """
        day = day or self.today
        changes: Changes = {kind: {} for kind in KINDS}
        snapshot = {"movie": movies, "person": people}
        with self._lock:
            for kind in KINDS:
                if snapshot[kind] is None:
                    continue
                new = copy.deepcopy(snapshot[kind])
                changes[kind] = record_differences(self._table(kind), new)
                if kind == "movie":
                    self.movies = new
                else:
                    self.people = new
                self._log(kind, changes[kind], day)
        return changes

    def _log(self, kind: str, ids: Iterable[int], day: date) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        self._change_log[kind].extend((day, tmdb_id) for tmdb_id in ids)
        self._windows.clear()

    def _table(self, kind: str) -> dict[int, dict]:
        return self.movies if kind == "movie" else self.people

    def _answer(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests.append(Request(path, query, headers, time.monotonic()))
            scripted = self._scripted[path].popleft() if self._scripted.get(path) else None
        if scripted is not None:
            return scripted
        if (
            query.get("api_key") != API_KEY
            and headers.get("authorization") != f"Bearer {READ_TOKEN}"
        ):
            return _error(401, 7, "Invalid API key: You must be granted a valid key.")
        return self._route(path, query)

    def _route(self, path: str, query: dict[str, str]) -> Reply:
        if path == "/genre/movie/list":
            return Reply(body={"genres": self.genres_in.get(query.get("language"), self.genres)})
        if path == "/movie/popular":
            return _page(self.popular, query)
        if path == "/movie/top_rated":
            return _page(self.top_rated, query)
        if path == "/discover/movie":
            return _page(self.by_year.get(int(query.get("primary_release_year", 0)), []), query)
        if path == "/search/movie":
            return self._search(query)
        if match := re.fullmatch(r"/find/(tt\d+)", path):
            return self._find(match.group(1), query)
        if match := re.fullmatch(r"/(movie|person)/changes", path):
            return self._change_list(match.group(1), query)
        if match := re.fullmatch(r"/(movie|person)/(\d+)", path):
            record = self._table(match.group(1)).get(int(match.group(2)))
            if record is not None:
                asked = set(query.get("append_to_response", "").split(","))
                return Reply(body={k: v for k, v in record.items() if k not in APPENDED - asked})
        return _error(404, 34, "The resource you requested could not be found.")

    def _search(self, query: dict[str, str]) -> Reply:
        """Movies whose title or original title holds every word asked, most popular first.

        Like TMDB's, it matches loosely ("heat" finds "The Heat" and "Heatwave"),
        so a client must choose among the results itself; `year` keeps a year's.
        """
        words = _words(query.get("query", ""))
        if not words:
            return _error(422, 22, "query must be provided")
        year = query.get("year") or query.get("primary_release_year")
        found = []
        for record in self.movies.values():
            titles = " ".join((record.get("title") or "", record.get("original_title") or ""))
            if not all(any(word2.startswith(word) for word2 in _words(titles)) for word in words):
                continue
            if year and not (record.get("release_date") or "").startswith(year):
                continue
            found.append(record)
        found.sort(key=lambda record: -(record.get("popularity") or 0))
        page = int(query.get("page", 1))
        chunk = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return Reply(
            body={
                "page": page,
                "results": [_search_result(record) for record in chunk],
                "total_pages": max(1, -(-len(found) // PAGE_SIZE)),
                "total_results": len(found),
            }
        )

    def _find(self, imdb_id: str, query: dict[str, str]) -> Reply:
        """TMDB's /find: records by an outside id (only IMDb's here)."""
        if query.get("external_source") != "imdb_id":
            return _error(422, 22, "external_source must be provided")
        movies = [
            _search_result(record)
            for record in self.movies.values()
            if record.get("imdb_id") == imdb_id
        ]
        return Reply(body={"movie_results": movies, "person_results": [], "tv_results": []})

    def _change_list(self, kind: str, query: dict[str, str]) -> Reply:
        page = _page_number(query.get("page", "1"))
        if page is None:
            return _error(400, 22, INVALID_PAGE)
        try:
            start, end = self._window(query)
        except ValueError as error:
            return _error(422, 47, str(error))
        ids = self._changed_ids(kind, start, end)
        table = self._table(kind)
        chunk = ids[(page - 1) * CHANGES_PAGE_SIZE : page * CHANGES_PAGE_SIZE]
        return Reply(
            body={
                "results": [{"id": i, "adult": _adult(i, table.get(i))} for i in chunk],
                "page": page,
                "total_pages": max(1, -(-len(ids) // CHANGES_PAGE_SIZE)),
                "total_results": len(ids),
            }
        )

    def _window(self, query: dict[str, str]) -> tuple[date, date]:
        """The days asked for, both inclusive; without dates, today and the day before."""
        end = _day(query["end_date"]) if "end_date" in query else self.today
        start = _day(query["start_date"]) if "start_date" in query else end - timedelta(days=1)
        if start > end or end - start > LONGEST_CHANGE_SPAN:
            raise ValueError(INVALID_RANGE)
        return start, end

    def _changed_ids(self, kind: str, start: date, end: date) -> list[int]:
        """Ids changed in the window, each once, the most recently changed first."""
        with self._lock:
            key = (kind, start, end)
            if key not in self._windows:
                latest: dict[int, tuple[date, int]] = {}
                for sequence, (day, tmdb_id) in enumerate(self._change_log[kind]):
                    if start <= day <= end:
                        latest[tmdb_id] = max(latest.get(tmdb_id, (day, sequence)), (day, sequence))
                self._windows[key] = sorted(latest, key=latest.__getitem__, reverse=True)
            return self._windows[key]

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                path = parts.path.removeprefix("/3")
                query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
                headers = {key.lower(): value for key, value in self.headers.items()}
                reply = server._answer(path, query, headers)
                time.sleep(server.latency + reply.delay)
                payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
                send_json(
                    self, reply.status, payload, reply.headers, "application/json;charset=utf-8"
                )

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def _error(status: int, code: int, message: str) -> Reply:
    return Reply(status, {"success": False, "status_code": code, "status_message": message})


def _page_number(text: str) -> int | None:
    if not re.fullmatch(r"\d+", text) or not 1 <= int(text) <= MAX_PAGES:
        return None
    return int(text)


def _day(text: str) -> date:
    # date.fromisoformat also takes 20240102 and week dates; TMDB wants YYYY-MM-DD.
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(INVALID_DATE)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _search_result(record: dict) -> dict:
    """A movie as TMDB's search lists it: a few fields, not the whole record."""
    fields = ("id", "title", "original_title", "release_date", "popularity", "overview")
    return {name: record.get(name) for name in fields} | {"adult": bool(record.get("adult"))}


def _adult(tmdb_id: int, record: dict | None) -> bool | None:
    if tmdb_id % NULL_ADULT_EVERY == 0:
        return None
    return bool(record.get("adult")) if record else False


def _page(ids: list[int], query: dict[str, str]) -> Reply:
    page = int(query.get("page", 1))
    chunk = ids[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    total_pages = max(1, -(-len(ids) // PAGE_SIZE))
    return Reply(
        body={
            "page": page,
            "results": [{"id": movie_id} for movie_id in chunk],
            "total_pages": total_pages,
            "total_results": len(ids),
        }
    )


def main() -> None:
    """Serve a small catalog from its own process (for benchmarks: no shared GIL).

    Prints the base URL on the first line; on SIGTERM writes the arrival time of
    every request, one a line, to --arrivals. With --changed N, N served movies
    and N/10 served people differ from the catalog's first state and are logged
    as changed today, among --noise ids (default N, and N/10 people) not served.
    """
    import argparse
    import signal
    import sys

    from tests.seeder.tmdb_data import small_catalog

    parser = argparse.ArgumentParser()
    parser.add_argument("--movies", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--arrivals", required=True)
    parser.add_argument("--changed", type=int, default=0)
    parser.add_argument("--noise", type=int, default=None)
    parser.add_argument("--noise-start", type=int, default=None)
    arguments = parser.parse_args()
    movies, people = small_catalog(movie_count=arguments.movies, cast_size=1)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with TMDBServer(movies=movies, people=people, latency=arguments.latency) as server:
        if arguments.changed:
            noise = arguments.changed if arguments.noise is None else arguments.noise
            log_benchmark_changes(
                server, changed=arguments.changed, noise=noise, noise_start=arguments.noise_start
            )
        print(server.base_url, flush=True)
        stop.wait()
        times = sorted(request.at for request in server.requests)
    with open(arguments.arrivals, "w") as handle:
        handle.writelines(f"{at}\n" for at in times)
    sys.exit(0)


def log_benchmark_changes(
    server: TMDBServer, *, changed: int, noise: int, noise_start: int | None = None
) -> None:
    """Change `changed` movies and a tenth as many people, and log them today among noise ids.

    Noise ids start at `noise_start` (default: after the served ids); a benchmark
    whose catalog holds more than the server serves starts them past the catalog.
    """
    import random

    entries: list[tuple[str, int]] = []
    for kind, count, extra in (("movie", changed, noise), ("person", changed // 10, noise // 10)):
        table = server.movies if kind == "movie" else server.people
        for tmdb_id in _spread(sorted(table), count):
            # A real difference, so a sync that compares what it fetched has work to do.
            table[tmdb_id]["popularity"] = round(table[tmdb_id]["popularity"] + 1.5, 3)
            entries.append((kind, tmdb_id))
        first_unserved = noise_start or max(table, default=0) + 1
        entries += [(kind, tmdb_id) for tmdb_id in range(first_unserved, first_unserved + extra)]
    # TMDB's feed mixes a catalog's ids in among everyone else's.
    random.Random(0).shuffle(entries)
    for kind, tmdb_id in entries:
        server.record_change(kind, tmdb_id)


def _spread(ids: list[int], count: int) -> list[int]:
    """`count` of the ids, evenly spaced over them."""
    if count <= 0 or not ids:
        return []
    step = max(1, len(ids) // count)
    return ids[::step][:count]


if __name__ == "__main__":
    main()
