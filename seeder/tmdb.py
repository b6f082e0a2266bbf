"""A TMDB API v3 client: authentication, timeouts, retries, and one shared rate limit."""

from __future__ import annotations

import email.utils
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter

DEFAULT_BASE_URL = "https://api.themoviedb.org/3"
MOVIE_APPENDS = "credits,release_dates,videos,keywords,alternative_titles,translations"
PERSON_APPENDS = "translations"
# TMDB list endpoints answer 20 results a page and stop at page 500.
PAGE_SIZE = 20
MAX_PAGES = 500
LONGEST_RETRY_AFTER = 300.0
# /movie/changes and /person/changes answer for at most 14 days at a time.
CHANGES_WINDOW_DAYS = 14
# Requests leave 3% under the limit, so that scheduling and network jitter
# never bunch them into more than the limit in any second at TMDB's end.
RATE_MARGIN = 0.97


class TMDBError(Exception):
    """TMDB could not give what was asked; the message is safe to print (no secrets)."""


class TMDBAuthError(TMDBError):
    """The credentials are missing or refused: nothing else will work either."""


class TooManyChangesError(TMDBError):
    """A change list longer than TMDB serves (500 pages): ask for fewer days."""


class TMDBNotFoundError(TMDBError):
    """TMDB has no record with that id."""


class TMDBUnavailableError(TMDBError):
    """TMDB kept failing (network, 5xx, throttling or garbled replies) after every retry."""


class RateLimiter:
    """At most `rate` calls a second across all threads: evenly spaced, never bunched.

    Calls get slots 1/rate apart. A thread that wakes late from its slot could
    still bunch up with the threads after it, so grants are also counted over
    the last second and held back at `rate`.
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._per_second = max(1, math.floor(rate))
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._granted: deque[float] = deque()

    def acquire(self) -> None:
        """Wait for this caller's turn."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self.interval
        if slot > now:
            self._sleep(slot - now)
        while True:
            with self._lock:
                now = self._clock()
                while self._granted and self._granted[0] <= now - 1.0:
                    self._granted.popleft()
                if len(self._granted) < self._per_second:
                    self._granted.append(now)
                    return
                wait = self._granted[0] + 1.0 - now
            self._sleep(wait)


@dataclass(frozen=True)
class ClientSettings:
    """How to reach TMDB; built from the app config by `from_config`."""

    api_key: str | None = None
    read_access_token: str | None = None
    base_url: str = DEFAULT_BASE_URL
    language: str = "en-US"
    # The catalog's other languages ("pt-BR"): genre lists are fetched in each.
    translations: tuple[str, ...] = ()
    rate_limit: float = 40.0
    concurrency: int = 8
    timeout: float = 10.0
    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ClientSettings:
        """Settings from TMDB_* configuration keys."""
        return cls(
            api_key=config.get("TMDB_API_KEY") or None,
            read_access_token=config.get("TMDB_READ_ACCESS_TOKEN") or None,
            base_url=config.get("TMDB_API_BASE_URL") or DEFAULT_BASE_URL,
            language=config.get("TMDB_LANGUAGE") or "en-US",
            translations=_other_languages(config.get("CATALOG_LANGUAGES") or ""),
            rate_limit=float(config.get("TMDB_RATE_LIMIT", 40.0)),
            concurrency=int(config.get("TMDB_CONCURRENCY", 8)),
            timeout=float(config.get("TMDB_TIMEOUT", 10.0)),
            max_retries=int(config.get("TMDB_MAX_RETRIES", 5)),
        )


def _other_languages(catalog_languages: str) -> tuple[str, ...]:
    """CATALOG_LANGUAGES ("en,pt-BR") without its first, main, language: ("pt-BR",)."""
    languages = [part.strip() for part in catalog_languages.split(",") if part.strip()]
    return tuple(languages[1:])


