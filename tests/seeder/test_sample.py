"""The bundled sample catalog: real, complete, offline, and stable on reload."""

import json
from collections import Counter

import pytest
from sqlalchemy import func, select

from app.models import Credit, CreditKind, Movie, Person
from seeder import SAMPLE_DIR
from seeder.load import Loader
from seeder.process import process
from seeder.storage import RawStore, read_json


@pytest.fixture(scope="module")
def sample_movies():
    store = RawStore(SAMPLE_DIR)
    return [read_json(store.movie_path(movie_id)) for movie_id in store.movie_ids()]


def test_the_sample_spans_the_decades_and_languages(sample_movies):
    decades = Counter(movie["release_date"][:3] for movie in sample_movies)
    languages = {movie["original_language"] for movie in sample_movies}
    assert len(sample_movies) >= 100
    assert {f"19{d}" for d in "23456789"} | {"200", "201", "202"} <= set(decades)
    assert len(languages) >= 10
    titles = {movie["original_title"] for movie in sample_movies}
    assert {"七人の侍", "기생충", "Le Fabuleux Destin d'Amélie Poulain"} <= titles


def test_sample_movies_have_billed_casts_and_directors(sample_movies):
    for movie in sample_movies:
        cast = movie["credits"]["cast"]
        jobs = {member["job"] for member in movie["credits"]["crew"]}
        assert len(cast) >= 5, movie["title"]
        assert [member["order"] for member in cast] == list(range(len(cast))), movie["title"]
        assert all(member["character"] for member in cast), movie["title"]
        assert "Director" in jobs, movie["title"]
    assert sum(len(movie["credits"]["cast"]) >= 8 for movie in sample_movies) >= 105


def test_the_sample_holds_facts_not_prose(sample_movies):
    assert all(movie["overview"] == "" and movie["tagline"] == "" for movie in sample_movies)
    store = RawStore(SAMPLE_DIR)
    people = [read_json(store.person_path(person_id)) for person_id in store.person_ids()]
    assert all(person["biography"] == "" for person in people)
    credited = {
        m["id"]
        for movie in sample_movies
        for part in ("cast", "crew")
        for m in movie["credits"][part]
    }
    assert credited <= {person["id"] for person in people}


def test_sample_processes_without_drops(tmp_path):
    summary = process(SAMPLE_DIR, tmp_path)
    assert not [entry for entry in summary.report.entries if entry["action"] == "dropped"]
    genres = [
        json.loads(line)["name"] for line in (tmp_path / "genres.jsonl").read_text().splitlines()
    ]
    assert len(genres) == 19
    assert "Science Fiction" in genres


def test_seed_sample_loads_the_catalog_and_a_rerun_changes_nothing(runner, db):
    first = runner.invoke(args=["seed", "sample"])
    assert first.exit_code == 0, first.output
    movies = db.session.scalar(select(func.count()).select_from(Movie))
    people = db.session.scalar(select(func.count()).select_from(Person))
    assert movies >= 100
    assert people >= 1000
    godfather = db.session.scalar(select(Movie).where(Movie.tmdb_id == 238))
    directors = db.session.scalars(
        select(Person.name)
        .join(Credit)
        .where(Credit.movie_id == godfather.id, Credit.job == "Director")
    ).all()
    assert directors == ["Francis Ford Coppola"]
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Credit)
            .where(Credit.movie_id == godfather.id, Credit.kind == CreditKind.cast)
        )
        >= 8
    )

    second = runner.invoke(args=["seed", "sample"])
    assert "movies: 0 inserted, 0 updated, 110 unchanged" in second.output
    assert "credits: 0 inserted, 0 updated" in second.output
    skipped = runner.invoke(args=["seed", "sample", "--if-empty"])
    assert "sample not loaded" in skipped.output


def test_reloading_through_the_loader_is_idempotent_per_batch_size(db, tmp_path):
    process(SAMPLE_DIR, tmp_path)
    Loader(db.session, batch_size=7).run(tmp_path)
    again = Loader(db.session, batch_size=1000).run(tmp_path)
    assert again.credits.inserted == again.credits.updated == again.credits.deleted == 0
    assert again.people.inserted == again.people.updated == 0
