"""Each page runs a fixed number of SQL statements, whatever the amount of data."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.services import search
from tests.factories import make_cast_credit, make_crew_credit, make_genre, make_movie, make_person


@contextmanager
def counting(engine):
    """Count the statements sent to the database inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def grow(db, star, feature, genre, size):
    """Add `size` movies, each crediting the star, and `size` cast members to the feature."""
    for number in range(size):
        movie = make_movie(f"Extra {size}-{number}", genres=[genre], popularity=float(number))
        make_cast_credit(movie, star, f"Cameo {number}", order=0)
        make_cast_credit(
            feature, make_person(f"Supporting {size}-{number}"), f"Part {number}", order=number + 1
        )
        make_crew_credit(feature, make_person(f"Crew {size}-{number}"), f"Job {number}", "Crew")
    search.rebuild()
    db.session.commit()


PAGES = [
    "/",
    "/movies/",
    "/movies/?genre=drama&sort=rating&page=2&per_page=12",
    "/movies/{feature_id}-feature",
    "/movies/{feature_id}-feature/credits",
    "/people/",
    "/people/{star_id}-star",
    "/genres/",
    "/genres/drama",
    "/search/?q=extra",
    "/search/suggest?q=extra",
]


@pytest.mark.parametrize("url", PAGES)
def test_page_query_count_does_not_grow_with_data(client, db, url):
    genre = make_genre("Drama")
    star = make_person("Star", popularity=50.0)
    feature = make_movie("Feature", genres=[genre])
    make_cast_credit(feature, star, "Lead", order=0)
    grow(db, star, feature, genre, 3)
    target = url.format(feature_id=feature.id, star_id=star.id)

    with counting(db.engine) as small:
        assert client.get(target).status_code == 200
    grow(db, star, feature, genre, 40)
    with counting(db.engine) as large:
        assert client.get(target).status_code == 200

    assert len(large) == len(small), "\n".join(large)
    # One reads the catalog revision behind the page's ETag, one who wrote hand-edited texts.
    assert len(small) <= 14


def add_reviews(db, movie, count: int, *, start: int = 0) -> list:
    """`count` members, each rating and reviewing the movie (inserted in bulk, figures updated)."""
    from app.models import Review, User
    from app.services import reviews

    members = [
        User(username=f"critic{n}", email=f"critic{n}@example.com", password_hash="x")
        for n in range(start, start + count)
    ]
    db.session.add_all(members)
    db.session.flush()
    db.session.add_all(
        Review(
            user=member, movie=movie, rating=1 + n % 10, body=f"Review {n}.", recommends=n % 3 == 0
        )
        for n, member in enumerate(members)
    )
    db.session.flush()
    reviews.refresh_movie(movie)
    db.session.commit()
    return members


def rate_many(db, user, count: int, *, start: int = 0, genre=None) -> None:
    """The user rates `count` new movies."""
    from app.models import Review

    for n in range(start, start + count):
        movie = make_movie(f"Rated {n}", genres=[genre] if genre else [])
        db.session.add(Review(user=user, movie=movie, rating=1 + n % 10, body=f"On {n}."))
    db.session.commit()


def test_a_movie_page_with_many_reviews_runs_a_fixed_number_of_queries(client, auth, db):
    from tests.factories import make_user

    movie = make_movie("Popular")
    make_user("ana")
    add_reviews(db, movie, 5)
    auth.login()
    target = f"/movies/{movie.id}-popular"

    with counting(db.engine) as small:
        assert client.get(target).status_code == 200
    add_reviews(db, movie, 995, start=5)
    with counting(db.engine) as large:
        page = client.get(target)
    assert page.status_code == 200
    assert "1,000 ratings" in page.get_data(as_text=True)

    assert len(large) == len(small), "\n".join(large)
    assert len(small) <= 16


def test_a_profile_with_many_ratings_runs_a_fixed_number_of_queries(client, db):
    from tests.factories import make_user

    genre = make_genre("Drama")
    user = make_user("prolific")
    rate_many(db, user, 5, genre=genre)
    target = "/users/prolific"

    with counting(db.engine) as small:
        assert client.get(target).status_code == 200
    rate_many(db, user, 995, start=5, genre=genre)
    with counting(db.engine) as large:
        page = client.get(target)
    assert page.status_code == 200
    assert "1,000 ratings" in page.get_data(as_text=True)

    assert len(large) == len(small), "\n".join(large)
    assert len(small) <= 10
