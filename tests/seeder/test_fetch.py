"""Fetch: raw replies saved atomically, skipped when present, resumable."""

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from seeder.fetch import Fetcher
from seeder.storage import RawStore, write_json_atomic
from seeder.tmdb import TMDBAuthError, TMDBClient
from tests.seeder.tmdb_data import crew_member, movie_reply, person_reply, small_catalog
from tests.seeder.tmdb_server import API_KEY, Reply, TMDBServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path):
    return RawStore(tmp_path / "raw")


def fetcher(settings, store, **options):
    return Fetcher(TMDBClient(settings), store, concurrency=4, **options)


def test_fetch_saves_movies_their_people_and_genres(tmdb_server, tmdb_settings, store):
    summary = fetcher(tmdb_settings, store).run([1, 2])

    assert store.movie_ids() == [1, 2]
    assert 9000 in store.person_ids()  # the director
    assert len(store.person_ids()) == 9  # 2 movies x 4 cast + the director
    assert json.loads(store.genres_path.read_text())["genres"][0]["name"] == "Drama"
    assert summary.movies.fetched == 2
    assert summary.people.fetched == 9
    assert summary.genres_fetched
    assert not list(store.root.rglob("*.tmp"))


def test_what_is_already_there_is_skipped_unless_refresh(tmdb_server, tmdb_settings, store):
    fetcher(tmdb_settings, store).run([1])
    before = len(tmdb_server.requests)

    again = fetcher(tmdb_settings, store).run([1])
    assert len(tmdb_server.requests) == before
    assert again.movies.skipped == 1
    assert again.people.skipped == 5

    refreshed = fetcher(tmdb_settings, store, refresh=True).run([1])
    assert refreshed.movies.fetched == 1
    assert refreshed.genres_fetched


def test_cast_limit_and_key_crew_choose_the_people(tmdb_settings, store):
    crew = [
        crew_member(1, 50, "Director Person", "Director", "Directing"),
        crew_member(1, 51, "Editor Person", "Editor", "Editing"),
        crew_member(1, 52, "Grip Person", "Key Grip", "Crew"),
    ]
    movies, people = small_catalog(movie_count=1, cast_size=6)
    movies[1] = movie_reply(1, "Movie 1", cast=movies[1]["credits"]["cast"], crew=crew)
    people.update({pid: person_reply(pid, f"P{pid}") for pid in (50, 51, 52)})
    with TMDBServer(movies=movies, people=people) as server:
        fetcher(replace(tmdb_settings, base_url=server.base_url), store, cast_limit=2).run([1])

    assert store.person_ids() == [50, 51, 100, 101]


def test_a_404_is_recorded_skipped_and_not_asked_again(tmdb_server, tmdb_settings, store):
    summary = fetcher(tmdb_settings, store).run([1, 777])

    assert summary.movies.not_found == [777]
    assert store.movie_ids() == [1]
    assert store.read_not_found()["movies"] == {777}

    fetcher(tmdb_settings, store).run([1, 777])
    assert len(tmdb_server.requests_for("/movie/777")) == 1


def test_a_movie_that_keeps_failing_is_reported_and_the_rest_fetched(
    tmdb_server, tmdb_settings, store
):
    tmdb_server.script("/movie/2", *[Reply(500, {})] * 4)
    summary = fetcher(tmdb_settings, store).run([1, 2, 3])

    assert store.movie_ids() == [1, 3]
    assert "server error (500)" in summary.movies.failed[2]
    assert any("movie 2: TMDB failed" in line for line in summary.lines())


def test_a_401_stops_the_whole_run_at_once(tmdb_server, tmdb_settings, store):
    settings = replace(tmdb_settings, api_key="revoked")
    with pytest.raises(TMDBAuthError, match="TMDB_API_KEY"):
        fetcher(settings, store).run([1, 2, 3])
    assert len(tmdb_server.requests) == 1  # genres asked first, refused, nothing else tried


def test_a_401_during_movies_cancels_the_rest(tmdb_settings, store):
    movies, people = small_catalog(movie_count=40)
    with TMDBServer(movies=movies, people=people) as server:
        for movie_id in range(1, 41):
            server.script(f"/movie/{movie_id}", Reply(401, {"status_code": 7}))
        settings = replace(tmdb_settings, base_url=server.base_url)
        with pytest.raises(TMDBAuthError):
            fetcher(settings, store).run(list(range(1, 41)))
        assert len(server.requests_for("/movie/")) <= 8 + 4  # in flight when it stopped


def test_leftover_temporary_files_are_cleaned(tmdb_server, tmdb_settings, store):
    store.movies_dir.mkdir(parents=True)
    (store.movies_dir / ".1.json.abc.tmp").write_text('{"id": 1, "ti')
    fetcher(tmdb_settings, store).run([1])
    assert not list(store.movies_dir.glob("*.tmp"))


def test_atomic_write_leaves_the_old_file_when_it_fails(tmp_path):
    target = tmp_path / "movie.json"
    write_json_atomic(target, {"id": 1})
    with pytest.raises(TypeError):
        write_json_atomic(target, {"id": object()})
    assert json.loads(target.read_text()) == {"id": 1}
    assert list(tmp_path.iterdir()) == [target]


def _default_sigint() -> None:
    # A shell without job control starts background jobs with SIGINT ignored,
    # and children inherit that; a Ctrl-C test needs the default disposition.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("stop_signal", [signal.SIGKILL, signal.SIGINT])
def test_a_stopped_fetch_resumes_where_it_stopped(tmp_path, stop_signal):
    """Kill `flask seed fetch` (or Ctrl-C it) part way; the rerun asks only for what is missing."""
    movies, people = small_catalog(movie_count=30, cast_size=1)
    with TMDBServer(movies=movies, people=people, latency=0.05) as server:
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("FLASK_", "MARQUEE_", "TMDB_"))
            },
            "MARQUEE_ENV": "test",
            "MARQUEE_INSTANCE_PATH": str(tmp_path / "instance"),
            "FLASK_SEED_OUTPUT_DIR": str(tmp_path / "output"),
            "TMDB_API_KEY": API_KEY,
            "TMDB_API_BASE_URL": server.base_url,
            "TMDB_RATE_LIMIT": "40",
            "TMDB_CONCURRENCY": "2",
        }
        command = [
            sys.executable,
            "-m",
            "flask",
            "seed",
            "fetch",
            "--ids",
            ",".join(map(str, range(1, 31))),
        ]
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=_default_sigint,
        )
        store = RawStore(tmp_path / "output" / "raw")
        deadline = time.monotonic() + 30
        while len(store.movie_ids()) < 10 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(stop_signal)
        _, stderr = process.communicate(timeout=30)
        if stop_signal == signal.SIGINT:
            assert process.returncode == 130
            assert "Run the same command again to fetch only what is missing" in stderr
            assert "Traceback" not in stderr
        saved_before = set(store.movie_ids())
        assert 10 <= len(saved_before) < 30
        first_run_requests = len(server.requests_for("/movie/"))

        rerun = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
        )

        assert rerun.returncode == 0, rerun.stderr
        assert store.movie_ids() == list(range(1, 31))
        asked_again = {
            int(r.path.rsplit("/", 1)[1])
            for r in server.requests_for("/movie/")[first_run_requests:]
        }
        assert asked_again.isdisjoint(saved_before)
        assert "movies: " in rerun.stdout
        for movie_id in store.movie_ids():
            assert json.loads(store.movie_path(movie_id).read_text())["id"] == movie_id
