"""Load: upserts keyed by TMDB id, batch by batch; reruns change nothing."""

import pytest
from sqlalchemy import func, select

from app.models import Credit, CreditKind, Genre, Movie, Person, movie_genres
from seeder.load import Loader
from seeder.process import process
from seeder.storage import RawStore, write_json_atomic
from tests.seeder.tmdb_data import movie_reply, person_reply, small_catalog


def write_raw(root, movies, people, genres=None):
    store = RawStore(root)
    for movie_id, reply in movies.items():
        write_json_atomic(store.movie_path(movie_id), reply)
    for person_id, reply in people.items():
        write_json_atomic(store.person_path(person_id), reply)
    genres = genres or [{"id": 18, "name": "Drama"}, {"id": 35, "name": "Comedy"}]
    write_json_atomic(store.genres_path, {"genres": genres})
    return store


def load(db, tmp_path, movies, people, *, batch_size=1000, name="run"):
    write_raw(tmp_path / name / "raw", movies, people)
    process(tmp_path / name / "raw", tmp_path / name / "processed")
    return Loader(db.session, batch_size=batch_size).run(tmp_path / name / "processed")


def snapshot(db):
    """Every catalog row, without timestamps."""
    movies = db.session.execute(
        select(Movie.tmdb_id, Movie.title, Movie.runtime, Movie.release_date).order_by(
            Movie.tmdb_id
        )
    ).all()
    people = db.session.execute(
        select(Person.tmdb_id, Person.name, Person.birthday).order_by(Person.tmdb_id)
    ).all()
    credits = db.session.execute(
        select(
            Credit.tmdb_credit_id,
            Movie.tmdb_id,
            Person.tmdb_id,
            Credit.kind,
            Credit.character,
            Credit.cast_order,
            Credit.job,
        )
        .join(Movie, Credit.movie_id == Movie.id)
        .join(Person, Credit.person_id == Person.id)
        .order_by(Credit.tmdb_credit_id)
    ).all()
    links = db.session.execute(
        select(Movie.tmdb_id, Genre.tmdb_id)
        .join(movie_genres, movie_genres.c.movie_id == Movie.id)
        .join(Genre, Genre.id == movie_genres.c.genre_id)
        .order_by(Movie.tmdb_id, Genre.tmdb_id)
    ).all()
    return movies, people, credits, links


def test_first_load_inserts_everything(db, tmp_path):
    movies, people = small_catalog(movie_count=3, cast_size=4)

    summary = load(db, tmp_path, movies, people)

    assert summary.movies.inserted == 3
    assert summary.people.inserted == 13
    assert summary.credits.inserted == 15
    assert summary.genres.inserted == 2
    movie = db.session.scalar(select(Movie).where(Movie.tmdb_id == 2))
    assert movie.title == "Movie 2"
    assert movie.certification == "PG-13"
    assert [genre.name for genre in movie.genres] == ["Drama"]
    cast = db.session.scalars(
        select(Credit)
        .where(Credit.movie_id == movie.id, Credit.kind == CreditKind.cast)
        .order_by(Credit.cast_order)
    ).all()
    assert [credit.character for credit in cast] == ["Role 0", "Role 1", "Role 2", "Role 3"]


def test_loading_twice_changes_nothing(db, tmp_path):
    movies, people = small_catalog()
    load(db, tmp_path, movies, people, name="first")
    before = snapshot(db)

    again = load(db, tmp_path, movies, people, name="second")

    assert snapshot(db) == before
    assert again.movies.inserted == again.movies.updated == 0
    assert again.movies.unchanged == 3
    assert again.people.unchanged == 13
    assert again.credits.unchanged == 15
    assert again.credits.deleted == 0
    assert again.genres.unchanged == 2


def test_batch_size_does_not_change_the_result(db, tmp_path):
    movies, people = small_catalog(movie_count=5)
    load(db, tmp_path, movies, people, batch_size=1, name="small-batches")
    small = snapshot(db)
    summary = load(db, tmp_path, movies, people, batch_size=500, name="one-batch")
    assert snapshot(db) == small
    assert summary.movies.unchanged == 5


def test_changed_input_updates_rows(db, tmp_path):
    movies, people = small_catalog()
    load(db, tmp_path, movies, people, name="first")

    movies[1]["title"] = "Movie One (Director's Cut)"
    movies[2]["genres"] = [{"id": 35, "name": "Comedy"}]
    movies[3]["credits"]["cast"].pop()  # a credit TMDB no longer lists
    movies[3]["credits"]["cast"][0]["character"] = "Renamed Role"
    people[100]["birthday"] = "1971-05-06"
    summary = load(db, tmp_path, movies, people, name="second")

    assert summary.movies.updated == 2  # title, genres
    assert summary.movies.unchanged == 1
    assert summary.people.updated == 1
    assert summary.credits.updated == 1
    assert summary.credits.deleted == 1
    assert (
        db.session.scalar(select(Movie.title).where(Movie.tmdb_id == 1))
        == "Movie One (Director's Cut)"
    )
    movie_two = db.session.scalar(select(Movie).where(Movie.tmdb_id == 2))
    db.session.refresh(movie_two)
    assert [genre.name for genre in movie_two.genres] == ["Comedy"]
    assert (
        db.session.scalar(select(Person.birthday).where(Person.tmdb_id == 100)).isoformat()
        == "1971-05-06"
    )
    assert db.session.scalar(select(Credit).where(Credit.character == "Renamed Role")) is not None


