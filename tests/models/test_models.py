"""Model rules the database enforces."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError

from app.models import (
    CreditKind,
    GeneratedText,
    Genre,
    Movie,
    Review,
    TextSource,
    User,
    WatchlistEntry,
)
from app.models.slugs import slugify
from tests.factories import make_cast_credit, make_genre, make_movie, make_person, make_user


def test_usernames_are_unique_whatever_their_case(db):
    db.session.add_all(
        [
            User(username="Ana", email="a@example.com", password_hash="x"),
            User(username="ana", email="b@example.com", password_hash="x"),
        ]
    )
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_username_key_follows_the_username(db):
    user = make_user("Zoe")
    user.username = "ZOE.K"
    assert user.username_key == "zoe.k"


def test_one_review_per_user_and_movie(db):
    user, movie = make_user(), make_movie()
    db.session.add(Review(user=user, movie=movie, rating=8))
    db.session.flush()
    db.session.add(Review(user=user, movie=movie, rating=3))
    with pytest.raises(IntegrityError):
        db.session.flush()


@pytest.mark.parametrize("rating", [0, 11])
def test_ratings_outside_one_to_ten_are_refused(db, rating):
    db.session.add(Review(user=make_user(), movie=make_movie(), rating=rating))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_a_movie_is_on_a_watchlist_once(db):
    user, movie = make_user(), make_movie()
    db.session.add_all(
        [WatchlistEntry(user=user, movie=movie), WatchlistEntry(user=user, movie=movie)]
    )
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_tmdb_ids_are_unique(db):
    make_movie(tmdb_id=550)
    with pytest.raises(IntegrityError):
        make_movie(tmdb_id=550)


def test_deleting_a_movie_removes_its_credits_reviews_and_watchlist_entries(db):
    movie, person, user = make_movie(), make_person(), make_user()
    make_cast_credit(movie, person, "Narrator")
    db.session.add_all(
        [Review(user=user, movie=movie, rating=9), WatchlistEntry(user=user, movie=movie)]
    )
    db.session.flush()

    db.session.delete(movie)
    db.session.flush()
    db.session.expire_all()

    assert db.session.scalars(select(Review)).all() == []
    assert db.session.scalars(select(WatchlistEntry)).all() == []
    assert person.credits == []


def test_movie_genres_are_sorted_by_name(db):
    movie = make_movie(genres=[make_genre("Thriller"), make_genre("Drama")])
    db.session.expire(movie)
    assert [genre.name for genre in movie.genres] == ["Drama", "Thriller"]
    assert movie.genres[0].movies == [movie]


def test_credit_kinds_are_stored_by_name(db):
    credit = make_cast_credit(make_movie(), make_person(), "Tyler Durden", order=1)
    db.session.expire(credit)
    assert credit.kind is CreditKind.cast
    assert "Tyler Durden" in repr(credit)


def test_generated_text_describes_exactly_one_subject(db):
    movie, genre = make_movie(), make_genre()
    db.session.add(
        GeneratedText(
            movie=movie, genre=genre, body="Two at once", source=TextSource.offline, language="en"
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_generated_text_keeps_its_provenance(db):
    genre = make_genre("Film Noir")
    genre.generated_texts = [
        GeneratedText(
            body="Shadows and cynicism.",
            source=TextSource.openai,
            model="gpt-4o-mini",
            language="en",
        )
    ]
    db.session.flush()
    db.session.expire_all()

    stored = db.session.scalar(select(Genre).where(Genre.slug == "film-noir"))
    assert stored.description == "Shadows and cynicism."
    assert stored.generated_text.is_ai
    assert stored.generated_text.created_at.tzinfo is UTC


def test_timestamps_are_aware_utc_on_every_backend(db):
    movie = make_movie()
    movie.created_at = datetime(2026, 1, 2, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    db.session.flush()
    db.session.expire_all()

    stored = db.session.get(Movie, movie.id)
    assert stored.created_at == datetime(2026, 1, 2, 10, 0, tzinfo=UTC)
    assert stored.created_at.tzinfo is UTC


def test_naive_datetimes_are_refused(db):
    movie = make_movie()
    movie.created_at = datetime(2026, 1, 2, 12, 0)
    with pytest.raises(StatementError, match="aware datetime"):
        db.session.flush()


def test_movie_year_and_slug():
    movie = Movie(title="Amélie: Le Fabuleux Destin!", release_date=None)
    assert movie.year is None
    assert movie.slug == "amelie-le-fabuleux-destin"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Fight Club", "fight-club"),
        ("WALL·E", "wall-e"),
        ("!!!", "untitled"),
        ("千と千尋", "千と千尋"),
        ("A_B", "a-b"),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug
