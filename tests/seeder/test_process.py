"""Process: raw replies become checked JSON Lines; bad records are reported, never fatal."""

import json

import pytest

from seeder.process import process
from seeder.storage import RawStore, read_json_lines, write_json_atomic
from tests.seeder.tmdb_data import (
    cast_member,
    crew_member,
    movie_reply,
    person_reply,
    small_catalog,
)


@pytest.fixture
def raw(tmp_path):
    return RawStore(tmp_path / "raw")


def save(store: RawStore, movies=None, people=None, genres=None):
    for movie_id, reply in (movies or {}).items():
        write_json_atomic(store.movie_path(movie_id), reply)
    for person_id, reply in (people or {}).items():
        write_json_atomic(store.person_path(person_id), reply)
    write_json_atomic(store.genres_path, {"genres": genres or [{"id": 18, "name": "Drama"}]})


def run(store, tmp_path):
    summary = process(store.root, tmp_path / "processed")
    out = tmp_path / "processed"
    files = {
        name: list(read_json_lines(out / f"{name}.jsonl"))
        for name in ("movies", "people", "credits", "genres", "report")
    }
    return summary, files


def reasons(files, kind, action):
    return {
        (entry["id"], entry["reason"])
        for entry in files["report"]
        if entry["kind"] == kind and entry["action"] == action
    }


def test_a_clean_catalog_is_normalized(raw, tmp_path):
    movies, people = small_catalog(movie_count=2, cast_size=3)
    save(raw, movies, people)

    summary, files = run(raw, tmp_path)

    movie = files["movies"][0]
    assert movie["tmdb_id"] == 1
    assert movie["release_date"] == "2001-02-03"
    assert movie["certification"] == "PG-13"  # the theatrical one
    assert movie["trailer_key"] == "official1"  # the official trailer
    assert movie["genre_ids"] == [18]
    assert movie["keywords"] == [{"tmdb_id": 1, "name": "friendship"}]
    assert movie["countries"] == ["US"]
    assert len(files["credits"]) == 2 * 4
    assert {c["kind"] for c in files["credits"]} == {"cast", "crew"}
    assert len(files["people"]) == 7
    assert files["genres"] == [{"tmdb_id": 18, "name": "Drama", "translations": {}}]
    assert files["report"] == []
    assert "movies: 2 kept, 0 repaired, 0 dropped" in summary.lines()


def test_alternative_titles_are_kept_once_without_the_film_s_own(raw, tmp_path):
    movies, people = small_catalog(movie_count=1, cast_size=1)
    movies[1]["alternative_titles"] = {
        "titles": [
            {"iso_3166_1": "BR", "title": "O  Filme Um", "type": ""},
            {"iso_3166_1": "PT", "title": "O Filme Um", "type": ""},
            {"iso_3166_1": "US", "title": movies[1]["title"], "type": ""},
            {"iso_3166_1": "FR", "title": "", "type": ""},
            {"iso_3166_1": "DE", "type": ""},
            "not an entry",
        ]
    }
    save(raw, movies, people)

    _, files = run(raw, tmp_path)

    assert files["movies"][0]["alternative_titles"] == ["O Filme Um"]


def test_malformed_records_are_dropped_with_reasons(raw, tmp_path):
    save(raw, {1: movie_reply(1, "Good")}, {})
    raw.movie_path(2).write_text('{"id": 2, "title": ')  # cut short
    write_json_atomic(raw.movie_path(3), movie_reply(3, "", original_title=""))
    write_json_atomic(raw.movie_path(4), ["not", "an", "object"])
    write_json_atomic(raw.movie_path(5), movie_reply(6, "Wrong file"))
    write_json_atomic(raw.movie_path(7), movie_reply(7, "No id", id=None))
    write_json_atomic(raw.person_path(8), person_reply(8, "   "))

    summary, files = run(raw, tmp_path)

    assert [m["tmdb_id"] for m in files["movies"]] == [1]
    dropped = dict(reasons(files, "movie", "dropped"))
    assert dropped[2].startswith("invalid JSON")
    assert dropped[3] == "no title"
    assert dropped[4] == "expected a JSON object, got list"
    assert dropped[5] == "file holds movie 6"
    assert dropped[7] == "missing or invalid id (None)"
    assert (8, "no name") in reasons(files, "person", "dropped")
    assert "movies: 1 kept, 0 repaired, 5 dropped" in summary.lines()


