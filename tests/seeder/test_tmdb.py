"""The TMDB client against a real HTTP server on 127.0.0.1."""

import threading
import time
from bisect import bisect_left
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from seeder.tmdb import (
    MOVIE_APPENDS,
    RATE_MARGIN,
    ClientSettings,
    RateLimiter,
    TMDBAuthError,
    TMDBClient,
    TMDBError,
    TMDBNotFoundError,
    TMDBUnavailableError,
)
from tests.seeder.tmdb_server import API_KEY, READ_TOKEN, Reply


def test_api_key_goes_in_the_query_with_the_language(tmdb_server, tmdb_settings):
    movie = TMDBClient(tmdb_settings).movie(1)

    assert movie["title"] == "Movie 1"
    request = tmdb_server.requests_for("/movie/1")[0]
    assert request.query["api_key"] == API_KEY
    assert request.query["language"] == "en-US"
    assert request.query["append_to_response"] == MOVIE_APPENDS
    assert MOVIE_APPENDS == "credits,release_dates,videos,keywords,alternative_titles,translations"


def test_read_access_token_goes_in_a_bearer_header(tmdb_server, tmdb_settings):
    settings = replace(tmdb_settings, api_key=None, read_access_token=READ_TOKEN, language="pt-BR")
    TMDBClient(settings).person(100)

    request = tmdb_server.requests_for("/person/100")[0]
    assert request.headers["authorization"] == f"Bearer {READ_TOKEN}"
    assert "api_key" not in request.query
    assert request.query["language"] == "pt-BR"


def test_no_credentials_is_refused_before_any_request():
    with pytest.raises(TMDBAuthError, match="TMDB_API_KEY"):
        TMDBClient(ClientSettings())


def test_a_401_names_the_setting_to_fix(tmdb_server, tmdb_settings):
    client = TMDBClient(replace(tmdb_settings, api_key="wrong"))
    with pytest.raises(TMDBAuthError, match="check TMDB_API_KEY"):
        client.movie(1)
    assert len(tmdb_server.requests_for("/movie/1")) == 1  # no retries


def test_a_404_is_not_found_without_retries(tmdb_server, tmdb_settings):
    with pytest.raises(TMDBNotFoundError):
        TMDBClient(tmdb_settings).movie(424242)
    assert len(tmdb_server.requests_for("/movie/424242")) == 1


def test_a_429_waits_what_retry_after_says(tmdb_server, tmdb_settings):
    tmdb_server.script("/movie/1", Reply(429, {"status_code": 25}, headers={"Retry-After": "0.4"}))

    started = time.monotonic()
    movie = TMDBClient(tmdb_settings).movie(1)

    assert movie["id"] == 1
    requests = tmdb_server.requests_for("/movie/1")
    assert len(requests) == 2
    assert requests[1].at - requests[0].at >= 0.4
    assert time.monotonic() - started < 2


def test_retry_after_as_an_http_date(tmdb_server, tmdb_settings):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    tmdb_server.script("/movie/2", Reply(429, {}, headers={"Retry-After": when}))

    TMDBClient(tmdb_settings).movie(2)

    requests = tmdb_server.requests_for("/movie/2")
    assert requests[1].at - requests[0].at >= 1.0  # HTTP dates have whole seconds


def test_server_errors_are_retried_with_backoff(tmdb_server, tmdb_settings):
    tmdb_server.script("/movie/1", Reply(500, {}), Reply(503, {}))
    assert TMDBClient(tmdb_settings).movie(1)["id"] == 1
    assert len(tmdb_server.requests_for("/movie/1")) == 3


def test_a_slow_reply_times_out_and_is_retried(tmdb_server, tmdb_settings):
    tmdb_server.script("/movie/1", Reply(body={"id": 1, "title": "late"}, delay=1.0))
    client = TMDBClient(replace(tmdb_settings, timeout=0.3))
    assert client.movie(1)["title"] == "Movie 1"


