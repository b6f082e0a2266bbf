"""The stand-in TMDB server's change lists behave like TMDB's, quirks included."""

import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests

from seeder.tmdb import ClientSettings, TMDBClient
from tests.seeder.tmdb_data import (
    CORRECTED_TITLE,
    NEW_BIOGRAPHY,
    changed_snapshot,
    small_catalog,
)
from tests.seeder.tmdb_server import (
    API_KEY,
    INVALID_DATE,
    INVALID_PAGE,
    INVALID_RANGE,
    READ_TOKEN,
    Reply,
    TMDBServer,
)

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2024, 3, 15)
NOISE = range(50_000, 50_250)


@pytest.fixture
def server():
    movies, people = small_catalog(movie_count=8)
    with TMDBServer(movies=movies, people=people, today=TODAY) as server:
        yield server


def get(server: TMDBServer, path: str, **params) -> requests.Response:
    return requests.get(
        f"{server.base_url}{path}", params={"api_key": API_KEY, **params}, timeout=5
    )


def changed(server: TMDBServer, kind: str = "movie", **params) -> list[int]:
    """Every id of the window, page after page, in the order served."""
    ids, page = [], 1
    while True:
        body = get(server, f"/{kind}/changes", page=page, **params).json()
        ids += [entry["id"] for entry in body["results"]]
        if page >= body["total_pages"]:
            return ids
        page += 1


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def test_a_window_is_served_100_a_page_with_the_totals(server):
    server.record_noise("movie", NOISE)

    pages = [get(server, "/movie/changes", page=page).json() for page in (1, 2, 3, 4)]

    assert [len(page["results"]) for page in pages] == [100, 100, 50, 0]
    assert {(page["total_pages"], page["total_results"]) for page in pages} == {(3, 250)}
    assert [page["page"] for page in pages] == [1, 2, 3, 4]
    served = [entry["id"] for page in pages for entry in page["results"]]
    assert sorted(served) == list(NOISE)
    assert set(pages[0]["results"][0]) == {"id", "adult"}


def test_an_empty_window_has_one_empty_page(server):
    body = get(server, "/movie/changes").json()
    assert body == {"results": [], "page": 1, "total_pages": 1, "total_results": 0}


def test_some_entries_answer_adult_null(server):
    server.record_noise("movie", NOISE)
    adult = {
        entry["id"]: entry["adult"] for entry in get(server, "/movie/changes").json()["results"]
    }
    assert {i for i, value in adult.items() if value is None} == {i for i in adult if i % 3 == 0}
    assert {value for i, value in adult.items() if i % 3} == {False}


def test_both_dates_are_inclusive(server):
    for offset in (-6, -5, -3, -1, 0):
        server.record_change("movie", 100 + offset, day(offset))

    assert sorted(changed(server, start_date=str(day(-5)), end_date=str(day(-1)))) == [95, 97, 99]


def test_without_dates_the_window_is_today_and_the_day_before(server):
    for offset in (-2, -1, 0, 1):
        server.record_change("movie", 100 + offset, day(offset))

    assert sorted(changed(server)) == [99, 100]
    server.today = day(1)
    assert sorted(changed(server)) == [100, 101]


def test_one_date_alone_is_completed_as_tmdb_does(server):
    for offset in (-4, -3, -2, -1, 0):
        server.record_change("movie", 100 + offset, day(offset))

    assert sorted(changed(server, end_date=str(day(-2)))) == [97, 98]
    assert sorted(changed(server, start_date=str(day(-2)))) == [98, 99, 100]


def test_the_most_recently_changed_come_first_each_once(server):
    server.record_change("movie", 7, day(-3))
    server.record_change("movie", 8, day(-2))
    server.record_change("movie", 7, day(-1))
    server.record_change("movie", 9, day(-1))
    server.record_change("movie", 8, day(-5))  # outside the window: does not count

    assert changed(server, start_date=str(day(-4)), end_date=str(TODAY)) == [9, 7, 8]


