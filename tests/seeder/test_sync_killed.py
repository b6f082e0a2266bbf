"""A `flask seed sync` killed (SIGKILL) between windows goes on from the last one it finished."""

from __future__ import annotations

import copy
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.seed import migrated_environment
from tests.seeder.test_load_killed import fingerprint
from tests.seeder.tmdb_data import small_catalog
from tests.seeder.tmdb_server import API_KEY, TMDBServer
from tests.support import ROOT

FLASK = [sys.executable, "-m", "flask"]
TODAY = datetime.now(UTC).date()
SINCE = TODAY - timedelta(days=20)
FIRST_WINDOW_END = SINCE + timedelta(days=13)


def environment(server: TMDBServer, folder: Path) -> dict[str, str]:
    """A migrated SQLite database in `folder`, loaded with the server's catalog."""
    env = migrated_environment(folder / "output" / "processed", folder)
    env.update(TMDB_API_KEY=API_KEY, TMDB_API_BASE_URL=server.base_url, TMDB_RATE_LIMIT="1000")
    ids = ",".join(map(str, sorted(server.movies)))
    subprocess.run(
        [*FLASK, "seed", "all", "--ids", ids], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return env


def database_of(folder: Path) -> Path:
    return folder / "instance" / "marquee-test.sqlite3"


def sync_runs(database: Path) -> list[tuple]:
    """(status, window_start, cursor) of every run, oldest first."""
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    text("SELECT status, window_start, cursor FROM sync_runs ORDER BY id")
                )
            )
    finally:
        engine.dispose()


def publish_two_rounds(server: TMDBServer) -> None:
    """Movies 1–20 change in the first window's days, 21–40 in the second's."""
    movies = copy.deepcopy(server.movies)
    for movie_id in range(1, 21):
        movies[movie_id]["title"] = f"First round {movie_id}"
    server.publish(movies=movies, day=SINCE + timedelta(days=5))
    movies = copy.deepcopy(movies)
    for movie_id in range(21, 41):
        movies[movie_id]["runtime"] = 200 + movie_id
    server.publish(movies=movies, day=TODAY - timedelta(days=2))


def test_a_killed_sync_resumes_from_its_last_window_and_ends_as_one_run(tmp_path):
    movies, people = small_catalog(movie_count=40, cast_size=1)
    with TMDBServer(movies=movies, people=people) as server:
        whole, killed = tmp_path / "whole", tmp_path / "killed"
        whole_env, killed_env = environment(server, whole), environment(server, killed)
        publish_two_rounds(server)
        command = [*FLASK, "seed", "sync", "--since", SINCE.isoformat()]
        subprocess.run(command, cwd=ROOT, env=whole_env, check=True, capture_output=True)

        server.latency = 0.1  # the second window's 20 refetches take long enough to be cut
        sync = subprocess.Popen(
            command, cwd=ROOT, env=killed_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while FIRST_WINDOW_END.isoformat() not in [
            run[2] for run in sync_runs(database_of(killed))
        ]:
            assert sync.poll() is None, "the sync ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        sync.send_signal(signal.SIGKILL)
        sync.wait(timeout=30)
        assert sync.returncode == -signal.SIGKILL
        cut = fingerprint(database_of(killed))
        server.latency = 0.0
        rerun = subprocess.run(
            command[:5], cwd=ROOT, env=killed_env, capture_output=True, text=True
        )

    assert rerun.returncode == 0, rerun.stderr[-1500:]
    expected = fingerprint(database_of(whole))
    assert cut != expected  # the second window really was left undone
    assert fingerprint(database_of(killed)) == expected
    (first, second) = sync_runs(database_of(killed))
    assert first == ("interrupted", SINCE.isoformat(), FIRST_WINDOW_END.isoformat())
    # The rerun, with no --since, went on from the last window the killed run finished.
    assert second == ("finished", FIRST_WINDOW_END.isoformat(), TODAY.isoformat())
    assert f"changes from {FIRST_WINDOW_END} to {TODAY}" in rerun.stdout
