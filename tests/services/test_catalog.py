"""Reading the catalog."""

from app.services import catalog
from tests.factories import make_cast_credit, make_genre, make_movie, make_person


def test_count_and_recently_added(db):
    older, newer = make_movie("Older"), make_movie("Newer")
    assert catalog.count() == 2
    assert catalog.recently_added(limit=1) == [newer]
    assert older in catalog.recently_added()


def test_cast_is_in_billing_order_and_limited(db):
    movie = make_movie()
    for order in (2, 0, 1):
        make_cast_credit(movie, make_person(f"Actor {order}"), f"Role {order}", order=order)
    cast = catalog.cast_of(movie, limit=2)
    assert [credit.person.name for credit in cast] == ["Actor 0", "Actor 1"]


def test_get_loads_genres_and_missing_is_none(db):
    movie = make_movie(genres=[make_genre("Comedy")])
    assert catalog.get(movie.id).genres[0].name == "Comedy"
    assert catalog.get(-1) is None
    assert [genre.name for genre in catalog.genres()] == ["Comedy"]