def test_a_window_of_14_days_is_served_and_of_15_refused(server):
    server.record_change("movie", 1, day(-14))
    assert changed(server, start_date=str(day(-14)), end_date=str(TODAY)) == [1]

    refused = [
        get(server, "/movie/changes", start_date=str(day(-15)), end_date=str(TODAY)),
        get(server, "/movie/changes", start_date=str(day(-15))),
        get(server, "/movie/changes", start_date=str(day(1)), end_date=str(TODAY)),
    ]
    for response in refused:
        assert response.status_code == 422
        assert response.json() == {
            "success": False,
            "status_code": 47,
            "status_message": INVALID_RANGE,
        }


@pytest.mark.parametrize("text", ["2024-3-01", "2024-02-30", "20240301", "yesterday"])
def test_a_malformed_date_is_refused(server, text):
    response = get(server, "/person/changes", start_date=text)
    assert response.status_code == 422
    assert response.json()["status_code"] == 47
    assert response.json()["status_message"] == INVALID_DATE


@pytest.mark.parametrize("page", ["0", "501", "-1", "two", "1.5"])
def test_a_page_outside_1_to_500_is_refused(server, page):
    response = get(server, "/movie/changes", page=page)
    assert response.status_code == 400
    assert response.json() == {"success": False, "status_code": 22, "status_message": INVALID_PAGE}


def test_page_500_is_asked_for_in_vain_but_answered(server):
    server.record_change("movie", 1)
    body = get(server, "/movie/changes", page=500).json()
    assert body == {"results": [], "page": 500, "total_pages": 1, "total_results": 1}


def test_credentials_are_checked(server):
    server.record_change("person", 100)
    url = f"{server.base_url}/person/changes"

    refused = requests.get(url, params={"api_key": "revoked"}, timeout=5)
    by_token = requests.get(url, headers={"Authorization": f"Bearer {READ_TOKEN}"}, timeout=5)

    assert refused.status_code == 401
    assert refused.json()["status_code"] == 7
    assert by_token.json()["results"] == [{"id": 100, "adult": False}]


def test_movie_and_person_changes_are_separate(server):
    server.record_change("movie", 1)
    server.record_change("person", 100)
    assert changed(server, "movie") == [1]
    assert changed(server, "person") == [100]
    with pytest.raises(ValueError, match="kind"):
        server.record_change("tv", 1)


def test_noise_must_be_ids_the_server_does_not_serve(server):
    with pytest.raises(ValueError, match=r"\[1\]"):
        server.record_noise("movie", [1, 50_000])


def test_requests_for_windows_and_pages_are_recorded(server):
    server.record_noise("movie", NOISE)
    changed(server, start_date="2024-03-01", end_date="2024-03-10")
    changed(server)

    asked = [request.query for request in server.requests_for("/movie/changes")]
    assert [(q.get("start_date"), q.get("end_date"), q["page"]) for q in asked] == [
        ("2024-03-01", "2024-03-10", "1"),
        (None, None, "1"),
        (None, None, "2"),
        (None, None, "3"),
    ]


def test_scripted_replies_come_first_and_the_client_retries_them(server):
    server.record_change("movie", 1)
    server.script("/movie/changes", Reply(429, {}, headers={"Retry-After": "0"}), Reply(500, {}))
    settings = replace(
        ClientSettings(api_key=API_KEY, base_url=server.base_url, rate_limit=1000.0),
        backoff_base=0.01,
        backoff_cap=0.02,
    )

    client = TMDBClient(settings)
    body = client.get("/movie/changes", start_date=str(TODAY))
    client.close()

    assert body["results"] == [{"id": 1, "adult": False}]
    assert len(server.requests_for("/movie/changes")) == 3


def test_publish_logs_exactly_the_records_that_differ(server):
    snapshot = changed_snapshot(server.movies, server.people)

    logged = server.publish(movies=snapshot.movies, people=snapshot.people, day=day(-1))

    assert logged == snapshot.changes
    assert set(changed(server, "movie")) == snapshot.changed_ids("movie") == set(range(1, 8))
    assert set(changed(server, "person")) == snapshot.changed_ids("person")
    assert server.publish(movies=snapshot.movies, people=snapshot.people) == {
        "movie": {},
        "person": {},
    }


