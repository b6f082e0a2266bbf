"""Catalog texts in the catalog's other languages: fetched, processed and loaded from TMDB."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from app.models import Genre, Movie, Person
from seeder.fetch import Fetcher
from seeder.load import Loader
from seeder.process import Report, normalize_movie, normalize_person, process
from seeder.storage import RawStore, read_json, read_json_lines
from seeder.tmdb import TMDBClient
from tests.seeder.tmdb_data import (
    movie_reply,
    person_reply,
    small_catalog,
    translation,
    translations,
)
from tests.seeder.tmdb_server import TMDBServer

GENRES_PT = [{"id": 18, "name": "Drama"}, {"id": 28, "name": "Ação"}]


def godfather() -> dict:
    """TMDB's reply as it comes: Portuguese from Brazil and from Portugal, quirks included."""
    return movie_reply(
        238,
        "The Godfather",
        overview="An overview in English.",
        tagline="An offer he can't refuse.",
        genres=[{"id": 18, "name": "Drama"}, {"id": 28, "name": "Action"}],
        translations=translations(
            translation("en", "US", title="", overview="An overview in English."),
            translation("pt", "PT", title="O Padrinho", overview="Uma sinopse de Portugal."),
            # An empty overview is TMDB's "not translated": the page falls back.
            translation(
                "pt", "BR", title="  O Poderoso Chefão ", overview="", tagline="Uma oferta."
            ),
            translation("ja", "JP", title="ゴッドファーザー"),
        ),
    )


def test_the_brazilian_entry_gives_the_title_and_tagline_and_empty_texts_are_dropped():
    record = normalize_movie(godfather(), Report(), ["pt-BR"])
    assert record["translations"] == {
        "pt-BR": {"title": "O Poderoso Chefão", "tagline": "Uma oferta."}
    }


def test_portugal_is_never_taken_for_brazil_and_other_languages_are_left_out():
    reply = godfather()
    reply["translations"]["translations"] = [
        entry for entry in reply["translations"]["translations"] if entry["iso_3166_1"] != "BR"
    ]
    assert normalize_movie(reply, Report(), ["pt-BR"])["translations"] == {}
    assert normalize_movie(reply, Report(), ["pt"])["translations"] == {
        "pt": {"title": "O Padrinho", "overview": "Uma sinopse de Portugal."}
    }
    assert normalize_movie(godfather(), Report(), [])["translations"] == {}


def test_a_broken_translations_block_is_repaired_not_fatal():
    reply = godfather()
    reply["translations"] = {"translations": [{"iso_639_1": "pt", "iso_3166_1": "BR", "data": 7}]}
    assert normalize_movie(reply, Report(), ["pt-BR"])["translations"] == {}
    reply["translations"] = "garbage"
    assert normalize_movie(reply, Report(), ["pt-BR"])["translations"] == {}
    reply["translations"] = {
        "translations": [{"iso_639_1": "pt", "iso_3166_1": "BR", "data": {"title": 5}}]
    }
    report = Report()
    assert normalize_movie(reply, report, ["pt-BR"])["translations"] == {}
    assert any("not text" in entry["reason"] for entry in report.entries)


def test_a_persons_biography_comes_in_each_language():
    reply = person_reply(
        7,
        "Fernanda Montenegro",
        biography="An English biography.",
        translations=translations(translation("pt", "BR", biography="Uma biografia.")),
    )
    assert normalize_person(reply, Report(), ["pt-BR"])["translations"] == {
        "pt-BR": {"biography": "Uma biografia."}
    }


@pytest.fixture
def portuguese_tmdb():
    movies, people = small_catalog(movie_count=1, cast_size=1)
    movies[238] = godfather()
    people[100] = person_reply(
        100, "Actor 1-0", translations=translations(translation("pt", "BR", biography="Bio."))
    )
    genres = [{"id": 18, "name": "Drama"}, {"id": 28, "name": "Action"}]
    with TMDBServer(
        movies=movies, people=people, genres=genres, genres_in={"pt-BR": GENRES_PT}
    ) as s:
        yield s


def fetch_process_load(server, settings, tmp_path, db, languages=("pt-BR",)):
    store = RawStore(tmp_path / "raw")
    client = TMDBClient(replace(settings, base_url=server.base_url, translations=languages))
    Fetcher(client, store, concurrency=2).run([1, 238])
    process(store.root, tmp_path / "processed", languages=languages)
    Loader(db.session).run(tmp_path / "processed")
    db.session.commit()
    return store


def test_fetch_asks_for_translations_and_the_genre_list_in_each_language(
    portuguese_tmdb, tmdb_settings, tmp_path, db
):
    store = fetch_process_load(portuguese_tmdb, tmdb_settings, tmp_path, db)

    movie_requests = portuguese_tmdb.requests_for("/movie/238")
    assert "translations" in movie_requests[0].query["append_to_response"].split(",")
    person_requests = portuguese_tmdb.requests_for("/person/100")
    assert person_requests[0].query["append_to_response"] == "translations"
    asked = [r.query["language"] for r in portuguese_tmdb.requests_for("/genre/movie/list")]
    assert sorted(asked) == ["en-US", "pt-BR"]
    assert read_json(store.genres_path_in("pt-BR"))["genres"] == GENRES_PT


