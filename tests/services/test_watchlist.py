"""The watchlist: add and remove are idempotent, lookups take one query."""

from sqlalchemy import select

from app.models import WatchlistEntry
from app.services import catalog, watchlist
from app.services.catalog import MovieFilters
from tests.factories import make_movie, make_user
from tests.routes.test_query_counts import counting


def test_add_twice_keeps_one_entry(db):
    ana, movie = make_user("ana"), make_movie("Heat")

    assert watchlist.add(ana, movie) is True
    assert watchlist.add(ana, movie) is False

    entries = db.session.scalars(select(WatchlistEntry).where(WatchlistEntry.user_id == ana.id))
    assert [entry.movie_id for entry in entries] == [movie.id]
    assert watchlist.contains(ana, movie)
    assert watchlist.count(ana) == 1


def test_add_survives_an_entry_made_behind_its_back(db, monkeypatch):
    ana, movie = make_user("ana"), make_movie("Heat")
    watchlist.add(ana, movie)
    # As if a second request inserted it between the check and the insert.
    monkeypatch.setattr(watchlist, "contains", lambda user, movie: False)

    assert watchlist.add(ana, movie) is False
    assert watchlist.count(ana) == 1


def test_remove_twice_is_fine(db):
    ana, movie = make_user("ana"), make_movie("Heat")
    watchlist.add(ana, movie)

    assert watchlist.remove(ana, movie) is True
    assert watchlist.remove(ana, movie) is False
    assert not watchlist.contains(ana, movie)
    assert watchlist.count(ana) == 0


def test_each_member_has_their_own_list(db):
    ana, bea = make_user("ana"), make_user("bea")
    heat, alien = make_movie("Heat"), make_movie("Alien")
    watchlist.add(ana, heat)
    watchlist.add(bea, alien)

    assert watchlist.all_movie_ids(ana) == {heat.id}
    assert not watchlist.contains(ana, alien)
    watchlist.remove(bea, heat)  # not on Bea's list: Ana's entry stays
    assert watchlist.contains(ana, heat)


def test_ids_for_answers_in_one_query(db):
    ana = make_user("ana")
    movies = [make_movie(f"Movie {number}") for number in range(6)]
    for movie in movies[::2]:
        watchlist.add(ana, movie)

    with counting(db.engine) as statements:
        found = watchlist.ids_for(ana, [movie.id for movie in movies])

    assert found == {movie.id for movie in movies[::2]}
    assert len(statements) == 1
    assert watchlist.ids_for(ana, []) == set()


def test_the_list_query_limits_a_catalog_list(db):
    ana = make_user("ana")
    listed = make_movie("Listed", popularity=1.0)
    make_movie("Not listed", popularity=9.0)
    watchlist.add(ana, listed)

    page = catalog.list_(MovieFilters(), within=watchlist.movie_ids_query(ana))

    assert page.items == [listed]
    assert page.total == 1
