"""`flask seed …` end to end: the real client, a local TMDB-shaped server, the test database."""

import pytest
from sqlalchemy import func, select

from app.models import Credit, Movie, Person
from tests.support import point_at_tmdb


@pytest.fixture
def seed_config(app, tmdb_server, tmp_path, monkeypatch):
    point_at_tmdb(app, monkeypatch, tmdb_server.base_url, tmp_path / "output")
    return tmp_path / "output"


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_all_fetches_processes_and_loads(runner, db, seed_config):
    result = runner.invoke(args=["seed", "all", "--popular", "2", "--ids", "2,3"])

    assert result.exit_code == 0, result.output
    assert "movies: 3 fetched" in result.output
    assert "movies: 3 kept, 0 repaired, 0 dropped" in result.output
    assert "movies: 3 inserted, 0 updated, 0 unchanged" in result.output
    assert count(db, Movie) == 3
    assert count(db, Person) == 13
    assert count(db, Credit) == 15

    status = runner.invoke(args=["seed", "status"])
    assert "3 movies, 13 people, genres yes" in status.output
    assert "1 genres, 13 people, 3 movies, 15 credits" in status.output
    assert "database: 3 movies, 13 people, 15 credits, 1 genres" in status.output


def test_stages_run_one_by_one_and_rerun_cleanly(runner, db, seed_config):
    assert runner.invoke(args=["seed", "fetch", "--top-rated", "1"]).exit_code == 0
    assert runner.invoke(args=["seed", "process"]).exit_code == 0
    first = runner.invoke(args=["seed", "load"])
    second = runner.invoke(args=["seed", "load", "--batch-size", "1"])

    assert "movies: 1 inserted" in first.output
    assert "movies: 0 inserted, 0 updated, 1 unchanged" in second.output
    assert "credits: 0 inserted, 0 updated, 5 unchanged" in second.output


def test_fetch_with_an_ids_file(runner, db, seed_config, tmp_path):
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("# favourites\n1\n\n2  # with a comment\n")

    result = runner.invoke(args=["seed", "fetch", "--ids-file", str(ids_file)])

    assert result.exit_code == 0, result.output
    assert "movies: 2 fetched" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["seed", "fetch"], "Say what to fetch"),
        (["seed", "fetch", "--ids", "550,abc"], "'abc' is not a TMDB id"),
        (["seed", "fetch", "--ids", "0"], "'0' is not a TMDB id"),
        (["seed", "fetch", "--popular", "-3"], "-3 is not in the range"),
        (["seed", "fetch", "--ids", "1", "--pages", "3"], "--pages goes with --year"),
    ],
)
def test_bad_fetch_input_is_a_usage_error(runner, db, seed_config, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert message in result.output


def test_missing_credentials_are_a_clean_error(runner, db, seed_config, monkeypatch, app):
    monkeypatch.setitem(app.config, "TMDB_API_KEY", None)
    result = runner.invoke(args=["seed", "fetch", "--ids", "1"])
    assert result.exit_code == 1
    assert "No TMDB credentials: set TMDB_API_KEY" in result.output
    assert "Traceback" not in result.output


def test_process_and_load_say_what_to_run_first(runner, db, seed_config):
    process = runner.invoke(args=["seed", "process"])
    load = runner.invoke(args=["seed", "load"])
    assert process.exit_code == load.exit_code == 1
    assert "run `flask seed fetch` first" in process.output
    assert "run `flask seed process` first" in load.output


def test_reindex_rebuilds_the_search_index(runner, db, seed_config, client):
    runner.invoke(args=["seed", "all", "--ids", "1"])
    result = runner.invoke(args=["seed", "reindex"])
    assert result.exit_code == 0, result.output
    assert "search index: 6 entries" in result.output  # 1 movie, 4 actors, 1 director
    assert client.get("/search/suggest?q=movie").json["results"][0]["title"] == "Movie 1"
