"""A small TMDB-shaped HTTP server on 127.0.0.1, for the real client to talk to.

It serves movies, people, genres and lists from dictionaries, checks the
credentials the way TMDB does, and can be told to misbehave: queue replies
for a path (429 with Retry-After, 500, slow, malformed JSON) before the
normal one, or add latency to every reply.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.seeder.stand_in import LoopbackServer, send_json

API_KEY = "test-api-key"
READ_TOKEN = "test-read-token"
PAGE_SIZE = 20


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
        popular: list[int] | None = None,
        top_rated: list[int] | None = None,
        by_year: dict[int, list[int]] | None = None,
        latency: float = 0.0,
    ) -> None:
        self.movies = movies or {}
        self.people = people or {}
        self.genres = genres if genres is not None else [{"id": 18, "name": "Drama"}]
        self.popular = popular or []
        self.top_rated = top_rated or []
        self.by_year = by_year or {}
        self.latency = latency
        self._scripted: dict[str, deque[Reply]] = defaultdict(deque)
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
            return Reply(
                401,
                {
                    "success": False,
                    "status_code": 7,
                    "status_message": "Invalid API key: You must be granted a valid key.",
                },
            )
        return self._route(path, query)

    def _route(self, path: str, query: dict[str, str]) -> Reply:
        if path == "/genre/movie/list":
            return Reply(body={"genres": self.genres})
        if path == "/movie/popular":
            return _page(self.popular, query)
        if path == "/movie/top_rated":
            return _page(self.top_rated, query)
        if path == "/discover/movie":
            return _page(self.by_year.get(int(query.get("primary_release_year", 0)), []), query)
        if match := re.fullmatch(r"/(movie|person)/(\d+)", path):
            table = self.movies if match.group(1) == "movie" else self.people
            record = table.get(int(match.group(2)))
            if record is not None:
                return Reply(body=record)
        return Reply(
            404,
            {
                "success": False,
                "status_code": 34,
                "status_message": "The resource you requested could not be found.",
            },
        )

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
    every request, one a line, to --arrivals.
    """
    import argparse
    import signal
    import sys

    from tests.seeder.tmdb_data import small_catalog

    parser = argparse.ArgumentParser()
    parser.add_argument("--movies", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--arrivals", required=True)
    arguments = parser.parse_args()
    movies, people = small_catalog(movie_count=arguments.movies, cast_size=1)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with TMDBServer(movies=movies, people=people, latency=arguments.latency) as server:
        print(server.base_url, flush=True)
        stop.wait()
        times = sorted(request.at for request in server.requests)
    with open(arguments.arrivals, "w") as handle:
        handle.writelines(f"{at}\n" for at in times)
    sys.exit(0)


if __name__ == "__main__":
    main()