def test_malformed_json_is_retried_then_reported(tmdb_server, tmdb_settings):
    garbled = Reply(raw=b'{"id": 1, "title": ')
    tmdb_server.script("/movie/1", *[garbled] * 4)
    with pytest.raises(TMDBUnavailableError, match="not a JSON object"):
        TMDBClient(tmdb_settings).movie(1)
    assert len(tmdb_server.requests_for("/movie/1")) == 4  # 1 + max_retries


def test_an_unreachable_server_is_reported_without_the_api_key(tmdb_settings):
    settings = replace(tmdb_settings, base_url="http://127.0.0.1:9/3", max_retries=1)
    with pytest.raises(TMDBUnavailableError) as raised:
        TMDBClient(settings).movie(1)
    assert "network error" in str(raised.value)
    assert API_KEY not in str(raised.value)


def test_other_client_errors_stop_at_once(tmdb_server, tmdb_settings):
    tmdb_server.script("/movie/1", Reply(422, {"status_message": "bad"}))
    with pytest.raises(TMDBError, match="answered 422"):
        TMDBClient(tmdb_settings).movie(1)


def test_list_endpoints_page_until_they_have_enough(tmdb_settings):
    from tests.seeder.tmdb_server import TMDBServer

    ids = list(range(1, 46))
    with TMDBServer(popular=ids, top_rated=ids[:5], by_year={1999: ids[:30]}) as server:
        client = TMDBClient(replace(tmdb_settings, base_url=server.base_url))
        assert client.popular_ids(25) == ids[:25]
        assert client.top_rated_ids(40) == ids[:5]  # only one page exists
        assert client.discover_ids(year=1999, pages=2) == ids[:30]
        assert [r.query["page"] for r in server.requests_for("/movie/popular")] == ["1", "2"]


class FakeTime:
    """A clock that sleeping moves forward."""

    def __init__(self, start=10.0):
        self.now = start

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_rate_limiter_spaces_calls_evenly():
    time_ = FakeTime()
    limiter = RateLimiter(4, clock=time_.clock, sleep=time_.sleep)
    granted = []
    for _ in range(5):
        limiter.acquire()
        granted.append(time_.now)
    assert granted == pytest.approx([10.0, 10.25, 10.5, 10.75, 11.0])
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(0)


def test_late_wakers_never_bunch_above_the_rate():
    time_ = FakeTime()
    limiter = RateLimiter(2, clock=time_.clock, sleep=time_.sleep)
    granted = []
    for _ in range(3):
        limiter._next_slot = 0.0  # as if each caller's slot passed while it slept
        limiter.acquire()
        granted.append(time_.now)
    assert granted == pytest.approx([10.0, 10.0, 11.0])


def test_rate_limiter_holds_across_threads():
    """As the client uses it: 3% under the limit, so thread wake-up jitter stays within it."""
    limiter = RateLimiter(50 * RATE_MARGIN)
    granted = []
    lock = threading.Lock()

    def work():
        for _ in range(10):
            limiter.acquire()
            with lock:
                granted.append(time.monotonic())

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    granted.sort()
    busiest = max(bisect_left(granted, start + 1.0) - index for index, start in enumerate(granted))
    assert busiest <= 50
    assert len(granted) == 80
    assert granted[-1] - granted[0] >= 79 / 50


def test_settings_come_from_the_app_config():
    settings = ClientSettings.from_config(
        {
            "TMDB_API_KEY": "k",
            "TMDB_RATE_LIMIT": 10,
            "TMDB_CONCURRENCY": 2,
            "TMDB_LANGUAGE": "de-DE",
        }
    )
    assert settings.api_key == "k"
    assert settings.rate_limit == 10.0
    assert settings.concurrency == 2
    assert settings.language == "de-DE"


def test_the_catalog_languages_after_the_first_are_the_translations_kept():
    settings = ClientSettings.from_config(
        {"TMDB_API_KEY": "k", "CATALOG_LANGUAGES": "en, pt-BR ,es-MX"}
    )
    assert settings.translations == ("pt-BR", "es-MX")
    assert ClientSettings.from_config({"TMDB_API_KEY": "k"}).translations == ()