class TMDBClient:
    """Thread-safe TMDB client: share one between the fetch workers."""

    def __init__(self, settings: ClientSettings, *, session: requests.Session | None = None):
        if not settings.api_key and not settings.read_access_token:
            raise TMDBAuthError(
                "No TMDB credentials: set TMDB_API_KEY (v3 API key) or "
                "TMDB_READ_ACCESS_TOKEN (v4 read access token)."
            )
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_limit * RATE_MARGIN)
        self._base_url = settings.base_url.rstrip("/")
        self._session = session or requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(settings.concurrency, 1))
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers["Accept"] = "application/json"
        if settings.read_access_token:
            self._session.headers["Authorization"] = f"Bearer {settings.read_access_token}"
        self._credential_name = (
            "TMDB_READ_ACCESS_TOKEN" if settings.read_access_token else "TMDB_API_KEY"
        )

    def movie(self, movie_id: int) -> dict[str, Any]:
        """A movie with credits, release dates, videos, keywords, other titles, translations."""
        return self.get(f"/movie/{movie_id}", append_to_response=MOVIE_APPENDS)

    def person(self, person_id: int) -> dict[str, Any]:
        """A person's details, with the biography in every language TMDB has."""
        return self.get(f"/person/{person_id}", append_to_response=PERSON_APPENDS)

    def genres(self, language: str | None = None) -> dict[str, Any]:
        """The official list of movie genres, in `language` (TMDB_LANGUAGE by default)."""
        if language is None:
            return self.get("/genre/movie/list")
        return self.get("/genre/movie/list", language=language)

    def search_movies(self, title: str, *, year: int | None = None) -> list[dict[str, Any]]:
        """The first page of TMDB's movie search for a title (in a year, when given).

        TMDB matches loosely, so the caller picks among the results.
        """
        params: dict[str, Any] = {"query": title, "include_adult": "false"}
        if year:
            params["year"] = year
        reply = self.get("/search/movie", **params)
        return [item for item in reply.get("results") or [] if isinstance(item, dict)]

    def find_by_imdb_id(self, imdb_id: str) -> list[dict[str, Any]]:
        """The movies TMDB knows by this IMDb id (none or one)."""
        reply = self.get(f"/find/{imdb_id}", external_source="imdb_id")
        return [item for item in reply.get("movie_results") or [] if isinstance(item, dict)]

    def changed_ids(self, kind: str, start: date, end: date) -> list[int]:
        """Ids of the movies or people ("movie", "person") TMDB changed from `start` to `end`.

        Both days count; TMDB answers at most 14 days a request (CHANGES_WINDOW_DAYS) and
        100 ids a page, and lists deleted records too. Every page is read.
        """
        if (end - start).days >= CHANGES_WINDOW_DAYS:
            raise ValueError(f"a change list covers at most {CHANGES_WINDOW_DAYS} days")
        ids: dict[int, None] = {}
        page = 1
        while True:
            reply = self.get(
                f"/{kind}/changes",
                start_date=start.isoformat(),
                end_date=end.isoformat(),
                page=page,
            )
            for item in reply.get("results") or []:
                if isinstance(item, dict) and isinstance(item.get("id"), int) and item["id"] > 0:
                    ids[item["id"]] = None
            total_pages = int(reply.get("total_pages") or 0)
            if total_pages > MAX_PAGES:
                raise TooManyChangesError(
                    f"TMDB lists {total_pages} pages of {kind} changes from {start} to {end}; "
                    f"it serves {MAX_PAGES}."
                )
            if page >= total_pages:
                return list(ids)
            page += 1

    def popular_ids(self, count: int) -> list[int]:
        """Ids of the `count` most popular movies now."""
        return self._list_ids("/movie/popular", count)

    def top_rated_ids(self, count: int) -> list[int]:
        """Ids of the `count` best-rated movies."""
        return self._list_ids("/movie/top_rated", count)

    def discover_ids(self, *, year: int, pages: int) -> list[int]:
        """Ids of a year's movies, most popular first, `pages` pages of 20."""
        params = {"primary_release_year": year, "sort_by": "popularity.desc"}
        return self._list_ids("/discover/movie", pages * PAGE_SIZE, **params)

    def _list_ids(self, path: str, count: int, **params: Any) -> list[int]:
        ids: list[int] = []
        for page in self._pages_for(count):
            reply = self.get(path, page=page, **params)
            results = reply.get("results") or []
            ids.extend(item["id"] for item in results if isinstance(item.get("id"), int))
            if page >= int(reply.get("total_pages") or 0) or not results:
                break
        return list(dict.fromkeys(ids))[:count]

    @staticmethod
    def _pages_for(count: int) -> Iterator[int]:
        last = min(MAX_PAGES, max(1, -(-count // PAGE_SIZE)))
        return iter(range(1, last + 1))

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        """GET a JSON object, retrying what can be retried and raising what cannot."""
        query = {"language": self.settings.language, **params}
        if self.settings.api_key and not self.settings.read_access_token:
            query["api_key"] = self.settings.api_key
        url = self._base_url + path
        problem = "no attempt made"
        attempt = 0
        while attempt <= self.settings.max_retries:
            self.limiter.acquire()
            try:
                response = self._session.get(url, params=query, timeout=self.settings.timeout)
            except (requests.ConnectionError, requests.Timeout) as error:
                # The exception text holds the URL and so the API key: name its kind only.
                problem = f"network error ({type(error).__name__})"
                wait = self._backoff(attempt)
            else:
                status = response.status_code
                if status == 200:
                    body = _json_object(response)
                    if body is not None:
                        return body
                    problem = "reply was not a JSON object"
                    wait = self._backoff(attempt)
                elif status == 401:
                    raise TMDBAuthError(
                        f"TMDB refused the credentials (401) for {path}: "
                        f"check {self._credential_name}."
                    )
                elif status == 404:
                    raise TMDBNotFoundError(f"TMDB has no {path}")
                elif status == 429:
                    problem = "throttled (429)"
                    wait = _retry_after(response) or self._backoff(attempt)
                elif status >= 500:
                    problem = f"server error ({status})"
                    wait = self._backoff(attempt)
                else:
                    raise TMDBError(f"TMDB answered {status} for {path}")
            attempt += 1
            if attempt <= self.settings.max_retries:
                time.sleep(wait)
        raise TMDBUnavailableError(
            f"TMDB failed for {path} after {self.settings.max_retries + 1} attempts: {problem}"
        )

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter, so retrying workers spread out."""
        ceiling = min(self.settings.backoff_cap, self.settings.backoff_base * 2**attempt)
        return ceiling * random.uniform(0.5, 1.0)  # noqa: S311 (jitter, not security)

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()


def _json_object(response: requests.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _retry_after(response: requests.Response) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), if any."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), LONGEST_RETRY_AFTER)