def test_loaded_movies_people_and_genres_carry_their_portuguese_texts(
    portuguese_tmdb, tmdb_settings, tmp_path, db
):
    fetch_process_load(portuguese_tmdb, tmdb_settings, tmp_path, db)

    movie = db.session.scalar(select(Movie).where(Movie.tmdb_id == 238))
    assert movie.title == "The Godfather"
    assert movie.translations == {"pt-BR": {"title": "O Poderoso Chefão", "tagline": "Uma oferta."}}
    person = db.session.scalar(select(Person).where(Person.tmdb_id == 100))
    assert person.translations == {"pt-BR": {"biography": "Bio."}}
    names = {genre.name: genre.translations for genre in db.session.scalars(select(Genre))}
    # Drama reads the same in Portuguese: nothing to keep.
    assert names == {"Drama": {}, "Action": {"pt-BR": {"name": "Ação"}}}


def test_a_new_translation_updates_the_movie_on_the_next_load(
    portuguese_tmdb, tmdb_settings, tmp_path, db
):
    fetch_process_load(portuguese_tmdb, tmdb_settings, tmp_path, db)
    portuguese_tmdb.movies[238]["translations"]["translations"][2]["data"]["overview"] = "Sinopse."

    store = RawStore(tmp_path / "raw")
    client = TMDBClient(
        replace(tmdb_settings, base_url=portuguese_tmdb.base_url, translations=("pt-BR",))
    )
    Fetcher(client, store, concurrency=2, refresh=True).run([238])
    process(store.root, tmp_path / "again", languages=("pt-BR",))
    summary = Loader(db.session).run(tmp_path / "again")
    db.session.commit()

    assert summary.movies.updated == 1
    movie = db.session.scalar(select(Movie).where(Movie.tmdb_id == 238))
    assert movie.translation("pt-BR", "overview") == "Sinopse."


def test_without_other_catalog_languages_nothing_more_is_fetched_or_kept(
    portuguese_tmdb, tmdb_settings, tmp_path, db
):
    store = fetch_process_load(portuguese_tmdb, tmdb_settings, tmp_path, db, languages=())

    assert not store.genres_path_in("pt-BR").exists()
    movies = list(read_json_lines(tmp_path / "processed" / "movies.jsonl"))
    assert all(movie["translations"] == {} for movie in movies)


def test_a_broken_genre_list_in_another_language_is_reported_and_english_kept(raw_store, tmp_path):
    raw_store.genres_path.parent.mkdir(parents=True, exist_ok=True)
    raw_store.genres_path.write_text('{"genres": [{"id": 18, "name": "Drama"}]}')
    raw_store.genres_path_in("pt-BR").write_text("{not json")

    summary = process(raw_store.root, tmp_path / "out", languages=("pt-BR",))

    genres = list(read_json_lines(tmp_path / "out" / "genres.jsonl"))
    assert genres == [{"tmdb_id": 18, "name": "Drama", "translations": {}}]
    assert any(entry["id"] == "genres.pt-BR.json" for entry in summary.report.entries)


@pytest.fixture
def raw_store(tmp_path):
    store = RawStore(tmp_path / "raw")
    (store.root / "movies").mkdir(parents=True)
    return store


def test_a_sync_without_genre_lists_keeps_the_genres_portuguese_names(
    portuguese_tmdb, tmdb_settings, tmp_path, db
):
    store = fetch_process_load(portuguese_tmdb, tmdb_settings, tmp_path, db)
    store.genres_path_in("pt-BR").unlink()  # a sync's raw store: movies, no genre lists

    process(store.root, tmp_path / "synced", movie_ids=[238], languages=("pt-BR",))
    Loader(db.session, incremental=True).run(tmp_path / "synced")
    db.session.commit()

    action = db.session.scalar(select(Genre).where(Genre.tmdb_id == 28))
    assert action.translations == {"pt-BR": {"name": "Ação"}}


def test_a_genre_list_that_now_names_it_as_english_does_drops_the_old_name(
    portuguese_tmdb, tmdb_settings, tmp_path, db
):
    fetch_process_load(portuguese_tmdb, tmdb_settings, tmp_path, db)
    portuguese_tmdb.genres_in["pt-BR"] = [{"id": 18, "name": "Drama"}, {"id": 28, "name": "Action"}]
    store = RawStore(tmp_path / "raw")
    client = TMDBClient(
        replace(tmdb_settings, base_url=portuguese_tmdb.base_url, translations=("pt-BR",))
    )
    Fetcher(client, store, concurrency=2, refresh=True).run([238])
    process(store.root, tmp_path / "again", languages=("pt-BR",))
    Loader(db.session).run(tmp_path / "again")
    db.session.commit()

    action = db.session.scalar(select(Genre).where(Genre.tmdb_id == 28))
    assert action.translations == {}
