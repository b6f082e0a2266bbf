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
    assert len(small) <= 12