def test_publish_of_one_table_keeps_the_other(server):
    people = {**server.people, 100: {**server.people[100], "name": "Renamed"}}

    logged = server.publish(people=people)

    assert logged == {"movie": {}, "person": {100: ("name",)}}
    assert get(server, "/movie/1").status_code == 200


def test_deleted_records_answer_404_but_stay_listed(server):
    snapshot = changed_snapshot(server.movies, server.people)
    server.publish(movies=snapshot.movies, people=snapshot.people)

    for kind, tmdb_id in (
        ("movie", snapshot.ids.deleted_movie),
        ("person", snapshot.ids.deleted_person),
    ):
        response = get(server, f"/{kind}/{tmdb_id}")
        assert response.status_code == 404
        assert response.json()["status_code"] == 34
        assert tmdb_id in changed(server, kind)


def test_published_records_are_served(server):
    snapshot = changed_snapshot(server.movies, server.people)
    server.publish(movies=snapshot.movies, people=snapshot.people)

    movie = get(server, f"/movie/{snapshot.ids.retitled}").json()
    added = get(server, f"/person/{snapshot.ids.added_person}").json()
    rewritten = get(server, f"/person/{snapshot.ids.rewritten_person}").json()

    assert movie["title"] == CORRECTED_TITLE
    assert added["id"] == snapshot.ids.added_person
    assert rewritten["biography"] == NEW_BIOGRAPHY


def test_changed_snapshot_says_exactly_what_changed():
    movies, people = small_catalog(movie_count=9)
    snapshot = changed_snapshot(movies, people)
    ids = snapshot.ids

    assert snapshot.changes == {
        "movie": {
            ids.retitled: ("original_language", "original_title", "title"),
            ids.recast: ("credits.cast",),
            ids.new_poster: ("poster_path",),
            ids.new_runtime: ("runtime",),
            ids.recrewed: ("credits.crew",),
            ids.deleted_movie: ("deleted",),
            ids.lost_deleted_person: ("credits.cast",),
        },
        "person": {
            ids.added_person: ("added",),
            ids.rewritten_person: ("biography", "profile_path"),
            ids.deleted_person: ("deleted",),
        },
    }
    assert snapshot.deleted_ids("movie") == {ids.deleted_movie}
    assert snapshot.deleted_ids("person") == {ids.deleted_person}
    recast = {member["id"] for member in snapshot.movies[ids.recast]["credits"]["cast"]}
    assert ids.added_person in recast
    assert ids.removed_cast_member not in recast
    assert snapshot.people[ids.removed_cast_member] == people[ids.removed_cast_member]
    assert len(CORRECTED_TITLE) > 25
    assert snapshot.movies[8] == movies[8]
    assert snapshot.movies[9] == movies[9]


def test_changed_snapshot_leaves_its_inputs_alone():
    movies, people = small_catalog(movie_count=8)
    changed_snapshot(movies, people)
    assert (movies, people) == small_catalog(movie_count=8)


def test_changed_snapshot_refuses_a_catalog_too_small():
    with pytest.raises(ValueError, match="at least 8 movies"):
        changed_snapshot(*small_catalog())


def test_the_benchmark_server_logs_changed_and_noise_ids_today(tmp_path):
    command = [sys.executable, "-m", "tests.seeder.tmdb_server", "--movies", "50"]
    command += ["--latency", "0", "--changed", "10", "--arrivals", str(tmp_path / "arrivals")]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        try:
            base_url = process.stdout.readline().strip()
            params = {"api_key": API_KEY}
            movies = requests.get(f"{base_url}/movie/changes", params=params, timeout=5).json()
            people = requests.get(f"{base_url}/person/changes", params=params, timeout=5).json()
        finally:
            process.terminate()
            process.wait(timeout=10)

    movie_ids = [entry["id"] for entry in movies["results"]]
    served = [i for i in movie_ids if i <= 50]
    assert movies["total_results"] == 20
    assert len(served) == 10
    assert served != movie_ids[:10]  # mixed in among the noise
    assert people["total_results"] == 2
    assert process.returncode == 0
    assert (tmp_path / "arrivals").read_text().count("\n") == 2