def test_bad_fields_are_repaired_and_reported(raw, tmp_path):
    movie = movie_reply(
        1,
        "Fixable",
        release_date="2001-13-45",
        runtime=-5,
        budget="lots",
        vote_average=11,
        imdb_id="imdb-1",
        tagline="x" * 600,
        popularity=None,
        genres=[{"id": 18, "name": "Drama"}, "junk"],
    )
    person = person_reply(5, "Ok Person", birthday="1990-01-01", deathday="1980-01-01", gender=9)
    save(raw, {1: movie}, {5: person})

    _, files = run(raw, tmp_path)

    stored = files["movies"][0]
    assert stored["release_date"] is None
    assert stored["runtime"] is None
    assert stored["budget"] is None
    assert stored["vote_average"] == 0.0
    assert stored["imdb_id"] is None
    assert len(stored["tagline"]) == 500
    assert stored["popularity"] == 0.0
    repaired = {reason for _, reason in reasons(files, "movie", "repaired")}
    assert "release_date '2001-13-45' is not a date; dropped it" in repaired
    assert "runtime -5 is out of range; dropped it" in repaired
    assert "tagline longer than 500 characters; cut" in repaired
    assert any(reason.startswith("genre entry 'junk'") for reason in repaired)
    assert files["people"][0]["deathday"] is None
    assert files["people"][0]["gender"] == 0
    assert (5, "deathday before birthday; dropped the deathday") in reasons(
        files, "person", "repaired"
    )


def test_missing_and_null_fields_do_not_crash(raw, tmp_path):
    bare = {"id": 1, "title": "Bare"}
    nulls = {key: None for key in movie_reply(2, "x")} | {"id": 2, "title": "Nulls"}
    save(raw, {1: bare, 2: nulls}, {3: {"id": 3, "name": "Bare Person"}})

    _, files = run(raw, tmp_path)

    assert [m["title"] for m in files["movies"]] == ["Bare", "Nulls"]
    assert files["movies"][0]["genre_ids"] == []
    assert files["credits"] == []
    assert files["people"][0]["birthday"] is None


def test_bad_credits_are_dropped_and_unknown_people_built_from_credits(raw, tmp_path):
    cast = [
        cast_member(1, 10, "Zoë Kravitz", "Lead", 0),
        cast_member(1, 10, "Zoë Kravitz", "Lead", 0),  # the same credit twice
        {**cast_member(1, 11, "No Id", "x", 1), "id": "eleven"},
        {**cast_member(1, 12, "No Credit Id", "x", 2), "credit_id": None},
        cast_member(1, 13, "三船敏郎", "菊千代", 3),
    ]
    crew = [{**crew_member(1, 14, "No Job", "", "Crew"), "job": None}]
    save(
        raw,
        {1: movie_reply(1, "Credits", cast=cast, crew=crew)},
        {10: person_reply(10, "Zoë Kravitz")},
    )

    _, files = run(raw, tmp_path)

    assert [c["person_tmdb_id"] for c in files["credits"]] == [10, 13]
    dropped = {reason for _, reason in reasons(files, "credit", "dropped")}
    assert dropped == {
        "duplicate credit_id",
        "missing or invalid id ('eleven')",
        "missing credit_id",
        "crew credit has no job",
    }
    people = {p["tmdb_id"]: p for p in files["people"]}
    assert people[13]["name"] == "三船敏郎"
    assert (13, "no person record; built from the credit") in reasons(files, "person", "repaired")
    assert files["credits"][1]["character"] == "菊千代"


def test_a_very_long_cast_is_kept_whole(raw, tmp_path):
    cast = [cast_member(1, 1000 + n, f"Extra {n}", f"Crowd {n}", n) for n in range(600)]
    save(raw, {1: movie_reply(1, "Epic", cast=cast)})

    _, files = run(raw, tmp_path)

    assert len(files["credits"]) == 600
    assert files["credits"][-1]["order"] == 599


def test_genres_missing_from_the_list_are_taken_from_movies(raw, tmp_path):
    movie = movie_reply(
        1, "Genre", genres=[{"id": 18, "name": "Drama"}, {"id": 99, "name": "Documentary"}]
    )
    save(raw, {1: movie}, genres=[{"id": 18, "name": "Drama"}, {"id": "x", "name": "Broken"}])

    _, files = run(raw, tmp_path)

    assert files["genres"] == [
        {"tmdb_id": 18, "name": "Drama", "translations": {}},
        {"tmdb_id": 99, "name": "Documentary", "translations": {}},
    ]
    assert (99, "not in genres.json; taken from a movie") in reasons(files, "genre", "repaired")


def test_processing_twice_gives_the_same_files(raw, tmp_path):
    movies, people = small_catalog()
    save(raw, movies, people)
    process(raw.root, tmp_path / "one")
    process(raw.root, tmp_path / "two")
    for name in ("movies", "people", "credits", "genres"):
        assert (tmp_path / "one" / f"{name}.jsonl").read_bytes() == (
            tmp_path / "two" / f"{name}.jsonl"
        ).read_bytes()
    assert (
        json.loads((tmp_path / "one" / "movies.jsonl").read_text().splitlines()[0])["title"]
        == "Movie 1"
    )