def test_people_are_matched_by_tmdb_id_never_by_name(db, tmp_path):
    local = Person(name="Alex Kim")  # entered by hand, no TMDB id
    db.session.add(local)
    db.session.commit()
    people = {1: person_reply(1, "Alex Kim"), 2: person_reply(2, "Alex Kim", birthday="1988-08-08")}
    movies = {10: movie_reply(10, "Two Alexes", cast=[])}

    load(db, tmp_path, movies, people)

    named = db.session.scalars(
        select(Person).where(Person.name == "Alex Kim").order_by(Person.id)
    ).all()
    assert [person.tmdb_id for person in named] == [None, 1, 2]


def test_unicode_titles_and_names_survive(db, tmp_path):
    from tests.seeder.tmdb_data import cast_member

    cast = [cast_member(1, 7450, "Toshirô Mifune", "菊千代", 0)]
    movies = {
        1: movie_reply(
            1, "Seven Samurai", original_title="七人の侍", original_language="ja", cast=cast
        )
    }
    load(
        db,
        tmp_path,
        movies,
        {7450: person_reply(7450, "Toshirô Mifune", also_known_as=["三船敏郎"])},
    )

    movie = db.session.scalar(select(Movie).where(Movie.tmdb_id == 1))
    assert movie.original_title == "七人の侍"
    assert db.session.scalar(select(Credit.character)) == "菊千代"


def test_a_local_genre_with_the_same_name_is_adopted(db, tmp_path):
    db.session.add(Genre(name="drama", slug="drama"))
    db.session.commit()
    movies, people = small_catalog(movie_count=1, cast_size=1)

    summary = load(db, tmp_path, movies, people)

    assert summary.genres.updated == 1
    genre = db.session.scalar(select(Genre).where(Genre.slug == "drama"))
    assert (genre.tmdb_id, genre.name) == (18, "Drama")


def test_loading_without_processed_files_says_what_to_run(db, tmp_path):
    with pytest.raises(FileNotFoundError, match="run `flask seed process` first"):
        Loader(db.session).run(tmp_path / "nothing")


def test_a_credit_moved_to_a_new_movie_is_updated_not_duplicated(db, tmp_path):
    movies, people = small_catalog(movie_count=1, cast_size=2)
    load(db, tmp_path, movies, people, name="first")

    moved = movies[1]["credits"]["cast"].pop()  # TMDB moved this credit to a new movie
    movies[2] = movie_reply(2, "Sequel", cast=[moved])
    summary = load(db, tmp_path, movies, people, name="second")

    assert summary.credits.updated == 1
    assert summary.credits.inserted == 0
    credit = db.session.scalar(select(Credit).where(Credit.tmdb_credit_id == moved["credit_id"]))
    assert credit.movie.title == "Sequel"
    assert db.session.scalar(select(func.count()).select_from(Credit)) == 3  # 2 before + none new


def test_keywords_are_loaded_and_kept_in_step(db, tmp_path):
    from app.models import Keyword, movie_keywords

    movies, people = small_catalog(movie_count=2, cast_size=1)
    movies[1]["keywords"] = {"keywords": [{"id": 10, "name": "heist"}, {"id": 11, "name": "paris"}]}
    movies[2]["keywords"] = {"keywords": [{"id": 10, "name": "heist"}]}
    load(db, tmp_path, movies, people, name="first")

    assert sorted(db.session.scalars(select(Keyword.name))) == ["heist", "paris"]
    assert db.session.scalar(select(func.count()).select_from(movie_keywords)) == 3

    movies[1]["keywords"] = {"keywords": [{"id": 10, "name": "heist"}]}
    summary = load(db, tmp_path, movies, people, name="second")

    assert summary.movies.updated == 1
    assert db.session.scalar(select(func.count()).select_from(movie_keywords)) == 2


def test_a_movie_left_with_no_credits_loses_them(db, tmp_path):
    movies, people = small_catalog(movie_count=2, cast_size=2)
    load(db, tmp_path, movies, people, name="first")

    movies[2]["credits"] = {"cast": [], "crew": []}
    summary = load(db, tmp_path, movies, people, name="second")

    movie_two = db.session.scalar(select(Movie).where(Movie.tmdb_id == 2))
    assert summary.credits.deleted == 3  # two cast, one director
    assert (
        db.session.scalar(
            select(func.count()).select_from(Credit).where(Credit.movie_id == movie_two.id)
        )
        == 0
    )
    assert db.session.scalar(select(func.count()).select_from(Credit)) == 3  # movie 1 keeps its own


def test_a_load_makes_pages_and_cached_fragments_stale(db, tmp_path, client, shared_cache):
    from app.services import catalog

    before = client.get("/")
    assert catalog.count() == 0
    movies, people = small_catalog(movie_count=3, cast_size=2)

    load(db, tmp_path, movies, people)

    assert catalog.count() == 3
    after = client.get("/", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "3 movies" in after.get_data(as_text=True)
